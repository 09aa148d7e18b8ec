"""Hostile exports through the import service: a clean error or rejected records, nothing else.

Every channel's fixture files are mangled (random bytes, truncation, NUL bytes,
other encodings, absurd numbers, NaN/Infinity, dates out of range, columns dropped
or shuffled, huge fields, deeply nested JSON) and imported for real into a
database. Each case must end in an OmsError (one line, an exit code) that left the
database exactly as it was, or in an import whose rejects each say why on one line
and after which `oms db check` finds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import SCALE, counts
from sqlalchemy import text

from oms_cli.channels import FORMATS
from oms_cli.errors import ExitCode, OmsError
from oms_cli.services.database import check
from oms_cli.services.importing import ChannelSetup, ImportSettings, import_file
from oms_cli.store.database import Database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLES = sorted(path for path in (FIXTURES / "channels").rglob("*")
                 if path.is_file() and path.name != "README.md")
SAMPLES += sorted((FIXTURES / "imports").glob("*"))
CUSTOM_MAP = {"external_id": "Order Ref", "placed_at": "Date", "sku": "Item Code",
              "name": "Description", "quantity": "Qty", "unit_price": "Each",
              "email": "Mail", "ship_country": "Land"}
SETTINGS = ImportSettings(channels={
    "shop": ChannelSetup(platform="custom", column_map=CUSTOM_MAP, date_format="%d.%m.%Y %H:%M"),
    "nested": ChannelSetup(platform="custom", json_records="data.orders", column_map={
        "external_id": "ref", "placed_at": "created", "currency": "currency",
        "sku": "item.sku", "quantity": "item.qty", "email": "buyer.email"}),
})
CHANNELS = [None, None, None, "shop", "nested"]
FORMAT_NAMES = [None, None, *(fmt.name for fmt in FORMATS)]

ABSURD_NUMBERS = ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e309", "-1e309", "1e-400",
                  "99999999999999999999999999999", "-99999999999999999999", "0x10", "1_000",
                  "١٢٣", "½", "--1", "1e", "0" * 5000, "9" * 400, "-0", "  ", "1,000,000.00"]
ABSURD_DATES = ["0000-00-00", "9999-12-31 23:59:59", "10000-01-01", "0001-01-01 00:00:00 +1400",
                "2026-02-30", "2026-13-01", "-2026-01-01", "1970-01-01T00:00:00+99:00",
                "99999999999", "-1", "2026-01-01T24:00:00Z", "31/12/9999", "\x00"]
HUGE = "x" * 300_000
LINE_BREAKS = ["\x85", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e", "\x0b", "\x0c", "\r"]

# Cases run (each strategy below), reported in README's Reliability section.
CASES = 400 * SCALE


def mangle(data: bytes, how: str, rnd: random.Random) -> bytes:
    """``data`` damaged in one of the ways a hostile or broken export may be."""
    if how == "truncate":
        return data[: rnd.randrange(len(data) + 1)]
    if how == "nul":
        at = rnd.randrange(len(data) + 1)
        return data[:at] + b"\x00" * rnd.randint(1, 4) + data[at:]
    if how == "garbage":
        at = rnd.randrange(len(data) + 1)
        return data[:at] + rnd.randbytes(rnd.randint(1, 64)) + data[at:]
    if how in ("utf-16", "utf-32", "cp1252", "latin-1", "utf-7"):
        return data.decode("utf-8", "replace").encode(how, "replace")
    if how == "huge_field":
        return _replace_cell(data, rnd, lambda _: HUGE)
    if how == "number":
        return _replace_cell(data, rnd, lambda _: rnd.choice(ABSURD_NUMBERS))
    if how == "date":
        return _replace_cell(data, rnd, lambda _: rnd.choice(ABSURD_DATES))
    if how == "line_breaks":  # characters str.splitlines() breaks at, inside a value
        return _replace_cell(data, rnd, lambda _: rnd.choice(["12", "2024-06-01", "#1", "x"])
                             + rnd.choice(LINE_BREAKS) + "3")
    if how in ("drop_column", "shuffle_columns", "duplicate_column"):
        return _reshape_columns(data, how, rnd)
    if how == "deep_json":
        depth = rnd.choice([50, 1000, 100_000])
        return b'{"orders": ' + b"[" * depth + b"]" * rnd.choice([0, depth]) + b"}"
    if how == "json_values":
        return _json_values(data, rnd)
    raise AssertionError(how)


def _replace_cell(data: bytes, rnd: random.Random, make: object) -> bytes:
    """Replace one cell of one data row (CSV/TSV) or one scalar (JSON) with ``make(old)``."""
    text_data = data.decode("utf-8-sig", "replace")
    if text_data.lstrip().startswith(("{", "[")):
        tokens = text_data.split('"')
        if len(tokens) > 3:
            at = rnd.randrange(1, len(tokens), 2)
            tokens[at] = make(tokens[at])  # type: ignore[operator]
        return '"'.join(tokens).encode()
    lines = text_data.splitlines(keepends=True)
    if len(lines) < 2:
        return data
    row = rnd.randrange(1, len(lines))
    delimiter = "\t" if "\t" in lines[0] else ";" if lines[0].count(";") > 2 else ","
    cells = lines[row].rstrip("\r\n").split(delimiter)
    cells[rnd.randrange(len(cells))] = make(None)  # type: ignore[operator]
    lines[row] = delimiter.join(cells) + "\n"
    return "".join(lines).encode()


def _reshape_columns(data: bytes, how: str, rnd: random.Random) -> bytes:
    text_data = data.decode("utf-8-sig", "replace")
    if text_data.lstrip().startswith(("{", "[")):
        return _json_values(data, rnd)
    first = text_data.splitlines()[0] if text_data else ""
    delimiter = "\t" if "\t" in first else ";" if first.count(";") > 2 else ","
    table = list(csv.reader(io.StringIO(text_data), delimiter=delimiter))
    width = max((len(row) for row in table), default=0)
    if width == 0:
        return data
    order = list(range(width))
    if how == "drop_column":
        order.remove(rnd.randrange(width))
    elif how == "duplicate_column":
        order.insert(rnd.randrange(width), rnd.randrange(width))
    else:
        rnd.shuffle(order)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for row in table:
        writer.writerow([row[i] if i < len(row) else "" for i in order])
    return out.getvalue().encode()


def _json_values(data: bytes, rnd: random.Random) -> bytes:
    """Swap values of a JSON document for hostile ones (wrong types, NaN, huge)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return data
    hostile: list[object] = [None, True, [], {}, "", float("nan"), float("inf"), 10**40, -1,
                             1.5e308, HUGE, "NaN", {"a": [1, {"b": None}]},
                             "9999-99-99T99:99:99Z"]

    def walk(value: object) -> object:
        if isinstance(value, dict):
            return {key: (rnd.choice(hostile) if rnd.random() < 0.15 else walk(inner))
                    for key, inner in value.items() if rnd.random() > 0.05}
        if isinstance(value, list):
            return [walk(inner) for inner in value]
        return value

    return json.dumps(walk(document)).encode()


HOW = ["truncate", "nul", "garbage", "utf-16", "utf-32", "cp1252", "utf-7", "huge_field",
       "number", "number", "date", "date", "line_breaks", "line_breaks", "drop_column",
       "shuffle_columns", "duplicate_column", "deep_json", "json_values", "json_values"]


def import_state(db: Database) -> dict[str, int]:
    return counts(Path(str(db.path)))


def attempt(db: Database, tmp_path: Path, data: bytes, channel: str | None,
            format_name: str | None) -> None:
    """Import ``data``: an OmsError must leave nothing behind; a success must be sound."""
    path = tmp_path / "export.bin"
    path.write_bytes(data)
    before = import_state(db)
    try:
        summary = import_file(db, str(path), settings=SETTINGS, channel=channel,
                              format_name=format_name)
    except OmsError as error:
        assert len(str(error).splitlines()) == 1, repr(str(error)[:300])
        assert error.exit_code in set(ExitCode)
        assert import_state(db) == before, str(error)
        return
    for reject in summary.rejects:
        assert len(reject.reason.splitlines()) == 1, reject
    assert check(db) == []


@settings(max_examples=CASES // 2, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), how=st.sampled_from(HOW), seed=st.integers(0, 2**32),
       channel=st.sampled_from(CHANNELS), format_name=st.sampled_from(FORMAT_NAMES))
def test_a_mangled_export_is_refused_cleanly_or_imported_soundly(
        db: Database, tmp_path: Path, sample: Path, how: str, seed: int, channel: str | None,
        format_name: str | None) -> None:
    data = mangle(sample.read_bytes(), how, random.Random(seed))
    attempt(db, tmp_path, data, channel, format_name)


@settings(max_examples=CASES // 4, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.binary(max_size=4096), channel=st.sampled_from(CHANNELS),
       format_name=st.sampled_from(FORMAT_NAMES))
def test_random_bytes_are_refused_cleanly_or_imported_soundly(
        db: Database, tmp_path: Path, data: bytes, channel: str | None,
        format_name: str | None) -> None:
    attempt(db, tmp_path, data, channel, format_name)


json_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                        st.text(max_size=30), st.sampled_from(ABSURD_NUMBERS + ABSURD_DATES))
json_documents = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=4)
                              | st.dictionaries(st.sampled_from(
                                  ["orders", "id", "line_items", "sku", "quantity", "price",
                                   "created_at", "currency", "total_price", "number", "name",
                                   "billing", "shipping", "status", "date_created", "ref",
                                   "data", "item", "qty", "created"]), inner, max_size=6),
                              max_leaves=30)


@settings(max_examples=CASES // 4, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=json_documents, channel=st.sampled_from(CHANNELS),
       format_name=st.sampled_from([None, "shopify_json", "woocommerce_json", "custom"]))
def test_json_of_any_shape_is_refused_cleanly_or_imported_soundly(
        db: Database, tmp_path: Path, document: object, channel: str | None,
        format_name: str | None) -> None:
    data = json.dumps({"orders": document} if isinstance(document, list) else document)
    attempt(db, tmp_path, data.encode(), channel, format_name)


@pytest.mark.parametrize("how", ["nul", "utf-16", "deep_json", "huge_field", "number", "date"])
def test_the_command_line_ends_a_hostile_import_in_one_line(
        cli, db_path: Path, tmp_path: Path, how: str) -> None:
    sample = FIXTURES / "channels" / "shopify" / "orders_export_79_columns.csv"
    path = tmp_path / "hostile.csv"
    path.write_bytes(mangle(sample.read_bytes(), how, random.Random(7)))
    result = cli("import", str(path))
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.exit_code in (0, 3, 1, 65), result.stderr
    if result.exit_code not in (0, 3):
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_fuzzed_formats_cover_every_registered_importer() -> None:
    assert {fmt.name for fmt in FORMATS} <= set(FORMAT_NAMES)


def test_a_refused_import_leaves_no_run_behind(db: Database, tmp_path: Path) -> None:
    attempt(db, tmp_path, b"\x00\x01\x02 not an export", None, None)
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM import_run")).scalar() == 0
