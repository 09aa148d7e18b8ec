"""The read side of stock: levels now and in the past, low stock, the ledger, and drift."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from small_shop import execute, product
from sqlalchemy import func, select, update

from oms_cli.errors import NotFound
from oms_cli.services import stock
from oms_cli.services.database import Drift, check
from oms_cli.services.stock_views import (
    HISTORY_COLUMNS,
    LOW_COLUMNS,
    STOCK_COLUMNS,
    low_stock,
    stock_history,
    stock_levels,
)
from oms_cli.store.database import Database
from oms_cli.store.tables import StockMovement


def moved_at(db: Database, when: datetime) -> None:
    """Date the newest ledger movement ``when`` (services take no clock: they stamp now)."""
    newest = select(func.max(StockMovement.id)).scalar_subquery()
    with db.write() as session:
        session.execute(update(StockMovement).where(StockMovement.id == newest).values(at=when))


def day(month: int, dd: int, hour: int = 12) -> datetime:
    return datetime(2026, month, dd, hour, tzinfo=UTC)


@pytest.fixture
def history(shop: Database) -> Database:
    """MUG at main: 10 received on 1 March, 4 sold off on 10 March, 6 more on 20 March."""
    for quantity, when in ((10, day(3, 1)), (-4, day(3, 10)), (6, day(3, 20))):
        if quantity > 0:
            stock.receive(shop, "MUG", quantity, "main")
        else:
            stock.adjust(shop, "MUG", quantity, "main", reason="sold at a fair")
        moved_at(shop, when)
    return shop


def as_dicts(columns: tuple[str, ...], rows: object) -> list[dict[str, object]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]  # type: ignore[attr-defined]


def test_levels_come_with_the_columns_the_contract_names(shop: Database) -> None:
    assert STOCK_COLUMNS[:5] == ("sku", "location", "on_hand", "reserved", "available")
    stock.receive(shop, "MUG", 5, "main")
    stock.receive(shop, "TEA", 2, "annex")
    assert as_dicts(STOCK_COLUMNS, stock_levels(shop)) == [
        {"sku": "MUG", "location": "main", "on_hand": 5, "reserved": 0, "available": 4,
         "damaged": 0, "name": "Stoneware Mug"},
        {"sku": "TEA", "location": "annex", "on_hand": 2, "reserved": 0, "available": 2,
         "damaged": 0, "name": "Earl Grey"},
    ]


def test_levels_can_be_narrowed_to_a_sku_or_a_location(shop: Database) -> None:
    stock.receive(shop, "MUG", 5, "main")
    stock.receive(shop, "MUG", 1, "annex")
    stock.receive(shop, "TEA", 2, "annex")
    assert [r[:2] for r in stock_levels(shop, sku="MUG")] == [("MUG", "annex"), ("MUG", "main")]
    assert [r[:2] for r in stock_levels(shop, location="annex")] == [("MUG", "annex"),
                                                                      ("TEA", "annex")]


def test_an_unknown_sku_or_location_is_not_found_rather_than_empty(shop: Database) -> None:
    with pytest.raises(NotFound):
        stock_levels(shop, sku="NOPE")
    with pytest.raises(NotFound):
        stock_levels(shop, location="moon")


def test_available_never_drops_below_zero(shop: Database) -> None:
    stock.receive(shop, "MUG", 1, "main")  # safety stock 1
    stock.damage(shop, "MUG", 1, "main")
    assert stock_levels(shop)[0][4] == 0


class TestStockAtAnEarlierMoment:
    def test_before_the_first_receipt_there_was_nothing(self, history: Database) -> None:
        assert stock_levels(history, before=day(3, 1, 0)) == []

    def test_each_moment_shows_the_level_of_its_time(self, history: Database) -> None:
        on_hand = [stock_levels(history, before=moment)[0][2]
                   for moment in (day(3, 2), day(3, 11), day(3, 21))]
        assert on_hand == [10, 6, 12]

    def test_the_moment_itself_is_excluded(self, history: Database) -> None:
        assert stock_levels(history, before=day(3, 10))[0][2] == 10

    def test_now_agrees_with_the_ledger_at_the_end(self, history: Database) -> None:
        assert stock_levels(history) == stock_levels(history, before=day(12, 31))


class TestLowStock:
    def test_a_sku_at_or_below_its_reorder_point_is_low(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 6, "main")  # 5 available after the safety stock
        assert [row[0] for row in low_stock(shop)] == ["MUG", "TEA"]
        stock.receive(shop, "MUG", 1, "annex")  # 5 + 0 available: still at the point
        stock.receive(shop, "MUG", 1, "main")
        assert [row[0] for row in low_stock(shop)] == ["TEA"]

    def test_low_stock_rows_have_their_columns(self, shop: Database) -> None:
        stock.receive(shop, "TEA", 1, "main")
        assert as_dicts(LOW_COLUMNS, low_stock(shop)) == [
            {"sku": "MUG", "location": "all", "on_hand": 0, "reserved": 0, "available": 0,
             "reorder_point": 5, "reorder_qty": 0, "name": "Stoneware Mug"},
        ]

    def test_bundles_and_retired_products_are_never_low(self, shop: Database) -> None:
        product(shop, "OLD", reorder_point=9, active=False)
        assert "KIT" not in [row[0] for row in low_stock(shop)]
        assert "OLD" not in [row[0] for row in low_stock(shop)]

    def test_low_stock_can_be_judged_at_one_location(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 20, "annex")
        stock.receive(shop, "TEA", 1, "annex")
        assert [row[:2] for row in low_stock(shop)] == []
        assert [row[:2] for row in low_stock(shop, location="main")] == [("MUG", "main"),
                                                                         ("TEA", "main")]

    def test_safety_stock_is_kept_back_at_each_location(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 3, "main")
        stock.receive(shop, "MUG", 3, "annex")
        assert low_stock(shop)[0][:5] == ("MUG", "all", 6, 0, 4)


class TestHistory:
    def test_the_ledger_is_oldest_first_with_a_running_balance(self, history: Database) -> None:
        assert HISTORY_COLUMNS[:6] == ("at", "location", "reason", "quantity", "damaged",
                                       "on_hand")
        assert [(r[0], r[2], r[3], r[5]) for r in stock_history(history, "MUG")] == [
            (day(3, 1), "receive", 10, 10), (day(3, 10), "adjust", -4, 6),
            (day(3, 20), "receive", 6, 12)]

    def test_the_balance_runs_per_location(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 5, "main")
        stock.transfer(shop, "MUG", 2, "main", "annex")
        assert [(r[1], r[5]) for r in stock_history(shop, "MUG")] == [
            ("main", 5), ("main", 3), ("annex", 2)]

    def test_the_last_n_movements_can_be_asked_for(self, history: Database) -> None:
        assert [r[5] for r in stock_history(history, "MUG", limit=2)] == [6, 12]

    def test_the_history_of_an_unknown_sku_is_not_found(self, shop: Database) -> None:
        with pytest.raises(NotFound):
            stock_history(shop, "NOPE")


class TestDriftCheck:
    def test_a_sound_database_has_no_drift(self, history: Database) -> None:
        assert check(history) == []

    def test_a_hand_edited_level_is_reported_against_the_ledger(self, history: Database) -> None:
        execute(history, "UPDATE stock_level SET on_hand = 20")
        assert check(history) == [Drift("on_hand", "MUG@main", 20, 12, "the ledger says 12")]

    def test_a_level_lost_from_the_cache_is_reported(self, history: Database) -> None:
        execute(history, "DELETE FROM stock_level")
        assert check(history) == [Drift("on_hand", "MUG@main", 0, 12, "the ledger says 12")]

    def test_reserved_units_without_open_allocations_are_reported(self,
                                                                   history: Database) -> None:
        execute(history, "UPDATE stock_level SET reserved = 2")
        assert check(history) == [Drift("reserved", "MUG@main", 2, 0,
                                        "open allocations say 0")]

    def test_damaged_units_are_checked_against_the_ledger_too(self, history: Database) -> None:
        execute(history, "UPDATE stock_level SET damaged = 1")
        assert [d.kind for d in check(history)] == ["damaged"]
