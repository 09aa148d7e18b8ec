"""Builders and read-backs the export tests share (a plain module, imported by name).

The shop gets its orders the way a merchant does: Shopify CSVs through the import
service, reservations from ``allocate``, shipments from ``ship_order``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text

from oms_cli.config import ChannelConfig
from oms_cli.domain.allocation import Policy
from oms_cli.domain.lifecycle import ValidationPolicy
from oms_cli.services.allocation import allocate
from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.exports import ChannelTarget, channel_target
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.services.stock import receive
from oms_cli.store.database import Database

HERE = Path(__file__).parent


def build_shop(db: Database) -> Database:
    """Locations main and annex (US); MUG, TEA, KIT (MUG + 2 TEA) and the inactive OLD."""
    add_location(db, "main", LocationChanges(name="Main room", priority=10, country="US"))
    add_location(db, "annex", LocationChanges(name="Annex", priority=20, country="US"))
    add_product(db, "MUG", ProductChanges(name="Stoneware Mug", price=Decimal("14.00")),
                currency="USD")
    add_product(db, "TEA", ProductChanges(name="Earl Grey", price=Decimal("9.50")),
                currency="USD")
    add_product(db, "KIT", ProductChanges(name="Tea Kit", components={"MUG": 1, "TEA": 2}),
                currency="USD")
    add_product(db, "OLD", ProductChanges(name="Old Mug", active=False), currency="USD")
    return db


def import_orders(db: Database, path: Path, channel: str | None = None) -> None:
    import_file(db, str(path), settings=ImportSettings(), channel=channel)


def allocate_all(db: Database) -> None:
    allocate(db, policy=Policy(), validation=ValidationPolicy())


def ship(db: Database, reference: str, carrier: str | None = None,
         tracking: str | None = None) -> None:
    ship_order(db, reference, carrier=carrier, tracking=tracking)


def stock(db: Database, sku: str, quantity: int, location: str = "main") -> None:
    receive(db, sku, quantity, location)


def target(db: Database, channel: str = "shopify", **configured: ChannelConfig) -> ChannelTarget:
    return channel_target(db, channel, configured)


class Collected:
    """A ``deliver`` callback that keeps what it was given."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str) -> None:
        self.texts.append(text)

    @property
    def text(self) -> str:
        assert len(self.texts) == 1, f"delivered {len(self.texts)} times"
        return self.texts[0]


def exported_at(db: Database) -> dict[str, Any]:
    """Each shipment's export time by its tracking number."""
    with db.read() as session:
        return dict(session.execute(text("SELECT tracking, exported_at FROM shipment")).all())


def failing(_: str) -> None:
    raise OSError("disk full")

