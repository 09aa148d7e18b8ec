"""`oms sync`, the cron entry point: import every file in the inbox, file it away, allocate.

Files are taken in name order. Each is imported in its own transaction and then
moved to ``archive/`` (or to ``failed/`` beside a ``.errors.txt`` that says why),
so no file is ever read twice. Two overlapping runs are kept apart by a lock on
the inbox; the second gets DatabaseBusy (exit 75).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from oms_cli.domain.allocation import Policy
from oms_cli.errors import ConfigError, DatabaseBusy, OmsError
from oms_cli.services.allocation import AllocationResult, allocate
from oms_cli.services.importing import ImportSettings, ImportSummary, import_file
from oms_cli.store.database import Database

LOCK_NAME = ".oms-sync.lock"


@dataclass(frozen=True)
class InboxPlaces:
    inbox: Path
    archive: Path
    failed: Path

    @classmethod
    def of(cls, path: str | None, archive: str, failed: str) -> InboxPlaces:
        if not path:
            raise ConfigError("inbox.path is not set: say which folder `oms sync` reads "
                              "(config key inbox.path or OMS_INBOX__PATH)")
        inbox = Path(path).expanduser()
        if not inbox.is_dir():
            raise ConfigError(f"inbox.path: {inbox} is not a folder")
        return cls(inbox, inbox / archive, inbox / failed)


@dataclass
class FileOutcome:
    file: str
    moved_to: Path
    summary: ImportSummary | None = None
    error: str | None = None


@dataclass
class SyncResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    allocation: AllocationResult | None = None

    @property
    def needs_attention(self) -> bool:
        return any(o.error or (o.summary and o.summary.rejected) for o in self.outcomes)


def sync(db: Database, places: InboxPlaces, *, settings: ImportSettings, policy: Policy,
         run_id: int | None = None) -> SyncResult:
    """Import every waiting file of the inbox, move it out of the way, then allocate
    every waiting order (new ones and backorders that stock may now cover)."""
    result = SyncResult()
    with inbox_lock(places.inbox):
        for path in waiting_files(places):
            result.outcomes.append(_take(db, path, places, settings, run_id))
        result.allocation = allocate(db, policy=policy, validation=settings.policy,
                                     run_id=run_id)
    return result


def waiting_files(places: InboxPlaces) -> list[Path]:
    """Files in the inbox itself (not its sub-folders), in name order; dot-files skipped."""
    return sorted(p for p in places.inbox.iterdir()
                  if p.is_file() and not p.name.startswith("."))


def _take(db: Database, path: Path, places: InboxPlaces, settings: ImportSettings,
          run_id: int | None) -> FileOutcome:
    try:
        summary = import_file(db, str(path), settings=settings, run_id=run_id)
    except DatabaseBusy:
        raise  # leave the file where it is for the next run
    except OmsError as exc:
        moved = _move(path, places.failed)
        moved.with_name(moved.name + ".errors.txt").write_text(f"{exc}\n", encoding="utf-8")
        return FileOutcome(path.name, moved, error=str(exc))
    return FileOutcome(path.name, _move(path, places.archive), summary=summary)


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` without overwriting an earlier file of the same name."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.move(str(path), target)
    return target


@contextmanager
def inbox_lock(inbox: Path) -> Iterator[None]:
    """Hold the inbox's lock for the block; raise DatabaseBusy if another run has it."""
    lock_path = inbox / LOCK_NAME
    handle = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if not _try_lock(handle):
            raise DatabaseBusy(f"another `oms sync` is running (lock {lock_path}); retry later")
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _try_lock(handle: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
