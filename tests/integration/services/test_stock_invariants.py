"""Whatever stock movements a merchant throws at the services, the books stay whole.

Random sequences of receive, adjust, count, damage and transfer (many of them
impossible: too many units, zero, negative, unknown places) go through the real
services on a real database file. After every step the level cache equals the
ledger, nothing is negative, and a refused movement changed nothing at all.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runners import copy_database
from small_shop import location, product, rows

from oms_cli.errors import OmsError
from oms_cli.services import stock
from oms_cli.services.database import check, open_database
from oms_cli.store.database import Database

SKUS = ("MUG", "TEA")
LOCATIONS = ("main", "annex")
BUSY_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def shop_template(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shop") / "shop.db"
    path = copy_database(template_db, path)
    db = open_database(str(path), busy_timeout=BUSY_TIMEOUT).db
    for code in LOCATIONS:
        location(db, code)
    for sku in SKUS:
        product(db, sku, safety_stock=1)
    db.close()
    return path


def fresh_shop(template: Path, folder: str) -> Database:
    path = Path(folder) / "shop.db"
    path = copy_database(template, path)
    return open_database(str(path), busy_timeout=BUSY_TIMEOUT).db


quantities = st.integers(min_value=-4, max_value=12)
places = st.sampled_from((*LOCATIONS, "moon"))
operations = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(SKUS), places, quantities),
    st.tuples(st.just("adjust"), st.sampled_from(SKUS), places, quantities),
    st.tuples(st.just("adjust_damaged"), st.sampled_from(SKUS), places, quantities),
    st.tuples(st.just("count"), st.sampled_from(SKUS), places, quantities),
    st.tuples(st.just("damage"), st.sampled_from(SKUS), places, quantities),
    st.tuples(st.just("transfer"), st.sampled_from(SKUS), places, quantities,
              st.sampled_from(LOCATIONS)),
)


def apply(db: Database, operation: tuple[object, ...]) -> int:
    """Run one operation through the services; returns the change of total on_hand."""
    kind, sku, place, quantity, *rest = operation
    assert isinstance(sku, str) and isinstance(place, str) and isinstance(quantity, int)
    if kind == "receive":
        return stock.receive(db, sku, quantity, place).quantity
    if kind == "adjust":
        return stock.adjust(db, sku, quantity, place, reason="random").quantity
    if kind == "adjust_damaged":
        return stock.adjust(db, sku, quantity, place, reason="random", damaged=True).quantity
    if kind == "count":
        return stock.count(db, sku, quantity, place).quantity
    if kind == "damage":
        return stock.damage(db, sku, quantity, place).quantity
    stock.transfer(db, sku, quantity, place, str(rest[0]))
    return 0


def books(db: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return (rows(db, "SELECT * FROM stock_level ORDER BY product_id, location_id"),
            rows(db, "SELECT * FROM stock_movement ORDER BY id"))


def levels_against_ledger(db: Database) -> Iterator[tuple[object, ...]]:
    yield from rows(db, """
        SELECT l.product_id, l.location_id, l.on_hand, l.damaged,
               COALESCE(SUM(m.quantity), 0), COALESCE(SUM(m.damaged), 0)
        FROM stock_level l LEFT JOIN stock_movement m
          ON m.product_id = l.product_id AND m.location_id = l.location_id
        GROUP BY l.product_id, l.location_id""")


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=12))
def test_random_movements_keep_the_books_whole(shop_template: Path,
                                               sequence: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = fresh_shop(shop_template, folder)
        try:
            total = 0
            for operation in sequence:
                before = books(db)
                try:
                    total += apply(db, operation)
                except OmsError:
                    assert books(db) == before, f"refused {operation} changed the books"
                for _, _, on_hand, damaged, ledger_on_hand, ledger_damaged in (
                        levels_against_ledger(db)):
                    assert (on_hand, damaged) == (ledger_on_hand, ledger_damaged)
                    assert isinstance(on_hand, int) and isinstance(damaged, int)
                    assert 0 <= damaged <= on_hand
            assert sum(row[2] for row in levels_against_ledger(db)) == total  # type: ignore[misc]
            assert check(db) == []
        finally:
            db.close()
