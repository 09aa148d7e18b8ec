"""The YAML configuration: its models, where the file is found, and how the layers stack.

Precedence (DESIGN.md, "Commands"): defaults < YAML file < OMS_* environment < flags.
The file is ``--config PATH``, else ``$OMS_CONFIG``, else ``./oms.yaml``, else
``config.yaml`` in the user config directory; ``--no-config`` ignores every file.

The environment: ``OMS_DB`` sets database.url, ``OMS_TIMEZONE`` and ``OMS_CURRENCY``
their keys, and ``OMS_<SECTION>__<KEY>`` any key, one double underscore per level
(``OMS_DATABASE__BUSY_TIMEOUT=3``, ``OMS_CHANNELS__SHOPIFY__BUFFER=2``; lists are comma
separated: ``OMS_ALLOCATION__RULES=priority,nearest``). A name with ``__`` must name a
config key, so a typo is an error rather than silently ignored; other OMS_ names
(OMS_CONFIG, anything without ``__``) are ignored, and so is an empty value. The short
names win over their long forms. Locations are a list: they are set in the file only.

Every problem found in every layer is reported at once, in one ConfigError with one
line each: ``oms.yaml: allocation.rules[1]: ...`` or ``OMS_ALLOCATION__PARTIAL: ...``.
Reading the file and the environment, and wording those lines, is config_layers' part.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from oms_cli.config_layers import Layers, apply_env, display_path, one_line, read_config_file
from oms_cli.domain.orders import FinancialStatus
from oms_cli.errors import ConfigError

APP_NAME = "oms"
CONFIG_FILE_NAME = "config.yaml"
LOCAL_CONFIG_FILE = "oms.yaml"

Platform = Literal["shopify", "amazon", "etsy", "woocommerce", "ebay", "custom"]
AllocationRule = Literal["fewest_splits", "priority", "nearest", "most_stock"]
LocationKind = Literal["warehouse", "store", "3pl", "dropship"]
PartialPolicy = Literal["backorder", "wait"]
RiskLevel = Literal["low", "medium", "high"]
ColumnField = Literal[
    "external_id", "placed_at", "currency", "sku", "name", "quantity", "unit_price",
    "line_total", "total", "shipping", "tax", "discount", "email", "customer_name",
    "ship_name", "ship_address1", "ship_address2", "ship_city", "ship_region",
    "ship_postcode", "ship_country", "ship_phone", "financial_status",
    "fulfillment_status", "cancelled_at", "note", "tags",
]  # fmt: skip
PLATFORMS: tuple[str, ...] = get_args(Platform)
COLUMN_FIELDS: tuple[str, ...] = get_args(ColumnField)
DEFAULT_RULES: tuple[AllocationRule, ...] = ("fewest_splits", "priority", "nearest", "most_stock")
DEFAULT_FINANCIAL_STATUSES = (
    FinancialStatus.PAID,
    FinancialStatus.PARTIALLY_PAID,
    FinancialStatus.PARTIALLY_REFUNDED,
    FinancialStatus.AUTHORIZED,
)


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{name!r} is not an IANA time zone such as Europe/Berlin") from None
    return name


def _pattern(pattern: str, what: str, *, upper: bool = False) -> AfterValidator:
    def check(value: str) -> str:
        text = value.strip().upper() if upper else value
        if not re.fullmatch(pattern, text):
            raise ValueError(f"{value!r} is not {what}")
        return text

    return AfterValidator(check)


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


TimezoneName = Annotated[str, AfterValidator(_timezone)]
CurrencyCode = Annotated[
    str, _pattern("[A-Z]{3}", "a three-letter ISO 4217 currency code such as USD", upper=True)
]
CountryCode = Annotated[
    str, _pattern("[A-Z]{2}", "a two-letter ISO 3166 country code such as US or DE", upper=True)
]
LocationCode = Annotated[
    str, _pattern("[A-Za-z0-9_-]+", "a location code: use letters, digits, - and _")
]
ChannelName = Annotated[
    str, _pattern("[a-z0-9_-]+", "a channel name: use lower-case letters, digits, - and _")
]
OptionalText = Annotated[str | None, BeforeValidator(_blank_is_none)]


# Bounds that keep a hostile number from overflowing a date, a timer or a database integer.
ONE_DAY_SECONDS = 86_400
MAX_DAYS = 36_500
LARGEST = 1_000_000_000


class _Section(BaseModel):
    # Unknown keys are errors, so a typo is reported instead of silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    url: OptionalText = Field(default=None, description=(
        "A file path or an SQLAlchemy URL (postgresql://user@host/oms); null means oms.db "
        "in the user data directory (`oms db path` shows it)."))
    busy_timeout: float = Field(default=10.0, ge=0, le=ONE_DAY_SECONDS, allow_inf_nan=False,
                                 description=(
        "Seconds a command waits for another writer before giving up with exit code 75."))


class LocationConfig(_Section):
    code: LocationCode = Field(description=(
        "Required. The code commands use (-l CODE): letters, digits, - and _."))
    name: OptionalText = Field(default=None, description="Display name; the code when null.")
    kind: LocationKind = Field(default="warehouse", description=(
        "warehouse, store, 3pl or dropship."))
    priority: int = Field(default=100, ge=-LARGEST, le=LARGEST, description=(
        "Lower ships first (the `priority` rule)."))
    country: CountryCode | None = Field(default=None, description=(
        "Two-letter ISO country it ships from (US, DE)."))
    region: OptionalText = Field(default=None, description=(
        "State or region, for the `nearest` rule."))
    ships_to: list[CountryCode] = Field(default_factory=list, description=(
        "Countries it ships to; empty means its own country."))
    active: bool = Field(default=True, description=(
        "Inactive locations keep their stock but ship nothing."))


class AllocationConfig(_Section):
    rules: list[AllocationRule] = Field(default_factory=lambda: list(DEFAULT_RULES), description=(
        "Rules ranking the locations able to ship an order, in order: each breaks the ties "
        "left by the ones before, the location code the last. Rules: fewest_splits, "
        "priority, nearest, most_stock."))
    allow_split: bool = Field(default=True, description=(
        "Ship one order from several locations when no single one can ship it all."))
    max_splits: int | None = Field(default=None, ge=1, le=LARGEST, description=(
        "Most locations one order may ship from; null for no limit."))
    partial: PartialPolicy = Field(default="backorder", description=(
        "When stock is short: backorder (reserve what is there, backorder the rest) or wait "
        "(reserve nothing until all of it can be)."))

    @field_validator("rules")
    @classmethod
    def _no_repeated_rule(cls, rules: list[AllocationRule]) -> list[AllocationRule]:
        repeated = sorted({rule for rule in rules if rules.count(rule) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed more than once")
        return rules

    @model_validator(mode="after")
    def _splits_agree(self) -> AllocationConfig:
        if not self.allow_split and self.max_splits not in (None, 1):
            raise ValueError("max_splits above 1 contradicts allow_split: false")
        return self


class ValidationConfig(_Section):
    accepted_financial_statuses: list[FinancialStatus] = Field(
        default_factory=lambda: list(DEFAULT_FINANCIAL_STATUSES), description=(
            "Payment statuses an order may ship with; others are held awaiting_payment "
            "(add pending to ship cash-on-delivery orders)."))
    max_risk: RiskLevel = Field(default="medium", description=(
        "Orders the channel rates above this risk (low, medium, high) are held high_risk."))
    require_address: bool = Field(default=True, description=(
        "Hold orders with lines to ship but no usable address (incorrect_address)."))
    hold_test_orders: bool = Field(default=True, description=(
        "Hold orders the channel marks as tests."))


class ChannelConfig(_Section):
    platform: Platform = Field(description=(
        "Whose exports these are: shopify, amazon, etsy, woocommerce, ebay or custom; "
        "defaults to the channel's name when that is one of them."))
    format: OptionalText = Field(default=None, description=(
        "A format id to use instead of detecting it from each file."))
    buffer: int = Field(default=0, ge=0, le=LARGEST, description=(
        "Units held back from this channel in `oms export availability`."))
    currency: CurrencyCode | None = Field(default=None, description=(
        "Currency of its files when they name none; the top-level currency when null."))
    columns: dict[ColumnField, str] = Field(default_factory=dict, description=(
        "custom only: our field -> the column header (or JSON key) holding it; external_id "
        "is required. Fields: " + ", ".join(COLUMN_FIELDS) + "."))
    date_format: OptionalText = Field(default=None, description=(
        "custom only: strptime format of its dates (%d.%m.%Y %H:%M) when not ISO 8601."))
    delimiter: OptionalText = Field(default=None, description=(
        "custom only: the CSV delimiter when it is not a comma (; or \"\\t\")."))
    json_records: OptionalText = Field(default=None, description=(
        "custom only: dotted path to the list of orders in a JSON file (data.orders)."))

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, delimiter: str | None) -> str | None:
        if delimiter is not None and len(delimiter) != 1:
            raise ValueError(f"{delimiter!r} is not one character")
        return delimiter

    @model_validator(mode="after")
    def _custom_keys_agree(self) -> ChannelConfig:
        custom_only = ("columns", "date_format", "delimiter", "json_records")
        if self.platform == "custom" and "external_id" not in self.columns:
            raise ValueError("a custom channel needs columns.external_id (its order number)")
        stray = [key for key in custom_only if getattr(self, key)]
        if self.platform != "custom" and stray:
            raise ValueError(f"{', '.join(stray)}: only read for platform: custom")
        return self


class ReportsConfig(_Section):
    velocity_days: int = Field(default=30, ge=1, le=MAX_DAYS, description=(
        "Days of sales that velocity (units a day) is averaged over."))
    shipping_sla_hours: int = Field(default=48, ge=1, le=MAX_DAYS * 24, description=(
        "Hours an order may wait to ship before `oms report status` flags it."))
    default_lead_time_days: int = Field(default=14, ge=0, le=MAX_DAYS, description=(
        "Days a reorder takes to arrive, for products that do not say."))
    cover_days: int = Field(default=30, ge=1, le=MAX_DAYS, description=(
        "Days of cover the suggested reorder quantity aims for."))
    low_stock_alert: bool = Field(default=True, description=(
        "Count products below their reorder point as needing attention (`--alert`)."))


class InboxConfig(_Section):
    path: OptionalText = Field(default=None, description=(
        "The folder of channel exports `oms sync` imports; it must be set for sync."))
    archive: str = Field(default="archive", min_length=1, description=(
        "Where imported files go: a sub-folder of the inbox, or an absolute path."))
    failed: str = Field(default="failed", min_length=1, description=(
        "Where files that could not be imported go: a sub-folder, or an absolute path."))


class Config(_Section):
    database: DatabaseConfig = Field(default_factory=DatabaseConfig, description=(
        "Where the order book is kept."))
    timezone: TimezoneName = Field(default="UTC", description=(
        "IANA time zone (Europe/Berlin): reports bucket days in it, and channel dates "
        "without a zone are read in it."))
    currency: CurrencyCode = Field(default="USD", description=(
        "ISO 4217 currency of products and of files that name none."))
    locations: list[LocationConfig] = Field(default_factory=list, description=(
        "Where stock is kept and orders ship from; `oms init` creates these."))
    allocation: AllocationConfig = Field(default_factory=AllocationConfig, description=(
        "How `oms allocate` chooses the locations that ship each order."))
    validation: ValidationConfig = Field(default_factory=ValidationConfig, description=(
        "What every order must pass before it is allocated; a failure holds it with a reason."))
    channels: dict[ChannelName, ChannelConfig] = Field(default_factory=dict, description=(
        "Sales channels by name (lower-case letters, digits, - and _; `--channel NAME`). "
        "A channel named after its platform needs an entry only to change a default."))
    reports: ReportsConfig = Field(default_factory=ReportsConfig, description=(
        "Windows and thresholds of `oms report`."))
    inbox: InboxConfig = Field(default_factory=InboxConfig, description=(
        "The folder `oms sync` (for cron) imports from, and where each file goes after."))

    @model_validator(mode="before")
    @classmethod
    def _fill_blanks(cls, data: Any) -> Any:
        # A key left empty (`locations:` with its examples commented out) means its default.
        if not isinstance(data, dict):
            return data
        data = {key: value for key, value in data.items() if value is not None}
        if isinstance(data.get("channels"), dict):
            data["channels"] = {
                name: _with_platform(name, entry) for name, entry in data["channels"].items()
            }
        return data

    @field_validator("locations")
    @classmethod
    def _codes_unique(cls, locations: list[LocationConfig]) -> list[LocationConfig]:
        codes = [location.code for location in locations]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"location code {', '.join(repeated)} used more than once")
        return locations


def _with_platform(name: Any, entry: Any) -> Any:
    entry = {} if entry is None else entry
    if isinstance(entry, dict) and "platform" not in entry and name in PLATFORMS:
        return {"platform": name, **entry}
    return entry


@dataclass(frozen=True)
class LoadedConfig:
    """The effective config, the file it came from, and where each dotted key was set:
    ``default``, ``file``, ``env`` or ``flag``."""

    config: Config
    path: Path | None
    sources: Mapping[str, str] = field(default_factory=dict)


def user_config_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where config.yaml lives: exactly ``typer.get_app_dir("oms")`` (click's rules)."""
    if sys.platform.startswith("win"):
        return Path(env.get("APPDATA", os.path.expanduser("~")), APP_NAME)
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~/Library/Application Support"), APP_NAME)
    return Path(env.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config")), APP_NAME)


def user_data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where the database lives by default (XDG_DATA_HOME, Application Support, LOCALAPPDATA)."""
    if sys.platform.startswith("win"):
        return Path(env.get("LOCALAPPDATA") or os.path.expanduser("~"), APP_NAME)
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~/Library/Application Support"), APP_NAME)
    return Path(env.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), APP_NAME)


def database_location(config: Config) -> str:
    """The database as a URL (anything with ``://``, unchanged) or a file path (``~``
    expanded, relative to the current directory); the user data dir's oms.db by default."""
    url = config.database.url
    if url is None:
        return str(user_data_dir() / "oms.db")
    return url if "://" in url else str(Path(url).expanduser())


def find_config_file(
    explicit: Path | None,
    *,
    use_files: bool = True,
    env: Mapping[str, str] = os.environ,
    cwd: Path | None = None,
) -> Path | None:
    """The config file to read, or None. Raises ConfigError when a file named by
    ``--config`` or OMS_CONFIG does not exist; a missing ./oms.yaml or user file is fine."""
    if not use_files:
        return None
    if explicit is not None:
        return _must_exist(explicit.expanduser(), "--config")
    if env.get("OMS_CONFIG"):
        return _must_exist(Path(env["OMS_CONFIG"]).expanduser(), "OMS_CONFIG")
    candidates = (cwd or Path.cwd()) / LOCAL_CONFIG_FILE, user_config_dir(env) / CONFIG_FILE_NAME
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def load_config(
    explicit: Path | None = None,
    *,
    use_files: bool = True,
    env: Mapping[str, str] = os.environ,
    overrides: Mapping[str, Any] | None = None,
    cwd: Path | None = None,
) -> LoadedConfig:
    """Stack defaults, the file, the environment and ``overrides`` (dotted keys such as
    ``{"database.url": "x.db"}`` from flags; None values are skipped) and validate.
    Raises ConfigError (exit 78) listing every problem, one per line."""
    path = find_config_file(explicit, use_files=use_files, env=env, cwd=cwd)
    layers = Layers(Config)
    problems: list[str] = []
    if path is not None:
        label = display_path(path)
        data, problems = read_config_file(path, label)
        for key, value in data.items():
            layers.put((str(key),), value, "file", label)
    problems += apply_env(layers, env)
    for key, value in (overrides or {}).items():
        if value is not None:
            value = os.fspath(value) if isinstance(value, os.PathLike) else value
            layers.put(tuple(key.split(".")), value, "flag", "command line")
    try:
        config = Config.model_validate(layers.data)
    except ValidationError as exc:
        problems += [layers.describe(error) for error in exc.errors(include_url=False)]
    if problems:
        raise ConfigError("\n".join(map(one_line, problems)))
    return LoadedConfig(config, path, layers.sources(config))


def dump_config(config: Config) -> str:
    """The effective config as YAML, keys in model order (``oms config show``)."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def _must_exist(path: Path, named_by: str) -> Path:
    if not path.exists():
        raise ConfigError(f"{path}: no such config file (named by {named_by})")
    return path
