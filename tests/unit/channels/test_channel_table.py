"""Reading delimited exports by column name, with each record's line and text."""

from __future__ import annotations

import io

import pytest

from oms_cli.channels.table import Table, header_of, normalise, sniff_delimiter
from oms_cli.errors import NotAnExport


def table(data: bytes, **options: object) -> Table:
    return Table(io.BytesIO(data), **options)  # type: ignore[arg-type]


def test_leading_blank_and_comma_only_rows_are_skipped_before_the_header() -> None:
    rows = list(table(b"\n,,,\nName,Qty\n#1,2\n"))
    assert [(row.line, row.get("Name"), row.get("qty")) for row in rows] == [(4, "#1", "2")]


def test_a_quoted_cell_may_span_lines_and_the_record_keeps_its_first_line_and_text() -> None:
    data = b'Name,Notes,Qty\n#1,"leave it\r\nat the door",1\n#2,,3\n'
    first, second = table(data)
    assert (first.line, first.get("Notes"), first.raw) == (
        2, "leave it\nat the door", '#1,"leave it\nat the door",1'
    )
    assert (second.line, second.raw) == (4, "#2,,3")


def test_empty_and_quoted_empty_cells_are_both_missing() -> None:
    (row,) = table(b'A,B,C\n"",,x\n')
    assert (row.get("A"), row.get("B"), row.get("C")) == (None, None, "x")


def test_aliases_give_the_first_non_empty_column_and_name_it_as_the_file_does() -> None:
    (row,) = table(b"Ship City,Delivery City\n,York\n")
    cell = row.cell("Ship City", "Delivery City")
    assert (cell.field, cell.value, cell.line) == ("Delivery City", "York", 2)
    assert row.cell("Nowhere").field == "Nowhere"


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("a,b,c", ","), ("a\tb\tc", "\t"), ("a;b;c", ";"), ("single", ",")],
)
def test_the_delimiter_is_sniffed_from_the_header(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header) == delimiter


def test_a_tab_file_read_without_quoting_keeps_literal_quotes() -> None:
    (row,) = table(b'title\tqty\nPoster 12" x 18"\t1\n', quote_tabs=False)
    assert row.get("title") == 'Poster 12" x 18"'


def test_footer_rows_are_dropped_when_the_format_recognises_them() -> None:
    data = b"Order,Qty\nA,1\n\n1,record(s) downloaded\n"
    rows = list(table(data, is_footer=lambda values: "record(s)" in ",".join(values)))
    assert [row.get("Order") for row in rows] == ["A"]


def test_a_record_cut_short_at_the_end_of_the_file_is_flagged() -> None:
    rows = list(table(b"A,B,C\n1,2,3\n4,5"))
    assert [row.problem for row in rows] == [
        None, "the file ends in the middle of this record (2 of 3 columns)"
    ]


def test_a_last_record_without_a_newline_but_complete_is_fine() -> None:
    (row,) = table(b"A,B\n1,2")
    assert row.problem is None


def test_a_record_with_more_cells_than_the_header_is_flagged() -> None:
    (row,) = table(b"A,B\n1,2,3\n")
    assert row.problem == "the record has 3 cells but the header has 2"


def test_trailing_empty_cells_beyond_the_header_are_harmless() -> None:
    (row,) = table(b"A\tB\n1\t2\t\t\n")
    assert row.problem is None


def test_mojibake_is_repaired_cell_by_cell() -> None:
    (row,) = table("City\nMontrÃ©al\n".encode())
    assert row.get("City") == "Montréal"


def test_an_empty_file_is_not_an_export() -> None:
    with pytest.raises(NotAnExport, match="empty"):
        table(b"\n,,\n")


def test_column_names_compare_without_case_bom_quotes_or_extra_spaces() -> None:
    assert normalise('\ufeff"Sale  Date" ') == "sale date"
    assert header_of(["", ",,", "a\tb"]) == (["a", "b"], "\t")
