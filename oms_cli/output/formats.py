"""The output formats a listing command offers, and how one is chosen."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from oms_cli.errors import InvalidInput


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"


_BY_EXTENSION: dict[str, OutputFormat] = {
    ".csv": OutputFormat.CSV,
    ".tsv": OutputFormat.TSV,
    ".tab": OutputFormat.TSV,
    ".json": OutputFormat.JSON,
    ".jsonl": OutputFormat.JSONL,
    ".ndjson": OutputFormat.JSONL,
    ".txt": OutputFormat.TABLE,
}

_CHOICES = "|".join(OutputFormat)


def resolve_format(fmt: str | None, output: Path | None, *, is_terminal: bool) -> OutputFormat:
    """The format to write: ``fmt`` if given, else the ``-o`` file's extension, else a table.

    A table is the default whether or not the stream is a terminal (``is_terminal``
    only decides how it is drawn: Rich on a terminal, plain aligned text when piped).
    Raises InvalidInput for an unknown ``fmt`` or an ``-o`` extension oms cannot read
    a format from.
    """
    if fmt is not None:
        try:
            return OutputFormat(fmt.strip().lower())
        except ValueError:
            raise InvalidInput(f"unknown format '{fmt}': give -f {_CHOICES}") from None
    if output is not None:
        by_extension = _BY_EXTENSION.get(output.suffix.lower())
        if by_extension is None:
            raise InvalidInput(
                f"cannot tell the format of '{output.name}' from its extension: "
                "give -f csv|tsv|json|jsonl"
            )
        return by_extension
    return OutputFormat.TABLE
