"""A shop with shipped Shopify orders to export: see exports_support.build_shop."""

from __future__ import annotations

import pytest
from exports_support import HERE, allocate_all, build_shop, import_orders, ship, stock

from oms_cli.store.database import Database


@pytest.fixture
def shop(db: Database) -> Database:
    """Stock at main (MUG 10, TEA 10) and annex (MUG 3); orders #1001 (2 MUG, 2 TEA),
    #1002 (1 KIT) and #1003 (1 MUG) imported and allocated; nothing shipped yet."""
    build_shop(db)
    stock(db, "MUG", 10)
    stock(db, "TEA", 10)
    stock(db, "MUG", 3, "annex")
    import_orders(db, HERE / "shop_orders.csv")
    allocate_all(db)
    return db


@pytest.fixture
def shipped(shop: Database) -> Database:
    """The shop after #1001 left with UPS 1Z1 and #1002 with DHL D2 (#1003 waits)."""
    ship(shop, "shopify:#1001", "UPS", "1Z1")
    ship(shop, "shopify:#1002", "DHL", "D2")
    return shop
