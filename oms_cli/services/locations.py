"""Locations: the places stock is kept and orders ship from."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from oms_cli.domain.stock import parse_quantity
from oms_cli.errors import Conflict, InvalidInput, OmsError
from oms_cli.services.lookup import location_by_code
from oms_cli.services.tabular import Record, parse_flag, read_records
from oms_cli.store.database import Database
from oms_cli.store.tables import Location, utc_now

LOCATION_KINDS = ("warehouse", "store", "3pl", "dropship")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass
class LocationChanges:
    """Fields to set on a location; None leaves a field as it is."""

    name: str | None = None
    kind: str | None = None
    priority: int | None = None
    country: str | None = None
    region: str | None = None
    ships_to: list[str] | None = None
    active: bool | None = None


def add_location(db: Database, code: str, changes: LocationChanges, *,
                 dry_run: bool = False) -> dict[str, Any]:
    """Create a location; raises Conflict if the code exists, InvalidInput for bad values."""
    with db.write(dry_run=dry_run) as session:
        return location_row(create_location(session, code, changes))


def create_location(session: Session, code: str, changes: LocationChanges) -> Location:
    if not _CODE.match(code):
        raise InvalidInput(f"location code {code!r}: use letters, digits, - _ . (up to 40)")
    if session.execute(select(Location.id).where(Location.code == code)).first():
        raise Conflict(f"location {code!r} already exists: change it with `oms location update`")
    now = utc_now()
    location = Location(code=code, name=changes.name or code, created_at=now, updated_at=now)
    _apply(location, changes)
    session.add(location)
    session.flush()
    return location


def update_location(db: Database, code: str, changes: LocationChanges, *,
                    dry_run: bool = False) -> dict[str, Any]:
    with db.write(dry_run=dry_run) as session:
        location = location_by_code(session, code)
        _apply(location, changes)
        location.updated_at = utc_now()
        session.flush()
        return location_row(location)


def ensure_locations(session: Session, wanted: Iterable[tuple[str, LocationChanges]]) -> list[str]:
    """Create the locations that don't exist yet (from the config); returns the codes made."""
    made = []
    for code, changes in wanted:
        if not session.execute(select(Location.id).where(Location.code == code)).first():
            create_location(session, code, changes)
            made.append(code)
    return made


def list_locations(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        locations = session.scalars(select(Location).order_by(Location.priority, Location.code))
        return [location_row(location) for location in locations]


def location_row(location: Location) -> dict[str, Any]:
    return {
        "code": location.code,
        "name": location.name,
        "kind": location.kind,
        "priority": location.priority,
        "country": location.country,
        "region": location.region,
        "ships_to": location.ships_to or location.country or "",
        "active": location.active,
    }


def _apply(location: Location, changes: LocationChanges) -> None:
    if changes.kind is not None and changes.kind not in LOCATION_KINDS:
        raise InvalidInput(f"kind {changes.kind!r}: one of {', '.join(LOCATION_KINDS)}")
    if changes.country is not None:
        changes.country = _country(changes.country)
    if changes.ships_to is not None:
        location.ships_to = ",".join(_country(cc) for cc in changes.ships_to if cc.strip())
    for name in ("name", "kind", "priority", "country", "region", "active"):
        value = getattr(changes, name)
        if value is not None:
            setattr(location, name, value)


def _country(code: str) -> str:
    code = code.strip().upper()
    if code == "UK":
        code = "GB"
    if not _COUNTRY.match(code):
        raise InvalidInput(f"country {code!r}: use a two-letter ISO code such as US, GB, DE")
    return code


LOCATION_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("location", "location code"),
    "name": (),
    "kind": ("type",),
    "priority": (),
    "country": ("country code",),
    "region": ("state", "province"),
    "ships_to": ("ships to",),
    "active": (),
}


def import_locations(db: Database, path: Path, *, dry_run: bool = False) -> tuple[int, int]:
    """Create or update the locations in a CSV/TSV file, all or nothing; (created, updated)."""
    label, records = read_records(path, aliases=LOCATION_HEADERS, required=("code",))
    created = updated = 0
    with db.write(dry_run=dry_run) as session:
        for record in records:
            try:
                changes = _changes_from_record(record)
                existing = session.scalars(
                    select(Location).where(Location.code == record.get("code"))).first()
                if existing is None:
                    create_location(session, record.get("code"), changes)
                    created += 1
                else:
                    _apply(existing, changes)
                    existing.updated_at = utc_now()
                    updated += 1
            except OmsError as exc:
                raise type(exc)(f"{label}:{record.line}: {exc.message}") from exc
        session.flush()
    return created, updated


def _changes_from_record(record: Record) -> LocationChanges:
    priority, active = record.get("priority"), record.get("active")
    ships_to = record.get("ships_to")
    return LocationChanges(
        name=record.get("name") or None, kind=record.get("kind") or None,
        priority=parse_quantity(priority, "priority", allow_zero=True) if priority else None,
        country=record.get("country") or None, region=record.get("region") or None,
        ships_to=ships_to.replace(";", ",").split(",") if ships_to else None,
        active=parse_flag(active, "active") if active else None)
