"""A shop the command tests can work on, set up through the services (it is not under test)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from runners import DbLocation

from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.database import open_database
from oms_cli.services.locations import LocationChanges, add_location


@pytest.fixture
def shop(db_path: DbLocation) -> DbLocation:
    """Locations `main` and `annex`; MUG (reorder point 5), TEA, and the bundle KIT."""
    db = open_database(str(db_path), busy_timeout=2.0).db
    try:
        add_location(db, "main", LocationChanges(name="Main room", priority=10, country="US"))
        add_location(db, "annex", LocationChanges(priority=20, country="US"))
        add_product(db, "MUG", ProductChanges(name="Stoneware Mug", price=Decimal("14.00"),
                                              reorder_point=5), currency="USD")
        add_product(db, "TEA", ProductChanges(name="Earl Grey", price=Decimal("9.50")),
                    currency="USD")
        add_product(db, "KIT", ProductChanges(name="Tea Kit", components={"MUG": 1, "TEA": 2}),
                    currency="USD")
    finally:
        db.close()
    return db_path
