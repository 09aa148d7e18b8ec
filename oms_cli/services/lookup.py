"""Finding the rows a command names, with errors that say what was not found."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from oms_cli.errors import NotFound
from oms_cli.store.tables import Location, Product


def product_by_sku(session: Session, sku: str) -> Product:
    product = session.scalars(select(Product).where(Product.sku == sku)).first()
    if product is None:
        raise NotFound(f"unknown sku {sku!r}: add it with `oms product add {sku} --name ...`")
    return product


def location_by_code(session: Session, code: str) -> Location:
    location = session.scalars(select(Location).where(Location.code == code)).first()
    if location is None:
        known = ", ".join(session.scalars(select(Location.code).order_by(Location.code)))
        hint = f" (known: {known})" if known else ": add one with `oms location add CODE`"
        raise NotFound(f"unknown location {code!r}{hint}")
    return location


def default_location(session: Session) -> Location:
    """The only active location, when a command leaves -l out and there is no doubt."""
    locations = session.scalars(select(Location).where(Location.active)).all()
    if len(locations) == 1:
        return locations[0]
    if not locations:
        raise NotFound("no location yet: add one with `oms location add CODE`")
    raise NotFound("several locations: say which with -l/--location "
                   f"({', '.join(sorted(loc.code for loc in locations))})")
