import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from oms_cli.output import Listing, render

COLUMNS = ("sku", "name", "on_hand", "price", "active", "received", "placed_at")
ROWS = [
    (
        "WIDGET-1",
        "Widget, large",
        1200,
        Decimal("1299.00"),
        True,
        date(2026, 1, 31),
        datetime(2025, 12, 6, 15, 37, 33, tzinfo=UTC),
    ),
    ("GADGET", "Gadget\n2nd line", -4, Decimal("-5.50"), False, None, None),
]


def rendered(
    fmt: str,
    rows: Sequence[Sequence[object]] = ROWS,
    *,
    headers: bool = True,
    raw: bool = False,
) -> str:
    stream = io.StringIO()
    render(Listing(COLUMNS, rows), fmt=fmt, stream=stream, headers=headers, raw=raw)
    return stream.getvalue()


def test_csv_loads_back_with_the_csv_module() -> None:
    records = list(csv.reader(io.StringIO(rendered("csv"))))
    assert records == [
        list(COLUMNS),
        [
            "WIDGET-1",
            "Widget, large",
            "1200",
            "1299.00",
            "true",
            "2026-01-31",
            "2025-12-06T15:37:33+00:00",
        ],
        ["GADGET", "Gadget\n2nd line", "-4", "-5.50", "false", "", ""],
    ]


def test_csv_lines_end_with_a_bare_newline() -> None:
    assert "\r" not in rendered("csv")


def test_tsv_is_tab_separated_with_breaks_inside_cells_turned_to_spaces() -> None:
    lines = rendered("tsv").splitlines()
    assert lines[0] == "\t".join(COLUMNS)
    assert lines[2].split("\t") == ["GADGET", "Gadget 2nd line", "-4", "-5.50", "false", "", ""]
    assert len(lines) == 3


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_no_headers_drops_the_header_row(fmt: str) -> None:
    lines = rendered(fmt, headers=False).splitlines()
    assert lines[0].startswith("WIDGET-1")


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_numbers_have_no_thousands_separators_or_exponents(fmt: str) -> None:
    text = rendered(fmt, [("A", "x", 10**7, Decimal("1E+3"), True, None, None)])
    assert "10000000" in text
    assert "1000" in text
    assert "E+" not in text


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "\n", "\0"])
def test_text_cells_that_a_spreadsheet_would_run_are_guarded(fmt: str, trigger: str) -> None:
    text = rendered(fmt, [(f"{trigger}HYPERLINK(1)", "x", 1, Decimal(1), True, None, None)])
    data_row = text.split("\n", 1)[1]
    assert data_row.lstrip('"').startswith("'")


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_negative_numbers_are_never_guarded(fmt: str) -> None:
    text = rendered(fmt, [("A", "x", -4, Decimal("-5.50"), True, None, None)], headers=False)
    assert text.replace("\t", ",").strip() == "A,x,-4,-5.50,true,,"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_raw_turns_the_formula_guard_off(fmt: str) -> None:
    row = ("=1+1", "-x", 1, Decimal(1), True, None, None)
    text = rendered(fmt, [row], headers=False, raw=True)
    assert text.startswith("=1+1")
    assert "'" not in text


def test_render_returns_the_number_of_data_rows_written() -> None:
    stream = io.StringIO()
    assert render(Listing(COLUMNS, ROWS), fmt="csv", stream=stream) == 2
    assert render(Listing(COLUMNS, []), fmt="tsv", stream=io.StringIO()) == 0


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_rows_from_a_generator_are_streamed_as_they_come(fmt: str) -> None:
    stream = io.StringIO()

    def rows() -> Iterator[tuple[object, ...]]:
        yield ROWS[0]
        yield ROWS[0]
        assert stream.getvalue().count("WIDGET-1") == 2, "rows were held back"
        raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError, match="the query failed"):
        render(Listing(COLUMNS, rows()), fmt=fmt, stream=stream, headers=False)


def test_a_row_with_the_wrong_number_of_cells_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="row 1 has 2 cells for 7 columns"):
        rendered("csv", [("A", "B")])


def test_a_broken_pipe_is_not_swallowed() -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    with pytest.raises(BrokenPipeError):
        render(Listing(COLUMNS, ROWS), fmt="csv", stream=ClosedPipe())


def test_the_stream_defaults_to_stdout_at_call_time(capsys: pytest.CaptureFixture[str]) -> None:
    render(Listing(("sku",), [("A",)]), fmt="csv")
    captured = capsys.readouterr()
    assert captured.out == "sku\nA\n"
    assert captured.err == ""
