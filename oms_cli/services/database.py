"""Looking after the database itself: open, check, back up, upgrade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, insert, select, text, update
from sqlmodel import Session, col

from oms_cli.errors import Conflict, NotFound
from oms_cli.reports import summarize, summary
from oms_cli.store import backup as store_backup
from oms_cli.store import schema
from oms_cli.store.database import Database, connect
from oms_cli.store.engine import sqlite_path
from oms_cli.store.tables import (
    Allocation,
    Location,
    OrderLine,
    Product,
    StockLevel,
    StockMovement,
    utc_now,
)


@dataclass(frozen=True)
class Opened:
    db: Database
    report: schema.SchemaReport


@dataclass(frozen=True)
class Drift:
    """One place where a cached figure disagrees with what it is derived from."""

    kind: str  # on_hand | damaged | reserved | line_allocated | summary | integrity
    subject: str  # sku@location, order line id, summary day, or the check that failed
    stored: int | None
    expected: int | None
    detail: str = ""


DRIFT_COLUMNS = ("kind", "subject", "stored", "expected", "detail")
REPAIR_REFERENCE = "db check --repair"


def open_database(location: str, *, busy_timeout: float, upgrade: bool = True) -> Opened:
    """Connect and bring the schema to the current version (creating or upgrading it)."""
    db = connect(location, busy_timeout=busy_timeout)
    try:
        report = schema.ensure_schema(db, upgrade=upgrade)
    except BaseException:
        db.close()
        raise
    return Opened(db, report)


def database_file(location: str) -> Path | None:
    """The SQLite file behind ``location`` (a path or URL), or None for a server database."""
    return sqlite_path(location)


def open_existing(location: str, *, busy_timeout: float) -> Database:
    """Connect to a database that must already exist (for check and backup)."""
    path = sqlite_path(location)
    if path is not None and not path.exists():
        raise NotFound(f"no database at {path}: create one with `oms init`")
    db = connect(location, busy_timeout=busy_timeout)
    schema.ensure_usable(db)
    return db


def upgrade(location: str, *, busy_timeout: float) -> schema.SchemaReport:
    db = open_existing_any_version(location, busy_timeout=busy_timeout)
    try:
        return schema.upgrade_schema(db)
    finally:
        db.close()


def open_existing_any_version(location: str, *, busy_timeout: float) -> Database:
    path = sqlite_path(location)
    if path is not None and not path.exists():
        raise NotFound(f"no database at {path}: create one with `oms init`")
    return connect(location, busy_timeout=busy_timeout)


def backup(db: Database, target: Path) -> Path:
    return store_backup.backup_database(db, target)


def check(db: Database) -> list[Drift]:
    """Recompute every cached figure from its source and list where they disagree.

    on_hand and damaged come from the ledger, reserved from open allocations, a
    line's allocated units from its open allocations. On SQLite the file's own
    integrity and foreign keys are checked too. An empty list means all is well.
    """
    with db.read() as session:
        drifts = _engine_checks(db, session)
        drifts += _level_drift(session)
        drifts += _line_drift(session)
        drifts += _summary_drift(session)
        return drifts


def keep_summaries(db: Database, timezone: str) -> int | None:
    """Build the report summaries in ``timezone``'s days unless they are kept so already
    (a new database, one from an older oms, or a new configured time zone), or only the
    shipped summary when the others are (an upgrade from before it); returns the days
    summarised, None when they were kept already."""
    with db.read() as session:
        if summary.kept_in(session, timezone) and summary.shipped_kept(session):
            return None
    with db.write() as session:
        if not summary.kept_in(session, timezone):
            days = summarize.build(session, timezone)
        elif not summary.shipped_kept(session):
            days = summarize.build_shipped(session)
        else:  # another command built them meanwhile
            return None
    db.refresh_statistics()  # the planner learns the new tables' sizes
    return days


def build_summaries(db: Database, timezone: str) -> int:
    """Build the report summaries afresh in ``timezone``'s days; returns the days."""
    with db.write() as session:
        days = summarize.build(session, timezone)
    db.refresh_statistics()
    return days


def _summary_drift(session: Any) -> list[Drift]:
    return [Drift("summary", f"day {day.isoformat()}", None, None,
                  "the report summaries differ from the orders of the day")
            for day in summarize.drifted_days(session)] + [
        Drift("summary", f"customer {customer}", None, None,
              "the customer's order history differs from their orders")
        for customer in summarize.drifted_customers(session)]


def repair(db: Database, *, run_id: int | None = None, dry_run: bool = False) -> list[Drift]:
    """Bring every cached figure back in line without editing history; returns what it fixed.

    The ledger is append-only, so where on_hand or damaged disagrees with it the level
    (what every command has been using) is kept and the ledger gets a compensating
    ``adjust`` movement for the difference, referenced ``db check --repair``. Reserved
    units and a line's allocated units are recomputed from the open allocations, which
    are their record. Integrity problems are not repaired (restore a backup). Raises
    Conflict, nothing changed, when the recomputed reservations would exceed on_hand.
    """
    with db.write(dry_run=dry_run) as session:
        fixed = [drift for drift in _level_drift(session) + _line_drift(session)
                 if _repair_one(session, drift, run_id)]
        summary_drift = _summary_drift(session)
        summarize.summarise_again(
            session, [date.fromisoformat(drift.subject.removeprefix("day "))
                      for drift in summary_drift if drift.subject.startswith("day ")],
            [int(drift.subject.removeprefix("customer ")) for drift in summary_drift
             if drift.subject.startswith("customer ")])
        fixed += summary_drift
        session.flush()
        left = _level_drift(session) + _line_drift(session)
        if left:
            raise Conflict(f"cannot repair {left[0].subject}: {left[0].kind} would be "
                           f"{left[0].expected}, beyond what is on hand; count the stock first")
    return fixed


def _repair_one(session: Session, drift: Drift, run_id: int | None) -> bool:
    if drift.kind == "line_allocated":
        line_id = int(drift.subject.removeprefix("order_line#"))
        session.execute(update(OrderLine).where(col(OrderLine.id) == line_id)
                        .values(allocated=drift.expected))
        return True
    product_id, location_id = _ids(session, drift.subject)
    if drift.kind == "reserved":
        session.execute(update(StockLevel).where(col(StockLevel.product_id) == product_id,
                                                 col(StockLevel.location_id) == location_id)
                        .values(reserved=drift.expected))
        return True
    difference = (drift.stored or 0) - (drift.expected or 0)
    session.execute(insert(StockMovement).values(
        product_id=product_id, location_id=location_id, reason="adjust",
        quantity=difference if drift.kind == "on_hand" else 0,
        damaged=difference if drift.kind == "damaged" else 0,
        reference=REPAIR_REFERENCE, at=utc_now(), run_id=run_id,
        note=f"the level said {drift.stored}, the ledger {drift.expected}"))
    return True


def _ids(session: Session, subject: str) -> tuple[int, int]:
    sku, _, code = subject.rpartition("@")
    product_id = session.execute(select(col(Product.id))
                                 .where(col(Product.sku) == sku)).scalar_one()
    location_id = session.execute(select(col(Location.id))
                                  .where(col(Location.code) == code)).scalar_one()
    return product_id, location_id


def _engine_checks(db: Database, session: Any) -> list[Drift]:
    if db.dialect != "sqlite":
        return []
    drifts = []
    result = session.execute(text("PRAGMA integrity_check")).scalars().all()
    if result != ["ok"]:
        drifts += [Drift("integrity", "integrity_check", None, None, line) for line in result]
    for table, rowid, parent, _fk in session.execute(text("PRAGMA foreign_key_check")):
        drifts.append(Drift("integrity", f"{table}#{rowid}", None, None,
                            f"points at a missing {parent} row"))
    return drifts


def _level_drift(session: Any) -> list[Drift]:
    ledger = (select(StockMovement.product_id, StockMovement.location_id,
                     func.sum(StockMovement.quantity).label("on_hand"),
                     func.sum(StockMovement.damaged).label("damaged"))
              .group_by(StockMovement.product_id, StockMovement.location_id)).subquery()
    reserved = (select(Allocation.product_id, Allocation.location_id,
                       func.sum(Allocation.quantity).label("reserved"))
                .where(Allocation.status == "open")
                .group_by(Allocation.product_id, Allocation.location_id)).subquery()
    # Every (product, location) that has a level, a movement or an open allocation.
    keys = (select(StockLevel.product_id, StockLevel.location_id)
            .union(select(ledger.c.product_id, ledger.c.location_id),
                   select(reserved.c.product_id, reserved.c.location_id))).subquery()
    joined = (
        select(Product.sku, Location.code,
               func.coalesce(StockLevel.on_hand, 0), func.coalesce(ledger.c.on_hand, 0),
               func.coalesce(StockLevel.damaged, 0), func.coalesce(ledger.c.damaged, 0),
               func.coalesce(StockLevel.reserved, 0), func.coalesce(reserved.c.reserved, 0))
        .select_from(keys)
        .join(Product, Product.id == keys.c.product_id)
        .join(Location, Location.id == keys.c.location_id)
        .outerjoin(StockLevel, and_(StockLevel.product_id == keys.c.product_id,
                                    StockLevel.location_id == keys.c.location_id))
        .outerjoin(ledger, and_(ledger.c.product_id == keys.c.product_id,
                                ledger.c.location_id == keys.c.location_id))
        .outerjoin(reserved, and_(reserved.c.product_id == keys.c.product_id,
                                  reserved.c.location_id == keys.c.location_id))
        .order_by(Product.sku, Location.code))
    drifts = []
    for sku, code, on_hand, l_on_hand, damaged, l_damaged, held, l_held in session.execute(joined):
        subject = f"{sku}@{code}"
        for kind, stored, expected, source in (
            ("on_hand", on_hand, l_on_hand, "the ledger says"),
            ("damaged", damaged, l_damaged, "the ledger says"),
            ("reserved", held, l_held, "open allocations say"),
        ):
            if stored != expected:
                drifts.append(Drift(kind, subject, stored, expected, f"{source} {expected}"))
    return drifts


def _line_drift(session: Any) -> list[Drift]:
    open_units = (select(Allocation.order_line_id, func.sum(Allocation.line_units).label("units"))
                  .where(Allocation.status == "open")
                  .group_by(Allocation.order_line_id)).subquery()
    expected = func.coalesce(open_units.c.units, 0)
    rows = session.execute(
        select(OrderLine.id, OrderLine.allocated, expected)
        .outerjoin(open_units, open_units.c.order_line_id == OrderLine.id)
        .where(OrderLine.allocated != expected)
        .order_by(OrderLine.id))
    return [Drift("line_allocated", f"order_line#{line_id}", stored, want,
                  f"open allocations say {want}") for line_id, stored, want in rows]
