"""Whatever a merchant does, in any order, the books stay whole (a hypothesis state machine).

Stock is received, adjusted, counted, damaged and transferred; orders are imported
(some with an unknown sku), allocated, shipped, cancelled, returned, held and
released, all through the real services on a real database file. Steps the
services refuse must change nothing. After every step:
- on_hand and damaged equal the ledger's sums, reserved the open allocations
  (`oms db check` finds nothing);
- available is never negative (reserved + damaged <= on_hand);
- every line's units are conserved (allocated + shipped + cancelled <= ordered,
  returned <= shipped);
- every order's stored status is the one its lines, hold and progress derive.
"""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from reliability_support import SCALE
from runners import copy_database
from sqlalchemy import text

from oms_cli.domain.allocation import Policy
from oms_cli.domain.lifecycle import LineUnits, OrderState, ValidationPolicy, derive_status
from oms_cli.errors import OmsError
from oms_cli.services import stock
from oms_cli.services.allocation import allocate
from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.database import check, open_database
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.services.order_actions import cancel, hold_order, release_order
from oms_cli.services.returns import return_units
from oms_cli.store.database import Database

LOCATIONS = ("main", "annex")
SKUS = ("MUG", "TEA", "KIT", "BOWL")  # KIT is MUG + 2 TEA; BOWL is unknown until added
VALIDATION = ValidationPolicy()
HEADER = ("Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,"
          "Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Address1,"
          "Shipping City,Shipping Zip,Shipping Country\n")
# Steps run (examples x steps), reported in README's Reliability section.
EXAMPLES, STEPS = 12 * SCALE, 14

units = st.integers(min_value=-2, max_value=8)
skus = st.sampled_from(SKUS)
places = st.sampled_from(LOCATIONS)


def query(db: Database, sql: str) -> list[Any]:
    with db.read() as session:
        return list(session.execute(text(sql)))


class BooksMachine(RuleBasedStateMachine):
    template: Path

    @initialize()
    def open_shop(self) -> None:
        self.folder = tempfile.mkdtemp()
        path = Path(self.folder) / "shop.db"
        path = copy_database(self.template, path)
        self.db = open_database(str(path), busy_timeout=5).db
        self.orders: list[str] = []

    def teardown(self) -> None:
        if hasattr(self, "db"):
            self.db.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def attempt(self, step: Any, *args: Any, **kwargs: Any) -> None:
        """Run a service step; if it refuses (OmsError), nothing may have changed."""
        before = self.snapshot()
        try:
            step(self.db, *args, **kwargs)
        except OmsError as error:
            assert "\n" not in error.message or "bad row" in error.message
            assert self.snapshot() == before, error

    def snapshot(self) -> list[Any]:
        return [query(self.db, f"SELECT * FROM {table} ORDER BY 1") for table in
                ("stock_level", "order_line", "allocation", "orders", "shipment_line",
                 "return_line")] + [query(self.db, "SELECT count(*) FROM stock_movement")]

    # Stock ---------------------------------------------------------------------------------

    @rule(sku=skus, quantity=units, place=places)
    def receive(self, sku: str, quantity: int, place: str) -> None:
        self.attempt(stock.receive, sku, quantity, place)

    @rule(sku=skus, by=units, place=places, damaged=st.booleans())
    def adjust(self, sku: str, by: int, place: str, damaged: bool) -> None:
        self.attempt(stock.adjust, sku, by, place, reason="random", damaged=damaged)

    @rule(sku=skus, counted=units, place=places)
    def count(self, sku: str, counted: int, place: str) -> None:
        self.attempt(stock.count, sku, counted, place)

    @rule(sku=skus, quantity=units, place=places)
    def damage(self, sku: str, quantity: int, place: str) -> None:
        self.attempt(stock.damage, sku, quantity, place)

    @rule(sku=skus, quantity=units, source=places, to=places)
    def transfer(self, sku: str, quantity: int, source: str, to: str) -> None:
        self.attempt(stock.transfer, sku, quantity, source, to)

    @rule()
    def add_the_unknown_sku(self) -> None:
        self.attempt(add_product, "BOWL", ProductChanges(name="Bowl", price=Decimal("7")),
                     currency="USD")

    # Orders --------------------------------------------------------------------------------

    @rule(lines=st.lists(st.tuples(skus, st.integers(1, 3)), min_size=1, max_size=3),
          paid=st.sampled_from(["paid", "paid", "pending"]))
    def import_order(self, lines: list[tuple[str, int]], paid: str) -> None:
        number = len(self.orders) + 1
        rows = [f"#{number},c@example.com,{paid},USD,9.00,9.00,2026-03-0{1 + number % 9} "
                f"10:00:00 +0000,{quantity},{sku},3.00,{sku},Ann,1 Main St,Portland,97201,US\n"
                for sku, quantity in lines]
        export = Path(self.folder) / f"orders-{number}.csv"
        export.write_text(HEADER + "".join(rows), encoding="utf-8")
        self.attempt(import_file, str(export), settings=ImportSettings())
        self.orders.append(f"shopify:#{number}")

    @rule(whole=st.booleans())
    def allocate(self, whole: bool) -> None:
        self.attempt(allocate, policy=Policy(partial="backorder" if whole else "wait"),
                     validation=VALIDATION)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), sku=skus, quantity=st.integers(0, 3), place=places)
    def ship(self, data: st.DataObject, sku: str, quantity: int, place: str) -> None:
        order = data.draw(st.sampled_from(self.orders))
        lines = [(sku, quantity)] if quantity else []
        self.attempt(ship_order, order, lines, location=place if quantity == 3 else None)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), sku=skus, quantity=st.integers(1, 3), damaged=st.booleans())
    def return_units(self, data: st.DataObject, sku: str, quantity: int, damaged: bool) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self.attempt(return_units, order, [(sku, quantity)],
                     condition="damaged" if damaged else "resaleable")

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), action=st.sampled_from(["cancel", "hold", "release"]))
    def change_order(self, data: st.DataObject, action: str) -> None:
        order = data.draw(st.sampled_from(self.orders))
        if action == "cancel":
            self.attempt(cancel, order)
        elif action == "hold":
            self.attempt(hold_order, order, note="wait")
        else:
            self.attempt(release_order, order, policy=VALIDATION)

    # Invariants ----------------------------------------------------------------------------

    @invariant()
    def the_caches_match_their_sources(self) -> None:
        if hasattr(self, "db"):
            assert check(self.db) == []

    @invariant()
    def available_is_never_negative(self) -> None:
        if hasattr(self, "db"):
            assert query(self.db, "SELECT * FROM stock_level WHERE on_hand < 0 OR reserved < 0 "
                                  "OR damaged < 0 OR reserved + damaged > on_hand") == []

    @invariant()
    def every_lines_units_are_conserved(self) -> None:
        if hasattr(self, "db"):
            assert query(self.db, "SELECT * FROM order_line WHERE allocated < 0 OR shipped < 0 "
                                  "OR cancelled < 0 OR returned < 0 OR returned > shipped OR "
                                  "allocated + shipped + cancelled > quantity") == []

    @invariant()
    def every_status_is_the_one_its_lines_derive(self) -> None:
        if not hasattr(self, "db"):
            return
        lines: dict[int, list[LineUnits]] = {}
        for order_id, *counts in query(self.db, "SELECT order_id, quantity, allocated, shipped, "
                                                "returned, cancelled FROM order_line"):
            lines.setdefault(order_id, []).append(LineUnits(*counts))
        for order_id, status, held, validated, tried in query(
                self.db, "SELECT id, status, hold_reason, validated_at, allocation_tried_at "
                         "FROM orders"):
            state = OrderState(lines[order_id], on_hold=held is not None,
                               validated=validated is not None, allocation_tried=tried is not None)
            assert status == derive_status(state).value, (order_id, status, lines[order_id])


@pytest.fixture(scope="module")
def shop_template(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("books") / "shop.db"
    path = copy_database(template_db, path)
    db = open_database(str(path), busy_timeout=5).db
    try:
        for priority, code in enumerate(LOCATIONS):
            add_location(db, code, LocationChanges(priority=priority, country="US"))
        for sku in ("MUG", "TEA"):
            add_product(db, sku, ProductChanges(name=sku, price=Decimal("3")), currency="USD")
        add_product(db, "KIT", ProductChanges(name="Kit", components={"MUG": 1, "TEA": 2}),
                    currency="USD")
    finally:
        db.close()
    return path


def test_random_operation_sequences_keep_every_invariant(shop_template: Path) -> None:
    BooksMachine.template = shop_template
    run = BooksMachine.TestCase
    run.settings = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                            derandomize=True, database=None,
                            suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.filter_too_much])
    run("runTest").runTest()
