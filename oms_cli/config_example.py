"""The commented starter config (``oms init --with-config``, config.example.yaml).

It is generated from the models' descriptions and defaults, so it cannot disagree with
them: every key appears with its description, at its default value. Locations and
channels have no default entries; they get commented-out examples to uncomment.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml
from pydantic import BaseModel

from oms_cli.config import ChannelConfig, Config, LocationConfig

WIDTH = 88

HEADER = """\
# oms configuration: every key, at its default value.
#
# oms reads --config PATH, else $OMS_CONFIG, else ./oms.yaml, else config.yaml in the
# user config directory (`oms config path` shows which); --no-config reads none.
# Later layers win: defaults < this file < OMS_* environment < command-line flags.
# Any key can come from the environment as OMS_<SECTION>__<KEY>, e.g.
# OMS_ALLOCATION__PARTIAL=wait or OMS_ALLOCATION__RULES=priority,nearest (lists comma
# separated); OMS_DB, OMS_TIMEZONE and OMS_CURRENCY are short forms.
# `oms config check` validates the result and `oms config show` prints it.
"""

# (entry, full): a full entry shows every key, the others only what they change.
LOCATION_EXAMPLES: tuple[tuple[LocationConfig, bool], ...] = (
    (LocationConfig(code="backroom", name="Back room", priority=10, country="US", region="NY",
                    ships_to=["US", "CA"]), True),
    (LocationConfig(code="3pl-east", name="East coast 3PL", kind="3pl", priority=20,
                    country="US", region="NJ"), False),
)
CHANNEL_EXAMPLES: tuple[tuple[str, ChannelConfig, bool], ...] = (
    ("shopify", ChannelConfig(platform="shopify", buffer=2), False),
    ("my-shop", ChannelConfig(
        platform="custom", currency="EUR", date_format="%d.%m.%Y %H:%M", delimiter=";",
        columns={"external_id": "Order No", "placed_at": "Date", "sku": "Article",
                 "quantity": "Qty", "unit_price": "Price", "email": "E-mail",
                 "ship_country": "Country"}), True),
)


def render_example() -> str:
    """The starter config as YAML text; loading it gives exactly the default Config."""
    defaults = Config().model_dump(mode="json")
    lines = HEADER.splitlines()
    for name, field in Config.model_fields.items():
        lines += ["", *_comment(field.description, "")]
        if name == "locations":
            lines += [*_reference(LocationConfig), "locations:", *_commented(_locations())]
        elif name == "channels":
            lines += [*_reference(ChannelConfig), "channels:", *_commented(_channels())]
        elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            lines.append(f"{name}:")
            for key, sub_field in field.annotation.model_fields.items():
                lines += _comment(sub_field.description, "  ")
                lines += _key_value(key, defaults[name][key], "  ")
        else:
            lines += _key_value(name, defaults[name], "")
    return "\n".join(lines) + "\n"


def _locations() -> list[str]:
    lines: list[str] = []
    for location, full in LOCATION_EXAMPLES:
        entry = _entry_lines(location, full, skip=())
        lines += [f"- {entry[0]}", *(f"  {line}" for line in entry[1:])]
    return lines


def _channels() -> list[str]:
    lines: list[str] = []
    for name, channel, full in CHANNEL_EXAMPLES:
        # A channel named after its platform leaves platform out: it is the default.
        skip = ("platform",) if channel.platform == name else ()
        lines += [f"{name}:", *(f"  {line}" for line in _entry_lines(channel, full, skip))]
    return lines


def _entry_lines(model: BaseModel, full: bool, skip: tuple[str, ...]) -> list[str]:
    values = model.model_dump(mode="json", exclude_defaults=not full)
    return [line for key, value in values.items() if key not in skip
            for line in _key_value(key, value, "")]


def _reference(model: type[BaseModel]) -> list[str]:
    width = max(len(key) for key in model.model_fields) + 2
    lines = ["# Each entry's keys:"]
    for key, field in model.model_fields.items():
        lines += textwrap.wrap(field.description or "", WIDTH, initial_indent=f"#   {key:<{width}}",
                               subsequent_indent="#   " + " " * width)
    return lines


def _commented(lines: list[str]) -> list[str]:
    return [f"  # {line}" for line in lines]


def _comment(text: str | None, indent: str) -> list[str]:
    return textwrap.wrap(text or "", WIDTH, initial_indent=f"{indent}# ",
                         subsequent_indent=f"{indent}# ")


def _key_value(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, dict) and value:
        return [f"{indent}{key}:", *(f"{indent}  {k}: {_flow(v)}" for k, v in value.items())]
    return [f"{indent}{key}: {_flow(value)}"]


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6, allow_unicode=True)
    return text.removesuffix("\n...\n").strip()
