"""Builders and queries the service tests share (a plain module, so tests can import it)."""

from __future__ import annotations

from sqlalchemy import text

from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.store.database import Database


def product(db: Database, sku: str, **fields: object) -> None:
    changes = ProductChanges(name=str(fields.pop("name", sku.title())), **fields)  # type: ignore[arg-type]
    add_product(db, sku, changes, currency="USD")


def location(db: Database, code: str, **fields: object) -> None:
    add_location(db, code, LocationChanges(**fields))  # type: ignore[arg-type]


def scalar(db: Database, sql: str, **params: object) -> object:
    with db.read() as session:
        return session.execute(text(sql), params).scalar()


def rows(db: Database, sql: str, **params: object) -> list[tuple[object, ...]]:
    with db.read() as session:
        return [tuple(row) for row in session.execute(text(sql), params)]


def execute(db: Database, sql: str, **params: object) -> None:
    with db.write() as session:
        session.execute(text(sql), params)
