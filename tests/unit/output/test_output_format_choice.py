from pathlib import Path

import pytest

from oms_cli.errors import InvalidInput
from oms_cli.output import OutputFormat, resolve_format


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("out.csv", "csv"),
        ("out.tsv", "tsv"),
        ("out.tab", "tsv"),
        ("out.json", "json"),
        ("out.jsonl", "jsonl"),
        ("out.ndjson", "jsonl"),
        ("out.txt", "table"),
        ("OUT.CSV", "csv"),
    ],
)
def test_the_output_file_extension_chooses_the_format(name: str, expected: str) -> None:
    assert resolve_format(None, Path(name), is_terminal=False) == expected


def test_an_explicit_format_wins_over_the_extension() -> None:
    assert resolve_format("json", Path("sales.csv"), is_terminal=True) is OutputFormat.JSON


def test_without_format_or_file_the_default_is_a_table_piped_or_not() -> None:
    assert resolve_format(None, None, is_terminal=True) == "table"
    assert resolve_format(None, None, is_terminal=False) == "table"


def test_an_unknown_extension_without_a_format_is_refused_with_advice() -> None:
    with pytest.raises(InvalidInput, match=r"cannot tell the format of 'x.xlsx'.*-f csv"):
        resolve_format(None, Path("reports/x.xlsx"), is_terminal=False)


def test_an_unknown_extension_is_fine_when_the_format_is_given() -> None:
    assert resolve_format("csv", Path("x.xlsx"), is_terminal=False) == "csv"


def test_an_unknown_format_name_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown format 'xml'"):
        resolve_format("xml", None, is_terminal=False)


def test_format_names_are_the_five_the_design_names() -> None:
    assert [str(member) for member in OutputFormat] == ["table", "csv", "tsv", "json", "jsonl"]
