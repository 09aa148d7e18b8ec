"""Reading the merchant's own CSV/TSV files (catalog, stock), with line numbers.

Channel exports have their own readers in ``channels``; these files are ours, so
the rules are simple: UTF-8 (a BOM is fine), comma or tab separated, a header row,
column names matched without regard to case, spaces or underscores.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from oms_cli.errors import InputMissing, InvalidInput, NotAnExport


@dataclass(frozen=True)
class Record:
    line: int
    values: Mapping[str, str]  # normalised column name -> stripped cell

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def normalise(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def read_records(path: Path, *, aliases: Mapping[str, Sequence[str]],
                 required: Sequence[str]) -> tuple[str, list[Record]]:
    """Read ``path`` into records keyed by our column names; returns (file label, records).

    ``aliases`` maps each of our names to the headers that mean it. Raises
    InputMissing, NotAnExport (no header, not text) or InvalidInput (a required
    column absent).
    """
    label = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputMissing(f"{label}: no such file") from exc
    except OSError as exc:
        raise InputMissing(f"{label}: cannot read it ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise NotAnExport(f"{label}:{line}: not UTF-8 text (save it as CSV UTF-8)") from exc
    if "\x00" in text:
        raise NotAnExport(f"{label}: holds binary data, not a CSV file")
    return label, list(_records(label, text, aliases, required))


def _records(label: str, text: str, aliases: Mapping[str, Sequence[str]],
             required: Sequence[str]) -> Iterator[Record]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise NotAnExport(f"{label}: empty file, expected a header row")
    lookup = {normalise(alias): ours for ours, names in aliases.items()
              for alias in (ours, *names)}
    columns = [lookup.get(normalise(cell)) for cell in header]
    missing = [name for name in required if name not in columns]
    if missing:
        raise InvalidInput(f"{label}:1: missing column {', '.join(missing)} "
                           f"(columns are: {', '.join(h.strip() for h in header)})")
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        values = {col: cell.strip() for col, cell in zip(columns, row, strict=False) if col}
        yield Record(line=reader.line_num, values=values)


def parse_flag(text: str, what: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "y", "active"):
        return True
    if value in ("0", "false", "no", "n", "inactive", "draft", "archived"):
        return False
    raise InvalidInput(f"{what}: {text!r} is not yes/no")
