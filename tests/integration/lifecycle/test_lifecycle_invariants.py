"""Whatever a merchant does to orders, the books stay whole.

Random sequences of allocate, ship, return, hold, release and cancel (many refused:
too many units, wrong states) run through the real services on a real database
file. After every step `oms db check` finds nothing, every line's units add up,
and a refused step changed nothing at all.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifecycle_support import (
    VALIDATION,
    allocate_all,
    assert_books_balance,
    place,
    snapshot,
    stock,
)
from runners import copy_database

from oms_cli.errors import OmsError
from oms_cli.services import stock as stock_service
from oms_cli.services.database import open_database
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.order_actions import cancel, hold_order, release_order
from oms_cli.services.returns import return_units
from oms_cli.store.database import Database

ORDER_SKUS = {"shopify:#1": ("MUG", "KIT"), "shopify:#2": ("KIT", "TEA"),
              "shopify:#3": ("MUG",)}


@pytest.fixture(scope="module")
def orders_template(shop_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three orders over MUG, TEA and KIT, with stock at both locations, not yet allocated."""
    path = tmp_path_factory.mktemp("orders") / "orders.db"
    path = copy_database(shop_template, path)
    db = open_database(str(path), busy_timeout=2.0).db
    for sku, units, where in (("MUG", 4, "main"), ("TEA", 6, "main"), ("MUG", 2, "annex"),
                              ("TEA", 3, "annex")):
        stock(db, sku, units, where)
    place(db, "#1", ("MUG", 2), ("KIT", 1))
    place(db, "#2", ("KIT", 2), ("TEA", 1), day=1)
    place(db, "#3", ("MUG", 3), day=2)
    db.close()
    return path


def step(db: Database, action: tuple[Any, ...]) -> None:
    kind, order, pick, units, flag = action
    skus = ORDER_SKUS[order]
    sku = "BOWL" if pick == len(skus) else skus[pick % len(skus)]
    steps: dict[str, Callable[[], object]] = {
        "allocate": lambda: allocate_all(db),
        "ship": lambda: ship_order(db, order, [(sku, units)] if units else [],
                                   location="annex" if flag else None),
        "return": lambda: return_units(db, order, [(sku, units or 1)],
                                       condition="damaged" if flag else "resaleable"),
        "hold": lambda: hold_order(db, order, note="wait"),
        "release": lambda: release_order(db, order, policy=VALIDATION),
        "cancel": lambda: cancel(db, order),
    }
    steps[kind]()


actions = st.tuples(
    st.sampled_from(("allocate", "ship", "ship", "ship", "return", "return", "hold",
                     "release", "cancel")),
    st.sampled_from(sorted(ORDER_SKUS)), st.integers(min_value=0, max_value=2),
    st.integers(min_value=0, max_value=3), st.booleans())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=10))
def test_any_sequence_keeps_the_books_whole(orders_template: Path, script) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.db"
        path = copy_database(orders_template, path)
        db = open_database(str(path), busy_timeout=2.0).db
        try:
            for action in [("allocate", "shopify:#1", 0, 0, False), *script]:
                before = snapshot(db)
                try:
                    step(db, action)
                except OmsError:
                    assert snapshot(db) == before, action
                assert_books_balance(db)
        finally:
            db.close()


def test_a_count_below_what_is_reserved_releases_the_newest_reservation(orders_template: Path,
                                                                        tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    path = copy_database(orders_template, path)
    db = open_database(str(path), busy_timeout=2.0).db
    try:
        allocate_all(db)
        stock_service.count(db, "MUG", 3, "main")
        assert_books_balance(db)
    finally:
        db.close()
