"""Stock use cases: receive, adjust, count, transfer, damage, import.

Each is one write transaction that goes through the ledger (``move_stock``) and
returns what changed, so the command can say it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import exists, select
from sqlmodel import Session

from oms_cli.domain.stock import (
    MovementReason,
    StockLevel,
    count_to,
    parse_quantity,
    require_count,
    require_positive,
)
from oms_cli.errors import InvalidInput, OmsError
from oms_cli.services.ledger import Movement, current_level, move_stock
from oms_cli.services.lookup import default_location, location_by_code, product_by_sku
from oms_cli.services.reservations import release_newest
from oms_cli.services.tabular import Record, read_records
from oms_cli.store.database import Database
from oms_cli.store.tables import BundleComponent, Location, Product


@dataclass(frozen=True)
class StockChange:
    sku: str
    location: str
    reason: str
    quantity: int  # signed change of on_hand
    before: StockLevel
    after: StockLevel
    released: int = 0  # reservations given back because a count found fewer units


@dataclass(frozen=True)
class StockImportResult:
    file: str
    rows: int
    received: int  # units added by `quantity` rows
    counted: int  # rows that set on_hand


def receive(db: Database, sku: str, quantity: int, location: str | None = None, *,
            reference: str | None = None, note: str | None = None, run_id: int | None = None,
            dry_run: bool = False) -> StockChange:
    """Add ``quantity`` units that arrived at ``location``."""
    require_positive(quantity)
    with db.write(dry_run=dry_run) as session:
        product, place = _target(session, sku, location)
        return _move(session, product, place, quantity, MovementReason.RECEIVE,
                     reference=reference, note=note, run_id=run_id)


def adjust(db: Database, sku: str, by: int, location: str | None = None, *, reason: str,
           damaged: bool = False, reference: str | None = None, run_id: int | None = None,
           dry_run: bool = False) -> StockChange:
    """Change on_hand by a signed amount, with the merchant's reason as the note.

    With ``damaged`` the change applies to damaged units (a write-off of broken
    stock, or damaged units found). Raises Conflict when it would remove reserved units.
    """
    if by == 0:
        raise InvalidInput("--by must not be zero")
    if not reason or not reason.strip():
        raise InvalidInput("an adjustment needs a --reason (it goes into the ledger)")
    with db.write(dry_run=dry_run) as session:
        product, place = _target(session, sku, location)
        return _move(session, product, place, by, MovementReason.ADJUST,
                     damaged=by if damaged else 0, reference=reference, note=reason.strip(),
                     run_id=run_id)


def count(db: Database, sku: str, counted: int, location: str | None = None, *,
          note: str | None = None, run_id: int | None = None,
          dry_run: bool = False) -> StockChange:
    """Set on_hand to what a physical count found."""
    require_count(counted)
    with db.write(dry_run=dry_run) as session:
        product, place = _target(session, sku, location)
        return _count(session, product, place, counted, note=note, run_id=run_id)


def damage(db: Database, sku: str, quantity: int, location: str | None = None, *,
           note: str | None = None, run_id: int | None = None,
           dry_run: bool = False) -> StockChange:
    """Mark ``quantity`` free units as damaged: still on hand, no longer sellable."""
    require_positive(quantity)
    with db.write(dry_run=dry_run) as session:
        product, place = _target(session, sku, location)
        return _move(session, product, place, 0, MovementReason.DAMAGE, damaged=quantity,
                     note=note, run_id=run_id)


def transfer(db: Database, sku: str, quantity: int, source: str, target: str, *,
             note: str | None = None, run_id: int | None = None,
             dry_run: bool = False) -> tuple[StockChange, StockChange]:
    """Move free units between locations: two ledger movements in one transaction."""
    require_positive(quantity)
    if source == target:
        raise InvalidInput("--from and --to are the same location")
    with db.write(dry_run=dry_run) as session:
        product, origin = _target(session, sku, source)
        destination = location_by_code(session, target)
        reference = f"transfer {origin.code}->{destination.code}"
        out = _move(session, product, origin, -quantity, MovementReason.TRANSFER,
                    reference=reference, note=note, run_id=run_id)
        into = _move(session, product, destination, quantity, MovementReason.TRANSFER,
                     reference=reference, note=note, run_id=run_id)
        return out, into


STOCK_HEADERS: dict[str, tuple[str, ...]] = {
    "sku": ("variant sku", "item sku"),
    "location": ("location code", "warehouse"),
    "quantity": ("qty", "receive", "received", "units"),
    "on_hand": ("count", "counted", "on hand", "stock"),
    "reference": ("ref", "po", "purchase order"),
    "note": ("notes", "comment"),
}


def import_stock(db: Database, path: Path, *, run_id: int | None = None,
                 dry_run: bool = False) -> StockImportResult:
    """Apply a stock file, all or nothing.

    Each row names a sku, a location (may be left out when there is only one) and
    either ``quantity`` (units received, added) or ``on_hand`` (a count, set).
    Raises InvalidInput naming file, line and field of the first bad row.
    """
    label, records = read_records(path, aliases=STOCK_HEADERS, required=("sku",))
    received = counted = 0
    with db.write(dry_run=dry_run) as session:
        for record in records:
            where = f"{label}:{record.line}"
            try:
                change = _import_row(session, record, label, run_id)
            except OmsError as exc:
                raise type(exc)(f"{where}: {exc.message}") from exc
            if change.reason == MovementReason.COUNT:
                counted += 1
            else:
                received += change.quantity
    return StockImportResult(file=label, rows=len(records), received=received, counted=counted)


def _import_row(session: Session, record: Record, label: str, run_id: int | None) -> StockChange:
    product, place = _target(session, record.get("sku"), record.get("location") or None)
    quantity, on_hand = record.get("quantity"), record.get("on_hand")
    if bool(quantity) == bool(on_hand):
        raise InvalidInput("give either quantity (received) or on_hand (counted)")
    reference = record.get("reference") or f"import {Path(label).name}"
    note = record.get("note") or None
    if on_hand:
        counted = parse_quantity(on_hand, "on_hand", allow_zero=True)
        return _count(session, product, place, counted, note=note, run_id=run_id,
                      reference=reference)
    units = parse_quantity(quantity, "quantity")
    return _move(session, product, place, units, MovementReason.RECEIVE, reference=reference,
                 note=note, run_id=run_id)


def _target(session: Session, sku: str, location: str | None) -> tuple[Product, Location]:
    product = product_by_sku(session, sku)
    if session.execute(select(exists().where(BundleComponent.bundle_id == product.id))).scalar():
        raise InvalidInput(f"{sku} is a bundle: it has no stock of its own; "
                           "move its components instead")
    place = location_by_code(session, location) if location else default_location(session)
    return product, place


def _count(session: Session, product: Product, place: Location, counted: int, *,
           note: str | None, run_id: int | None, reference: str | None = None) -> StockChange:
    assert product.id is not None and place.id is not None
    before = current_level(session, product.id, place.id)
    result = count_to(before, counted)
    released = 0
    if result.release:
        released = release_newest(session, product.id, place.id, result.release, run_id=run_id)
        before = current_level(session, product.id, place.id)
    change = _move(session, product, place, result.quantity, MovementReason.COUNT,
                   damaged=result.damaged, reference=reference, note=note, run_id=run_id,
                   before=before)
    return replace(change, released=released)


def _move(session: Session, product: Product, place: Location, quantity: int,
          reason: MovementReason, *, damaged: int = 0, reference: str | None = None,
          note: str | None = None, run_id: int | None = None,
          before: StockLevel | None = None) -> StockChange:
    assert product.id is not None and place.id is not None
    if before is None:
        before = current_level(session, product.id, place.id)
    what = f"{product.sku} at {place.code}"
    if quantity == 0 and damaged == 0 and reason != MovementReason.COUNT:
        after = before  # nothing to record; a count that confirms stock is still recorded
    else:
        movement = Movement(product.id, place.id, quantity, reason, damaged, reference, note)
        after = move_stock(session, movement, what=what, run_id=run_id)
    return StockChange(sku=product.sku, location=place.code, reason=reason.value,
                       quantity=quantity, before=before, after=after)
