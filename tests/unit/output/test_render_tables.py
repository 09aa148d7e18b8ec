import io
import subprocess
import sys
from decimal import Decimal

from oms_cli.output import Listing, render

COLUMNS = ("sku", "location", "on_hand", "price")
ROWS = [
    ("WIDGET-1", "main", 1200, Decimal("1299.00")),
    ("GADGET-22", "3pl", -4, None),
    ("[bold]X", "=cmd", 7, Decimal("5")),
]


def rendered(*, is_terminal: bool, headers: bool = True, title: str | None = None) -> str:
    stream = io.StringIO()
    listing = Listing(COLUMNS, iter(ROWS), title=title)
    render(listing, stream=stream, is_terminal=is_terminal, headers=headers)
    return stream.getvalue()


def test_piped_table_is_plain_text_aligned_two_spaces_apart_with_numbers_right() -> None:
    assert rendered(is_terminal=False, title="Stock") == (
        "sku        location  on_hand    price\n"
        "WIDGET-1   main         1200  1299.00\n"
        "GADGET-22  3pl            -4\n"
        "[bold]X    =cmd            7        5\n"
    )


def test_piped_table_without_headers_is_only_the_rows() -> None:
    lines = rendered(is_terminal=False, headers=False).splitlines()
    assert lines[0].startswith("WIDGET-1")
    assert len(lines) == 3


def test_piped_table_keeps_each_row_on_one_line_for_grep() -> None:
    stream = io.StringIO()
    render(Listing(("name",), [("two\nlines\tand tab",)]), stream=stream, is_terminal=False)
    assert stream.getvalue() == "name\ntwo lines and tab\n"


def test_piped_table_aligns_wide_characters_by_their_width_on_screen() -> None:
    stream = io.StringIO()
    render(Listing(("name", "n"), [("日本", 1), ("abcd", 22)]), stream=stream, is_terminal=False)
    assert stream.getvalue().splitlines() == ["name   n", "日本   1", "abcd  22"]


def test_piped_table_is_the_default_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    assert render(Listing(COLUMNS, ROWS), stream=stream) == 3
    assert "─" not in stream.getvalue()


def test_terminal_table_is_drawn_by_rich_with_title_and_every_cell() -> None:
    text = rendered(is_terminal=True, title="Stock")
    assert "Stock" in text
    assert "┃ sku" in text
    for cell in ("WIDGET-1", "GADGET-22", "1299.00", "-4", "[bold]X", "=cmd"):
        assert cell in text


def test_terminal_table_right_aligns_numbers() -> None:
    text = rendered(is_terminal=True)
    assert "│      -4 │" in text


def test_terminal_table_without_headers_has_no_header_row() -> None:
    assert "sku" not in rendered(is_terminal=True, headers=False)


def test_terminal_table_returns_the_row_count() -> None:
    assert render(Listing(COLUMNS, iter(ROWS)), stream=io.StringIO(), is_terminal=True) == 3


def test_importing_the_package_and_writing_csv_does_not_import_rich() -> None:
    program = (
        "import io, sys\n"
        "from oms_cli.output import Listing, render\n"
        "render(Listing(('a',), [(1,)]), fmt='csv', stream=io.StringIO())\n"
        "render(Listing(('a',), [(1,)]), stream=io.StringIO(), is_terminal=False)\n"
        "print('rich' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
