"""A shop for the lifecycle tests: two locations, MUG, TEA and the bundle KIT.

The shop is built once per session through the services and copied for each test
(building it takes far longer than copying a file).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_support import build_shop
from runners import DbLocation, copy_database

from oms_cli.services.database import open_database
from oms_cli.store.database import Database


@pytest.fixture(scope="session")
def shop_template(template_db: DbLocation,
                  tmp_path_factory: pytest.TempPathFactory) -> DbLocation:
    path = copy_database(template_db, tmp_path_factory.mktemp("lifecycle") / "shop.db")
    db = open_database(str(path), busy_timeout=2.0).db
    try:
        build_shop(db)
    finally:
        db.close()
    return path


@pytest.fixture
def db_path(shop_template: DbLocation, tmp_path: Path) -> DbLocation:
    return copy_database(shop_template, tmp_path / "oms.db")


@pytest.fixture
def shop(db: Database) -> Database:
    """Locations main (priority 10) and annex (20), both US; MUG, TEA, KIT (MUG + 2 TEA)."""
    return db
