"""What imports did: their history, their rejected records, and undoing one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from oms_cli.domain.lifecycle import ValidationPolicy
from oms_cli.errors import Conflict, NotFound
from oms_cli.reports.summarize import mark_placed
from oms_cli.services.order_state import cancel_order, record_event, revalidate
from oms_cli.store.database import Database
from oms_cli.store.tables import ImportRejection, ImportRun, Order, OrderEvent, utc_now

HISTORY_COLUMNS = ("run_id", "started_at", "file", "channel", "format", "status", "read",
                   "created", "updated", "unchanged", "rejected", "sha256")
ERROR_COLUMNS = ("line", "external_id", "field", "reason", "raw")


def history(db: Database, *, limit: int | None = None) -> list[tuple[Any, ...]]:
    """Every import, newest first."""
    with db.read() as session:
        query = select(ImportRun).order_by(ImportRun.id.desc())
        if limit:
            query = query.limit(limit)
        return [(r.id, r.started_at, r.file_name, r.channel, r.format, r.status, r.read,
                 r.created, r.updated, r.unchanged, r.rejected, r.sha256)
                for r in session.scalars(query)]


def rejected_records(db: Database, run_id: int) -> list[tuple[Any, ...]]:
    """The records a run rejected, in file order (ERROR_COLUMNS)."""
    with db.read() as session:
        _run(session, run_id)
        rows = session.execute(
            select(ImportRejection.line, ImportRejection.external_id, ImportRejection.field,
                   ImportRejection.reason, ImportRejection.raw)
            .where(ImportRejection.import_run_id == run_id).order_by(ImportRejection.line))
        return [tuple(row) for row in rows]


def write_rejects(db: Database, run_id: int, target: Path) -> int:
    """Write a run's rejected records as a file to fix and import again; returns how many.

    Table exports get their original header line and the records' own text, so the
    file is read the same way as the original; JSON exports get ``{"orders": [...]}``.
    Refuses to overwrite an existing file.
    """
    with db.read() as session:
        run = _run(session, run_id)
        raws = list(session.scalars(select(ImportRejection.raw)
                                    .where(ImportRejection.import_run_id == run_id)
                                    .order_by(ImportRejection.line)))
    if target.exists():
        raise Conflict(f"{target}: already exists; choose another name")
    if run.header is None:
        documents = [json.loads(raw) if raw.strip().startswith("{") else raw for raw in raws]
        target.write_text(json.dumps({"orders": documents}, indent=2) + "\n", encoding="utf-8")
    else:
        body = "".join(raw if raw.endswith("\n") else raw + "\n" for raw in raws)
        target.write_text(run.header + "\n" + body, encoding="utf-8")
    return len(raws)


@dataclass(frozen=True)
class UndoResult:
    run_id: int
    cancelled: int  # orders the run had created
    reverted: int  # orders the run had updated, set back
    kept: int  # orders the run created that have since shipped: left as they are


def undo(db: Database, run_id: int, *, policy: ValidationPolicy, run: int | None = None,
         dry_run: bool = False) -> UndoResult:
    """Reverse an import through events, not deletion.

    Orders it created are cancelled (their reservations released) unless they have
    shipped since; orders it updated get their previous values back. The run is
    marked undone. Raises Conflict for a run already undone.
    """
    with db.write(dry_run=dry_run) as session:
        record = _run(session, run_id)
        if record.status == "undone":
            raise Conflict(f"import run {run_id} was already undone at {record.undone_at}")
        cancelled = kept = 0
        for order in session.scalars(select(Order).where(Order.import_run_id == run_id)):
            if order.status in ("shipped", "partially_shipped", "returned",
                                "partially_returned", "cancelled"):
                kept += order.status != "cancelled"
                continue
            cancel_order(session, order, reason="import_undone", run_id=run)
            record_event(session, order.id or 0, "import_undone", run_id=run,
                         detail={"run": run_id})
            cancelled += 1
        reverted = _revert_updates(session, record, policy, run)
        session.execute(update(ImportRun).where(ImportRun.id == run_id)
                        .values(status="undone", undone_at=utc_now()))
        return UndoResult(run_id, cancelled, reverted, kept)


_REVERTIBLE = ("financial_status", "refunded", "raw_status", "ship_name", "ship_company",
               "ship_line1", "ship_line2", "ship_city", "ship_region", "ship_postcode",
               "ship_country", "ship_phone", "subtotal", "shipping", "tax", "discount", "total")


def _revert_updates(session: Session, record: ImportRun, policy: ValidationPolicy,
                    run: int | None) -> int:
    """Set back what the run's "updated" events changed, newest first.

    Writers take turns, so the run's events are the "updated" ones written while it
    ran; the run id in each event's detail makes sure of it.
    """
    run_id = record.id
    written = [OrderEvent.type == "updated", OrderEvent.at >= record.started_at]
    if record.finished_at is not None:
        written.append(OrderEvent.at <= record.finished_at)
    events = session.execute(select(OrderEvent.order_id, OrderEvent.detail)
                             .where(*written)
                             .order_by(OrderEvent.id.desc())).all()
    reverted = 0
    for order_id, detail in events:
        if not detail or detail.get("run") != run_id:
            continue
        order = session.get(Order, order_id)
        assert order is not None
        previous = {name: old for name, (old, _new) in detail.get("changes", {}).items()
                    if name in _REVERTIBLE}
        mark_placed(session, [order.placed_at], [order.customer_id])
        for name, value in previous.items():
            setattr(order, name, value)
        record_event(session, order_id, "update_undone", run_id=run,
                     detail={"run": run_id, "restored": previous})
        revalidate(session, order, policy, run_id=run)
        reverted += 1
    return reverted


def _run(session: Session, run_id: int) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(f"no import run {run_id}: see `oms import history`")
    return run
