"""Importing channel exports: one file, one transaction, nothing lost.

The file is streamed: its format is detected from the first bytes, records are
parsed one by one and written in batches, and its sha256 is computed on the way.
Every rejected record is kept in import_error with its line, reason and text.
"""

from __future__ import annotations

import gc
import hashlib
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import insert, update

from oms_cli.channels import ParseOptions, detect, get_format
from oms_cli.channels.base import ChannelFormat
from oms_cli.channels.text import replay
from oms_cli.domain.lifecycle import ValidationPolicy
from oms_cli.domain.orders import ParsedOrder, RejectedRecord
from oms_cli.errors import InputMissing, InvalidInput, NotAnExport
from oms_cli.services.order_intake import OrderIntake
from oms_cli.store.bulk import collector_paused
from oms_cli.store.database import Database
from oms_cli.store.tables import ImportRejection, ImportRun, utc_now

if TYPE_CHECKING:
    from oms_cli.config import Config

BATCH_ORDERS = 1000
HEAD_BYTES = 64 * 1024
STDIN = "-"


@dataclass(frozen=True)
class ChannelSetup:
    """What the config says of a sales channel (see ``config.ChannelConfig``)."""

    platform: str
    format: str | None = None
    currency: str | None = None
    column_map: Mapping[str, str] = field(default_factory=dict)
    date_format: str | None = None
    delimiter: str | None = None
    json_records: str | None = None


@dataclass(frozen=True)
class ImportSettings:
    currency: str = "USD"
    timezone: str = "UTC"
    policy: ValidationPolicy = field(default_factory=ValidationPolicy)
    channels: Mapping[str, ChannelSetup] = field(default_factory=dict)


@dataclass
class ImportSummary:
    run_id: int | None
    file: str
    channel: str
    format: str
    sha256: str = ""
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[RejectedRecord] = field(default_factory=list)  # the first few, for messages
    dry_run: bool = False

    COLUMNS = ("run_id", "file", "channel", "format", "read", "created", "updated",
               "unchanged", "rejected")

    def row(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.COLUMNS)


def import_file(db: Database, source: str, *, settings: ImportSettings,
                channel: str | None = None, format_name: str | None = None,
                strict: bool = False, dry_run: bool = False, run_id: int | None = None,
                progress: Callable[[int, int | None], None] | None = None,
                stdin: BinaryIO | None = None) -> ImportSummary:
    """Import one export (a path, or ``-`` for stdin) in one write transaction.

    Raises InputMissing for a missing file, NotAnExport when no format fits,
    InvalidInput when ``strict`` and a record is bad (nothing is imported then).
    ``progress`` is called with (bytes read, total bytes or None).
    """
    label = "<stdin>" if source == STDIN else source
    with _opened(source, stdin) as (stream, total):
        head = stream.read(HEAD_BYTES)
        chosen, name, options = _choose(head, Path(label).name, channel, format_name, settings)
        reader = _HashingReader(replay(head, stream), total, progress)
        summary = ImportSummary(run_id=None, file=label, channel=name, format=chosen.name,
                                dry_run=dry_run)
        with db.write(dry_run=dry_run) as session:
            run = ImportRun(file_name=label, sha256="", channel=name, format=chosen.name,
                            header=_header_line(head), started_at=utc_now())
            session.add(run)
            session.flush()
            summary.run_id = run.id
            intake = OrderIntake(session, channel=name, policy=settings.policy,
                                 import_run_id=run.id, run_id=run_id)
            with collector_paused():  # records make no reference cycles: see store.bulk
                for batch, rejects in _batches(_located(chosen.parse(reader, options), label)):
                    summary.read += len(batch) + len(rejects)
                    if batch:
                        intake.take(batch)
                    if rejects:
                        _keep_rejects(session, run.id or 0, rejects, summary)
                    _free_batch_cycles()
            reader.drain()
            summary.sha256 = reader.hexdigest()
            summary.created = intake.counts.created
            summary.updated = intake.counts.updated
            summary.unchanged = intake.counts.unchanged
            if strict and summary.rejected:
                first = summary.rejects[0]
                raise InvalidInput(f"{label}:{first.line}: {first.reason} ({summary.rejected} "
                                   "bad record(s); --strict: nothing was imported)")
            session.execute(update(ImportRun).where(ImportRun.id == run.id).values(
                sha256=summary.sha256, size=reader.bytes_read, status="done",
                finished_at=utc_now(), read=summary.read, created=summary.created,
                updated=summary.updated, unchanged=summary.unchanged,
                rejected=summary.rejected))
    if summary.created and not dry_run:
        db.refresh_statistics()
    return summary


def check_format(name: str) -> None:
    """Raise InvalidInput, listing the known ones, unless ``name`` is a format oms reads."""
    get_format(name)


def _choose(head: bytes, filename: str, channel: str | None, format_name: str | None,
            settings: ImportSettings) -> tuple[ChannelFormat, str, ParseOptions]:
    """The format to read the file with, the channel it belongs to, and parse options."""
    setup = settings.channels.get(channel) if channel else None
    options = ParseOptions(
        default_currency=(setup.currency if setup and setup.currency else settings.currency),
        timezone=settings.timezone,
        column_map=dict(setup.column_map) if setup else {},
        date_format=setup.date_format if setup else None,
        delimiter=setup.delimiter if setup else None,
        json_records=setup.json_records if setup else None,
    )
    wanted = format_name or (setup.format if setup else None)
    if wanted is None and setup is not None and setup.platform == "custom":
        wanted = "custom"
    chosen = get_format(wanted) if wanted else detect(head, filename, options=options)
    name = (channel or chosen.platform).strip().lower()
    if setup and setup.platform not in ("custom", chosen.platform):
        raise InvalidInput(f"{filename}: looks like {chosen.title}, but channel {name!r} is "
                           f"configured as {setup.platform}: check --channel")
    if chosen.name == "custom" and not options.column_map:
        raise InvalidInput(f"{filename}: the custom format needs a column map: add "
                           f"channels.{name}.columns to the config")
    return chosen, name, options


def _free_batch_cycles() -> None:
    """Free the reference cycles a batch leaves (SQLAlchemy's statements make some).

    The collector is paused for the whole file; without this they, and the
    thousand order ids each look-up holds, would pile up until the end. Only the
    youngest generation is looked at: what the batch made and still holds.
    """
    gc.collect(0)


def _batches(parsed: Iterator[ParsedOrder | RejectedRecord],
             ) -> Iterator[tuple[list[ParsedOrder], list[RejectedRecord]]]:
    """Group records into batches of distinct orders (a repeated id starts a new batch)."""
    batch: dict[str, ParsedOrder] = {}
    rejects: list[RejectedRecord] = []
    for record in parsed:
        if isinstance(record, RejectedRecord):
            rejects.append(record)
            continue
        if record.external_id in batch or len(batch) >= BATCH_ORDERS:
            yield list(batch.values()), rejects
            batch, rejects = {}, []
        batch[record.external_id] = record
    if batch or rejects:
        yield list(batch.values()), rejects


def _located(parsed: Iterator[ParsedOrder | RejectedRecord], label: str,
             ) -> Iterator[ParsedOrder | RejectedRecord]:
    """Name the file in errors a parser raises part way: it knows only the line."""
    try:
        yield from parsed
    except NotAnExport as exc:
        if exc.where:
            raise
        raise NotAnExport(exc.message, where=label) from exc


def _keep_rejects(session: object, run_id: int, rejects: list[RejectedRecord],
                  summary: ImportSummary) -> None:
    session.execute(insert(ImportRejection), [  # type: ignore[attr-defined]
        {"import_run_id": run_id, "line": r.line, "field": r.field, "reason": r.reason,
         "raw": r.raw, "external_id": r.external_id} for r in rejects])
    summary.rejected += len(rejects)
    summary.rejects.extend(rejects[: max(0, 5 - len(summary.rejects))])


def _header_line(head: bytes) -> str | None:
    """The first non-blank line of a table file (to write rejects back re-importable)."""
    text = head.decode("utf-8-sig", errors="replace").lstrip("\r\n ,")
    if text.startswith(("{", "[")):
        return None
    return text.splitlines()[0] if text else None


class _opened:
    """Open a path (or stdin) as a binary stream, with its size when known."""

    def __init__(self, source: str, stdin: BinaryIO | None) -> None:
        self.source, self.stdin = source, stdin
        self.file: BinaryIO | None = None

    def __enter__(self) -> tuple[BinaryIO, int | None]:
        if self.source == STDIN:
            return (self.stdin or sys.stdin.buffer), None
        path = Path(self.source)
        try:
            self.file = path.open("rb")
        except FileNotFoundError:
            raise InputMissing(f"{self.source}: no such file") from None
        except IsADirectoryError:
            raise InputMissing(f"{self.source}: is a folder, not a file") from None
        except OSError as exc:
            raise InputMissing(f"{self.source}: cannot read it ({exc.strerror})") from None
        return self.file, path.stat().st_size

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()


class _HashingReader:
    """Reads through a stream, hashing and counting bytes, reporting progress."""

    def __init__(self, stream: BinaryIO, total: int | None,
                 progress: Callable[[int, int | None], None] | None) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self._total = total
        self._progress = progress
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._hash.update(data)
        self.bytes_read += len(data)
        if self._progress is not None:
            self._progress(self.bytes_read, self._total)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def drain(self) -> None:
        """Read what the parser left (a footer), so the hash covers the whole file."""
        while self.read(HEAD_BYTES):
            pass

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def settings_from(config: Config) -> ImportSettings:
    """The parts of the config an import needs."""
    validation = config.validation
    policy = ValidationPolicy(
        accepted_financial_statuses=frozenset(str(s) for s in
                                              validation.accepted_financial_statuses),
        max_risk=validation.max_risk, require_address=validation.require_address,
        hold_test_orders=validation.hold_test_orders)
    channels = {
        name: ChannelSetup(platform=entry.platform, format=entry.format,
                           currency=entry.currency, column_map=dict(entry.columns),
                           date_format=entry.date_format, delimiter=entry.delimiter,
                           json_records=entry.json_records)
        for name, entry in config.channels.items()
    }
    return ImportSettings(currency=config.currency, timezone=config.timezone, policy=policy,
                          channels=channels)
