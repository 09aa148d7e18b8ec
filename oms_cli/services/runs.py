"""The record of every writing command: what was asked, when, and how it ended."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, update

from oms_cli.store.database import Database
from oms_cli.store.tables import Run, utc_now


def start_run(db: Database, command: str, arguments: Sequence[str]) -> int:
    """Record that a writing command started; returns the run id to stamp its changes with."""
    with db.write() as session:
        result = session.execute(insert(Run).values(
            command=command, arguments=list(arguments), started_at=utc_now()))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_run(db: Database, run_id: int, exit_code: int,
               counts: Mapping[str, Any] | None = None) -> None:
    with db.write() as session:
        session.execute(update(Run).where(Run.id == run_id).values(
            finished_at=utc_now(), exit_code=exit_code, counts=dict(counts or {})))
