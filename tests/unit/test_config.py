"""The config: its defaults, where the file is found, how layers stack, how problems read."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import typer
import yaml

from oms_cli.config import (
    Config,
    LoadedConfig,
    database_location,
    dump_config,
    find_config_file,
    load_config,
    user_config_dir,
    user_data_dir,
)
from oms_cli.config_example import render_example
from oms_cli.errors import ConfigError, ExitCode

REPO = Path(__file__).resolve().parents[2]
NO_ENV: dict[str, str] = {}


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the real home, user dirs and OMS_* variables out of every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in [name for name in os.environ if name.startswith("OMS_")]:
        monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(error: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return str(error.value).splitlines()


def load_text(tmp_path: Path, text: str, env: dict[str, str] = NO_ENV) -> LoadedConfig:
    return load_config(write(Path.cwd() / "oms.yaml", text), env=env)


# Defaults


def test_defaults_are_the_ones_design_md_names() -> None:
    config = Config()
    assert config.allocation.rules == ["fewest_splits", "priority", "nearest", "most_stock"]
    assert config.allocation.allow_split is True
    assert config.allocation.max_splits is None
    assert config.allocation.partial == "backorder"
    assert config.timezone == "UTC"
    assert config.currency == "USD"
    assert config.database.busy_timeout == 10.0
    assert config.validation.accepted_financial_statuses == [
        "paid", "partially_paid", "partially_refunded", "authorized"
    ]
    assert config.validation.max_risk == "medium"
    assert config.locations == []
    assert config.channels == {}


def test_no_file_and_no_environment_give_the_defaults() -> None:
    loaded = load_config(env=NO_ENV)
    assert loaded.config == Config()
    assert loaded.path is None
    assert set(loaded.sources.values()) == {"default"}


def test_every_field_has_a_description() -> None:
    from pydantic import BaseModel

    models: list[type[BaseModel]] = [Config]
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"
            models += [
                arg for arg in (field.annotation, *getattr(field.annotation, "__args__", ()))
                if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in models
            ]
    assert len(models) == 8


# The example file


def test_example_file_is_exactly_what_render_example_writes() -> None:
    assert (REPO / "config.example.yaml").read_text(encoding="utf-8") == render_example()


def test_example_loads_back_as_the_defaults(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, render_example())
    assert loaded.config == Config()


def test_example_shows_every_key_with_its_description() -> None:
    example = render_example()
    comments = " ".join(
        line.strip().lstrip("#").strip() for line in example.splitlines() if "#" in line
    )
    comments = " ".join(comments.split())
    models = [Config, *(field.annotation for field in Config.model_fields.values())]
    from oms_cli.config import ChannelConfig, LocationConfig

    for model in [*models, LocationConfig, ChannelConfig]:
        for name, field in getattr(model, "model_fields", {}).items():
            assert re.search(rf"^[ #-]*{name}:", example, re.M), name
            assert " ".join(str(field.description).split()) in comments, name


def test_uncommented_examples_are_valid_locations_and_channels(tmp_path: Path) -> None:
    lines, in_examples = [], False
    for line in render_example().splitlines():
        in_examples = line in ("locations:", "channels:") or (in_examples and line != "")
        lines.append(line.replace("  # ", "  ", 1) if in_examples else line)
    config = load_text(tmp_path, "\n".join(lines)).config
    assert [location.code for location in config.locations] == ["backroom", "3pl-east"]
    assert config.locations[0].ships_to == ["US", "CA"]
    assert config.channels["shopify"].platform == "shopify"
    assert config.channels["shopify"].buffer == 2
    assert config.channels["my-shop"].platform == "custom"
    assert config.channels["my-shop"].columns["external_id"] == "Order No"


# Where the file is found


def test_explicit_path_wins_over_oms_config_and_local_file(tmp_path: Path) -> None:
    explicit = write(tmp_path / "explicit.yaml", "")
    from_env = write(tmp_path / "env.yaml", "")
    write(Path.cwd() / "oms.yaml", "")
    env = {"OMS_CONFIG": str(from_env)}
    assert find_config_file(explicit, env=env) == explicit
    assert find_config_file(None, env=env) == from_env


def test_local_oms_yaml_wins_over_the_user_config(tmp_path: Path) -> None:
    user_file = write(user_config_dir() / "config.yaml", "")
    assert find_config_file(None, env=NO_ENV, cwd=tmp_path) == user_file
    local = write(tmp_path / "oms.yaml", "")
    assert find_config_file(None, env=NO_ENV, cwd=tmp_path) == local


def test_no_config_file_anywhere_is_fine() -> None:
    assert find_config_file(None, env=NO_ENV) is None


def test_no_config_ignores_every_file(tmp_path: Path) -> None:
    write(Path.cwd() / "oms.yaml", "currency: EUR\n")
    explicit = write(tmp_path / "explicit.yaml", "currency: GBP\n")
    assert find_config_file(explicit, use_files=False) is None
    assert load_config(explicit, use_files=False, env=NO_ENV).config.currency == "USD"


def test_a_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.yaml: no such config file.*--config"):
        find_config_file(tmp_path / "missing.yaml")


def test_a_missing_oms_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="OMS_CONFIG"):
        find_config_file(None, env={"OMS_CONFIG": str(tmp_path / "missing.yaml")})


def test_user_config_dir_is_typers_app_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    assert user_config_dir() == Path(typer.get_app_dir("oms"))
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert user_config_dir() == Path(typer.get_app_dir("oms"))


def test_user_data_dir_follows_xdg_data_home(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert user_data_dir() == isolated_home / ".local" / "share" / "oms"
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/data")
    assert user_data_dir() == Path("/srv/data/oms")


# Precedence: defaults < file < environment < flags


def test_file_overrides_defaults_and_says_so(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, "allocation:\n  partial: wait\n")
    assert loaded.config.allocation.partial == "wait"
    assert loaded.config.allocation.allow_split is True
    assert loaded.sources["allocation.partial"] == "file"
    assert loaded.sources["allocation.allow_split"] == "default"
    assert loaded.path == Path.cwd() / "oms.yaml"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    text = "timezone: Europe/Berlin\ndatabase:\n  busy_timeout: 5\n"
    env = {"OMS_TIMEZONE": "America/New_York", "OMS_DATABASE__BUSY_TIMEOUT": "3"}
    loaded = load_text(tmp_path, text, env)
    assert loaded.config.timezone == "America/New_York"
    assert loaded.config.database.busy_timeout == 3.0
    assert loaded.sources["timezone"] == "env"
    assert loaded.sources["database.busy_timeout"] == "env"


def test_flags_override_the_environment(tmp_path: Path) -> None:
    loaded = load_config(
        write(tmp_path / "oms.yaml", "database:\n  url: file.db\n"),
        env={"OMS_DB": "env.db"},
        overrides={"database.url": "flag.db", "allocation.partial": None},
    )
    assert loaded.config.database.url == "flag.db"
    assert loaded.sources["database.url"] == "flag"
    assert loaded.sources["allocation.partial"] == "default"


def test_oms_config_environment_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "elsewhere.yaml", "currency: EUR\n")
    loaded = load_config(env={"OMS_CONFIG": str(path)})
    assert loaded.path == path
    assert loaded.config.currency == "EUR"


def test_user_config_file_is_read_when_nothing_else_is_given() -> None:
    write(user_config_dir() / "config.yaml", "currency: GBP\n")
    assert load_config(env=NO_ENV).config.currency == "GBP"


# The environment


def test_environment_sets_nested_keys_and_comma_lists() -> None:
    env = {
        "OMS_DB": "orders.db",
        "OMS_ALLOCATION__RULES": "priority, nearest",
        "OMS_ALLOCATION__ALLOW_SPLIT": "false",
        "OMS_VALIDATION__ACCEPTED_FINANCIAL_STATUSES": "paid,pending",
        "OMS_CHANNELS__SHOPIFY__BUFFER": "3",
    }
    config = load_config(env=env).config
    assert config.database.url == "orders.db"
    assert config.allocation.rules == ["priority", "nearest"]
    assert config.allocation.allow_split is False
    assert config.validation.accepted_financial_statuses == ["paid", "pending"]
    assert config.channels["shopify"].buffer == 3


def test_unrelated_and_empty_oms_variables_are_ignored() -> None:
    env = {"OMS_DEBUG": "1", "OMS_TODAY": "2024-01-01", "OMS_CURRENCY": "", "OMS_X": "y"}
    assert load_config(env=env).config == Config()


def test_short_environment_names_win_over_their_long_forms() -> None:
    env = {"OMS_DB": "short.db", "OMS_DATABASE__URL": "long.db"}
    assert load_config(env=env).config.database.url == "short.db"


def test_unknown_sections_and_keys_in_the_environment_are_errors() -> None:
    env = {"OMS_FOO__BAR": "1", "OMS_ALLOCATION__PARTAIL": "wait", "OMS_LOCATIONS__X": "1"}
    with pytest.raises(ConfigError) as error:
        load_config(env=env)
    assert problems_of(error) == [
        "OMS_LOCATIONS__X: locations are set in the config file, not the environment",
        "OMS_ALLOCATION__PARTAIL: unknown key; did you mean partial?",
        "OMS_FOO__BAR: foo: unknown key; the keys here are database, timezone, currency, "
        "locations, allocation, validation, channels, reports, inbox",
    ]


# Problems


def test_every_problem_is_listed_at_once_with_its_key(tmp_path: Path) -> None:
    text = (
        "timezone: Mars/Olympus\n"
        "currency: euro\n"
        "allocation:\n"
        "  rules: [priority, fastest]\n"
        "  alow_split: true\n"
        "reports:\n"
        "  velocity_days: lots\n"
    )
    env = {"OMS_ALLOCATION__PARTIAL": "later"}
    with pytest.raises(ConfigError) as error:
        load_text(tmp_path, text, env)
    assert error.value.exit_code == ExitCode.CONFIG == 78
    assert problems_of(error) == [
        "oms.yaml: timezone: 'Mars/Olympus' is not an IANA time zone such as Europe/Berlin",
        "oms.yaml: currency: 'euro' is not a three-letter ISO 4217 currency code such as USD",
        "oms.yaml: allocation.rules[1]: "
        "'fastest' is not one of fewest_splits, priority, nearest, most_stock",
        "OMS_ALLOCATION__PARTIAL: 'later' is not one of backorder, wait",
        "oms.yaml: allocation.alow_split: unknown key; did you mean allow_split?",
        "oms.yaml: reports.velocity_days: "
        "input should be a valid integer, unable to parse string as an integer (got 'lots')",
    ]


def test_a_file_outside_the_current_directory_is_named_by_its_path(tmp_path: Path) -> None:
    path = write(tmp_path / "elsewhere" / "oms.yaml", "currency: 12\n")
    with pytest.raises(ConfigError, match=re.escape(f"{path}: currency: ")):
        load_config(path, env=NO_ENV)


def test_malformed_yaml_names_its_line(tmp_path: Path) -> None:
    text = "database:\n  url: x.db\n  busy_timeout: [1\nallocation:\n  partial: wait\n"
    with pytest.raises(ConfigError) as error:
        load_text(tmp_path, text)
    assert problems_of(error)[0].startswith("oms.yaml:4: ")


def test_a_tab_indent_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^oms\.yaml:3: found character '\\t'"):
        load_text(tmp_path, "database:\n  url: x.db\n\tbusy_timeout: 3\n")


def test_a_duplicate_key_is_reported_with_its_line(tmp_path: Path) -> None:
    text = "allocation:\n  partial: wait\ncurrency: EUR\nallocation:\n  allow_split: false\n"
    with pytest.raises(ConfigError, match=r"^oms\.yaml:4: duplicate key 'allocation'$"):
        load_text(tmp_path, text)


def test_a_top_level_that_is_not_a_mapping_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^oms\.yaml: expected a mapping .* not a list$"):
        load_text(tmp_path, "- database\n- allocation\n")


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_text(tmp_path, "# nothing set yet\n").config == Config()


def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "adir.yaml").mkdir()
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "adir.yaml", env=NO_ENV)
    (tmp_path / "latin1.yaml").write_bytes("currency: \xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(tmp_path / "latin1.yaml", env=NO_ENV)


def test_an_empty_section_means_its_defaults(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, "allocation:\nlocations:\nchannels:\n  shopify:\n")
    assert loaded.config.allocation == Config().allocation
    assert loaded.config.channels["shopify"].platform == "shopify"


# Values


def test_currency_and_country_codes_are_upper_cased(tmp_path: Path) -> None:
    text = "currency: eur\nlocations:\n  - code: A1\n    country: de\n    ships_to: [de, at]\n"
    config = load_text(tmp_path, text).config
    assert config.currency == "EUR"
    assert config.locations[0].country == "DE"
    assert config.locations[0].ships_to == ["DE", "AT"]


def test_location_codes_must_be_unique_and_plain(tmp_path: Path) -> None:
    text = "locations:\n  - code: a\n  - code: a\n  - code: back room\n"
    with pytest.raises(ConfigError) as error:
        load_text(tmp_path, text)
    assert problems_of(error) == [
        "oms.yaml: locations[2].code: "
        "'back room' is not a location code: use letters, digits, - and _",
    ]
    with pytest.raises(ConfigError, match=r"oms\.yaml: locations: location code a used more"):
        load_text(tmp_path, "locations:\n  - code: a\n  - code: a\n")


def test_allocation_rules_may_not_repeat(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"allocation\.rules: priority listed more than once"):
        load_text(tmp_path, "allocation:\n  rules: [priority, nearest, priority]\n")


def test_max_splits_must_agree_with_allow_split(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_splits above 1 contradicts allow_split: false"):
        load_text(tmp_path, "allocation:\n  allow_split: false\n  max_splits: 2\n")


def test_a_channel_named_after_a_platform_defaults_to_it(tmp_path: Path) -> None:
    config = load_text(tmp_path, "channels:\n  etsy:\n    buffer: 1\n").config
    assert config.channels["etsy"].platform == "etsy"


def test_any_other_channel_must_name_its_platform(tmp_path: Path) -> None:
    text = "channels:\n  eu-store:\n    buffer: 1\n  EU:\n    platform: shopify\n"
    with pytest.raises(ConfigError) as error:
        load_text(tmp_path, text)
    assert problems_of(error) == [
        "oms.yaml: channels.eu-store.platform: required",
        "oms.yaml: channels.EU: "
        "'EU' is not a channel name: use lower-case letters, digits, - and _",
    ]


def test_a_custom_channel_needs_an_external_id_column(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"channels\.mine: a custom channel needs columns"):
        load_text(tmp_path, "channels:\n  mine:\n    platform: custom\n    columns: {sku: SKU}\n")


def test_custom_column_keys_are_checked_against_our_fields(tmp_path: Path) -> None:
    text = "channels:\n  mine:\n    platform: custom\n    columns: {external_id: Nr, quantty: Q}\n"
    with pytest.raises(ConfigError) as error:
        load_text(tmp_path, text)
    assert problems_of(error) == [
        "oms.yaml: channels.mine.columns.quantty: 'quantty' is not a known key; "
        "did you mean quantity?"
    ]


def test_column_maps_belong_to_custom_channels_only(tmp_path: Path) -> None:
    text = "channels:\n  shopify:\n    columns: {external_id: Name}\n    delimiter: ';'\n"
    with pytest.raises(ConfigError, match="columns, delimiter: only read for platform: custom"):
        load_text(tmp_path, text)


# What the CLI shows


def test_database_defaults_to_the_user_data_dir(isolated_home: Path) -> None:
    assert database_location(Config()) == str(isolated_home / ".local/share/oms/oms.db")


def test_database_urls_stay_urls_and_paths_stay_paths(isolated_home: Path) -> None:
    url = "postgresql://oms@localhost/oms"
    assert database_location(Config.model_validate({"database": {"url": url}})) == url
    assert database_location(Config.model_validate({"database": {"url": "data/o.db"}})) == (
        "data/o.db"
    )
    home_path = Config.model_validate({"database": {"url": "~/o.db"}})
    assert database_location(home_path) == str(isolated_home / "o.db")


def test_dump_lists_keys_in_model_order_and_loads_back(tmp_path: Path) -> None:
    config = load_text(tmp_path, "channels:\n  ebay: {buffer: 1}\ncurrency: EUR\n").config
    dumped = dump_config(config)
    assert list(yaml.safe_load(dumped)) == list(Config.model_fields)
    assert load_text(tmp_path, dumped).config == config


def test_short_environment_names_are_validated_under_their_own_name() -> None:
    with pytest.raises(ConfigError) as error:
        load_config(env={"OMS_TIMEZONE": "Nowhere", "OMS_CURRENCY": "dollars"})
    assert problems_of(error) == [
        "OMS_TIMEZONE: 'Nowhere' is not an IANA time zone such as Europe/Berlin",
        "OMS_CURRENCY: 'dollars' is not a three-letter ISO 4217 currency code such as USD",
    ]


def test_flag_paths_are_taken_as_text(tmp_path: Path) -> None:
    loaded = load_config(env=NO_ENV, overrides={"database.url": tmp_path / "o.db"})
    assert loaded.config.database.url == str(tmp_path / "o.db")
