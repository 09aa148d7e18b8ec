import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms_cli.errors import InvalidInput
from oms_cli.output import Listing, render

LISTING = Listing(("sku", "price"), [("Köln-1", 5)])


def test_output_file_gets_the_data_in_utf8_and_the_stream_gets_nothing(tmp_path: Path) -> None:
    stream = io.StringIO()
    target = tmp_path / "stock.csv"
    assert render(LISTING, output=target, stream=stream) == 1
    assert target.read_bytes() == "sku,price\nKöln-1,5\n".encode()
    assert stream.getvalue() == ""


def test_output_file_with_txt_gets_a_plain_table_even_from_a_terminal(tmp_path: Path) -> None:
    target = tmp_path / "stock.txt"
    render(LISTING, output=target, stream=io.StringIO(), is_terminal=True)
    assert target.read_text(encoding="utf-8") == "sku     price\nKöln-1      5\n"


def test_a_failure_part_way_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "orders.jsonl"
    target.write_text("previous\n", encoding="utf-8")

    def rows() -> Iterator[tuple[object, ...]]:
        yield ("A", 1)
        raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError):
        render(Listing(("sku", "qty"), rows()), output=target)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert [path.name for path in tmp_path.iterdir()] == ["orders.jsonl"]


def test_a_failure_on_a_new_file_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        render(Listing(("sku",), [("A", "B")]), output=tmp_path / "new.csv")
    assert list(tmp_path.iterdir()) == []


def test_replacing_a_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "private.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    render(LISTING, output=target)
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("companion", ["", "-wal", "-shm"])
def test_the_database_and_its_journals_are_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, companion: str
) -> None:
    database = tmp_path / "oms.db"
    database.write_bytes(b"SQLite format 3\0")
    monkeypatch.chdir(tmp_path)
    rows_read: list[object] = []

    def rows() -> Iterator[tuple[object, ...]]:
        rows_read.append(1)
        yield ("A", 1)

    with pytest.raises(InvalidInput, match="refusing to write over"):
        render(
            Listing(("sku", "qty"), rows()),
            fmt="csv",
            output=Path(f"./oms.db{companion}"),
            protected=[database],
        )
    assert database.read_bytes() == b"SQLite format 3\0"
    assert rows_read == []


def test_a_folder_is_refused_as_output(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="it is a folder"):
        render(LISTING, fmt="csv", output=tmp_path)


def test_an_unknown_extension_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"cannot tell the format of 'x\.xlsx'"):
        render(LISTING, output=tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot write"):
        render(LISTING, output=tmp_path / "missing" / "x.csv")
