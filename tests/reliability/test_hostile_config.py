"""Hostile config files end in exit 78 and plain lines naming the problem, never a hang.

YAML is loaded safely (no python tags), alias bombs are refused before anything
expands them, a huge file is refused unread, and any YAML of any shape or type
(fuzzed with hypothesis) gives a Config or a ConfigError, nothing else.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import SCALE

from oms_cli.config import load_config
from oms_cli.errors import ConfigError, ExitCode

CASES = 300 * SCALE
SECTIONS = ["database", "allocation", "validation", "channels", "reports", "inbox", "locations",
            "timezone", "currency", "url", "busy_timeout", "rules", "allow_split", "max_splits",
            "partial", "platform", "columns", "format", "buffer", "ships_to", "priority"]


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "oms.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.exit_code == ExitCode.CONFIG
    return caught.value


def laughs(kind: str, levels: int = 9, width: int = 9) -> str:
    """The billion-laughs shape: each level refers to the one below ``width`` times."""
    lines = [f'l0: &l0 {"[lol]" if kind == "list" else "{x: lol}"}']
    for level in range(1, levels + 1):
        if kind == "list":
            items = ", ".join(f"*l{level - 1}" for _ in range(width))
            lines.append(f"l{level}: &l{level} [{items}]")
        else:
            items = ", ".join(f"k{n}: *l{level - 1}" for n in range(width))
            lines.append(f"l{level}: &l{level} {{{items}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", ["list", "mapping"])
@pytest.mark.parametrize("where", ["top", "inside a section"])
def test_an_alias_bomb_is_refused_at_once(tmp_path: Path, kind: str, where: str) -> None:
    bomb = laughs(kind)
    if where != "top":
        bomb = "channels:\n  shop:\n    columns:\n" + "".join(
            f"      {line}\n" for line in bomb.splitlines())
    started = time.monotonic()
    error = refused(write(tmp_path, bomb))
    assert time.monotonic() - started < 5
    assert "alias" in str(error)
    assert len(str(error).splitlines()) == 1


def test_a_few_plain_aliases_are_still_fine(tmp_path: Path) -> None:
    text = "allocation:\n  rules: &r [priority, nearest]\nreports: {}\n"
    assert load_config(write(tmp_path, text), env={}).config.allocation.rules


def test_a_python_object_tag_is_refused_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = ("currency: !!python/object/apply:os.system\n"
            f"  - touch {marker}\n")
    error = refused(write(tmp_path, text))
    assert not marker.exists()
    assert len(str(error).splitlines()) == 1
    assert "oms.yaml" in str(error)


def test_a_huge_config_file_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "# " + "x" * (3 * 1024 * 1024) + "\ncurrency: EUR\n")
    error = refused(path)
    assert "too large" in str(error) and len(str(error).splitlines()) == 1


@pytest.mark.parametrize("text", [
    b"\x00\x01\x02", b"\xff\xfe\x00c", b"currency: [", b"- a\n- b\n", b"42\n",
    b"database: {busy_timeout: NaN}\n", b"database: {busy_timeout: .inf}\n",
    b"database: {busy_timeout: -1}\n", b"database: {busy_timeout: 1e400}\n",
    b"allocation: {max_splits: 99999999999999999999999999}\n",
    b"timezone: ../../etc/passwd\n", b"currency: \"\\0\"\n",
    ("[" * 1000).encode(), ("a:\n  b: " + "{c: " * 1000).encode(),
    b"? [a, b]\n: c\n", b"1: 2\n", b"null: x\n",
])
def test_garbage_config_files_end_in_exit_78(tmp_path: Path, text: bytes) -> None:
    refused(write(tmp_path, text))


def test_a_bad_config_through_the_command_line_is_exit_78_without_a_traceback(
        cli, tmp_path: Path) -> None:
    path = write(tmp_path, laughs("mapping"))
    result = cli("--config", str(path), "config", "check", config=True)
    assert result.exit_code == ExitCode.CONFIG
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                    st.sampled_from(["UTC", "EUR", "priority", "US", "backorder", "x.db",
                                     "shopify", "custom", "-1", "1e9", ".nan"]))
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.sampled_from(SECTIONS) | st.text(max_size=8),
                                           inner, max_size=5), max_leaves=25)


@settings(max_examples=CASES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=documents)
def test_any_yaml_gives_a_config_or_a_config_error(tmp_path: Path, document: object) -> None:
    path = write(tmp_path, yaml.safe_dump(document))
    try:
        load_config(path, env={})
    except ConfigError as error:
        assert all(line.strip() for line in str(error).splitlines())


@settings(max_examples=CASES // 3, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.binary(max_size=512))
def test_any_bytes_give_a_config_or_a_config_error(tmp_path: Path, data: bytes) -> None:
    with contextlib.suppress(ConfigError):
        load_config(write(tmp_path, data), env={})
