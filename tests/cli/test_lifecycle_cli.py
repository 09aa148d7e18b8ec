"""`oms order hold|release|cancel`, `oms ship`, `oms return`, `oms picklist` from the
command line: exit codes, messages on stderr, listings on stdout, dry runs, run records.

The rules themselves are tested through the services in tests/integration/lifecycle.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from runners import Cli, copy_database, query

from oms_cli.domain.allocation import Policy
from oms_cli.domain.lifecycle import ValidationPolicy
from oms_cli.services.allocation import allocate
from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.database import open_database
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.services.locations import LocationChanges, add_location
from oms_cli.services.stock import receive

HEADER = ("Name,Email,Financial Status,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,"
          "Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
          "Lineitem sku,Lineitem requires shipping,Lineitem fulfillment status,Shipping Name,"
          "Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Cancelled at,"
          "Refunded Amount")
ROWS = (
    "#1001,ann@example.com,paid,unfulfilled,USD,58.00,0.00,0.00,58.00,0.00,"
    "2024-03-01 09:00:00 -0500,2,Mug,14.00,MUG,true,pending,Ann Lee,1 Main St,Springfield,"
    "62701,US,,0.00",
    "#1001,ann@example.com,,,,,,,,,2024-03-01 09:00:00 -0500,1,Tea Kit,30.00,KIT,true,"
    "pending,,,,,,,",
    "#1002,bob@example.com,pending,unfulfilled,USD,9.50,0.00,0.00,9.50,0.00,"
    "2024-03-02 10:00:00 -0500,1,Tea,9.50,TEA,true,pending,Bob Ray,2 Oak Ave,Portland,97201,"
    "US,,0.00",
)
FIRST, UNPAID = "shopify:#1001", "shopify:#1002"


@pytest.fixture(scope="module")
def book_template(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main and annex; MUG, TEA and KIT (MUG + 2 TEA); #1001 (2 MUG, 1 KIT) allocated at
    main and #1002 (1 TEA) held: awaiting payment. Built once through the services."""
    folder = tmp_path_factory.mktemp("book")
    path = folder / "book.db"
    path = copy_database(template_db, path)
    export = folder / "orders.csv"
    export.write_text("\n".join((HEADER, *ROWS)) + "\n", encoding="utf-8")
    db = open_database(str(path), busy_timeout=2.0).db
    try:
        add_location(db, "main", LocationChanges(name="Main room", priority=10, country="US"))
        add_location(db, "annex", LocationChanges(priority=20, country="US"))
        for sku, name, price in (("MUG", "Stoneware Mug", "14.00"), ("TEA", "Earl Grey", "9.50")):
            add_product(db, sku, ProductChanges(name=name, price=Decimal(price)), currency="USD")
            receive(db, sku, 5, "main")
        add_product(db, "KIT", ProductChanges(name="Tea Kit", components={"MUG": 1, "TEA": 2}),
                    currency="USD")
        import_file(db, str(export), settings=ImportSettings())
        allocate(db, policy=Policy(), validation=ValidationPolicy())
    finally:
        db.close()
    return path


@pytest.fixture
def db_path(book_template: Path, tmp_path: Path) -> Path:
    """Every test works on its own copy of the book (the `cli` fixture runs on it)."""
    path = tmp_path / "oms.db"
    path = copy_database(book_template, path)
    return path


@pytest.fixture
def book(cli: Cli) -> Cli:
    return cli


def order(cli: Cli, reference: str) -> dict:
    result = cli("order", "show", reference, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


class TestOrderHoldReleaseCancel:
    def test_hold_says_the_reservations_stay(self, book: Cli) -> None:
        result = book("order", "hold", FIRST, "--reason", "customer asked to wait")

        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == (f"held {FIRST} (was allocated); its 3 reserved units stay "
                                 f"reserved; `oms order release {FIRST}` lifts the hold\n")
        shown = order(book, FIRST)
        assert (shown["status"], shown["hold_reason"], shown["hold_note"]) == (
            "on_hold", "other", "customer asked to wait")

    def test_hold_without_a_reason_is_bad_usage(self, book: Cli) -> None:
        assert book("order", "hold", FIRST).exit_code == 2

    def test_release_brings_the_order_back(self, book: Cli) -> None:
        book("order", "hold", FIRST, "--reason", "wait")

        result = book("order", "release", FIRST)

        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == f"released {FIRST}: now allocated\n"

    def test_releasing_a_validation_hold_accepts_it(self, book: Cli) -> None:
        assert order(book, UNPAID)["hold_reason"] == "awaiting_payment"

        result = book("order", "release", UNPAID)

        assert (result.exit_code, result.stderr) == (0, f"released {UNPAID}: now ready\n")
        assert book("allocate").exit_code == 0
        assert order(book, UNPAID)["status"] == "allocated"

    def test_release_exits_3_when_validation_still_holds_the_order(self, book: Cli) -> None:
        book("order", "hold", UNPAID, "--reason", "call the customer")

        result = book("order", "release", UNPAID)

        assert (result.exit_code, result.stdout) == (3, "")
        assert result.stderr.startswith(f"warning: {UNPAID} is still on hold: financial status")
        assert order(book, UNPAID)["hold_reason"] == "awaiting_payment"

    def test_release_of_an_order_not_on_hold_fails(self, book: Cli) -> None:
        result = book("order", "release", FIRST)

        assert result.exit_code == 1
        assert result.stderr == f"oms: error: {FIRST} is not on hold (it is allocated)\n"

    def test_cancel_releases_the_reservations(self, book: Cli) -> None:
        result = book("order", "cancel", FIRST, "--reason", "changed mind", "--yes")

        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == (f"cancelled 3 units of {FIRST}, 3 reserved units released; "
                                 "order is now cancelled\n")
        stock = book("stock", "show", "MUG", "-f", "csv", "--no-headers").stdout
        assert stock.startswith("MUG,main,5,0,5")

    def test_cancel_without_yes_and_no_terminal_asks_for_it_and_changes_nothing(
            self, book: Cli) -> None:
        before = order(book, FIRST)

        result = book("order", "cancel", FIRST)

        assert result.exit_code == 1
        assert "Pass --yes to confirm" in result.stderr
        assert order(book, FIRST) == before

    def test_cancel_of_a_shipped_order_fails_and_changes_nothing(self, book: Cli) -> None:
        assert book("ship", FIRST).exit_code == 0
        before = order(book, FIRST)

        result = book("order", "cancel", FIRST, "--yes")

        assert result.exit_code == 1
        assert "every unit has shipped" in result.stderr
        assert order(book, FIRST) == before

    def test_an_unknown_order_fails_with_a_hint(self, book: Cli) -> None:
        result = book("order", "hold", "shopify:#9", "--reason", "x")

        assert result.exit_code == 1
        assert "oms order list" in result.stderr

    def test_a_dry_run_changes_nothing(self, book: Cli) -> None:
        result = book("order", "cancel", FIRST, "--dry-run")

        assert result.exit_code == 0
        assert result.stderr.startswith("dry run, nothing stored: cancelled 3 units")
        assert order(book, FIRST)["status"] == "allocated"


class TestShip:
    def test_ship_part_of_an_order_with_carrier_and_tracking(self, book: Cli) -> None:
        result = book("ship", FIRST, "--line", "MUG=1", "--carrier", "ups", "--tracking", "1Z9")

        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == (f"shipped {FIRST} from main: 1 x MUG (ups 1Z9); order is now "
                                 "partially_shipped\n")
        lines = {line["sku"]: line for line in order(book, FIRST)["lines"]}
        assert (lines["MUG"]["shipped"], lines["MUG"]["allocated"]) == (1, 1)

    def test_ship_everything_allocated(self, book: Cli) -> None:
        result = book("ship", FIRST, "-l", "main")

        assert result.exit_code == 0
        assert "2 x MUG, 1 x KIT" in result.stderr
        assert order(book, FIRST)["status"] == "shipped"

    def test_the_run_is_recorded_and_stamped_on_the_ledger_and_events(self, book: Cli,
                                                                     db_path: Path) -> None:
        assert book("ship", FIRST).exit_code == 0

        [(run_id, exit_code)] = query(db_path, "SELECT id, exit_code FROM run "
                                      "WHERE command = 'ship'")
        assert exit_code == 0
        assert query(db_path, "SELECT DISTINCT run_id FROM stock_movement "
                     "WHERE reason = 'ship'") == [(run_id,)]
        assert query(db_path, "SELECT run_id FROM order_event WHERE type = 'shipped'") == [
            (run_id,)]

    @pytest.mark.parametrize("line", ["MUG", "=2", "MUG=0", "MUG=two"])
    def test_a_malformed_line_is_bad_usage(self, book: Cli, line: str) -> None:
        result = book("ship", FIRST, "--line", line)

        assert result.exit_code == 2
        assert "--line" in result.stderr

    @pytest.mark.parametrize("args", [(), (FIRST, "--from-csv", "x.csv")])
    def test_an_order_or_a_file_is_needed_but_not_both(self, book: Cli, args) -> None:
        assert book("ship", *args).exit_code == 2

    def test_shipping_more_than_allocated_fails_and_ships_nothing(self, book: Cli) -> None:
        result = book("ship", FIRST, "--line", "MUG=3")

        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == (f"oms: error: {FIRST}: only 2 MUG allocated at main, "
                                 "cannot ship 3\n")
        assert order(book, FIRST)["status"] == "allocated"

    def test_shipping_a_cancelled_order_fails(self, book: Cli) -> None:
        book("order", "cancel", FIRST, "--yes")

        result = book("ship", FIRST)

        assert result.exit_code == 1
        assert f"{FIRST} is cancelled" in result.stderr

    def test_a_dry_run_ships_nothing(self, book: Cli) -> None:
        result = book("ship", FIRST, "--dry-run")

        assert result.exit_code == 0
        assert result.stderr.startswith("dry run, nothing stored: shipped")
        assert order(book, FIRST)["status"] == "allocated"

    def test_a_shipping_file_ships_every_row(self, book: Cli, tmp_path: Path) -> None:
        path = tmp_path / "3pl.csv"
        path.write_text(f"order,sku,quantity,carrier,tracking\n{FIRST},MUG,2,ups,1Z1\n"
                        f"{FIRST},KIT,1,ups,1Z1\n", encoding="utf-8")

        result = book("ship", "--from-csv", path)

        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr.splitlines() == [
            f"shipped {FIRST} from main: 2 x MUG, 1 x KIT (ups 1Z1); order is now shipped",
            f"{path}: 2 rows, 1 shipments"]

    def test_every_bad_row_of_a_file_is_on_stderr_and_nothing_ships(self, book: Cli,
                                                                    tmp_path: Path) -> None:
        path = tmp_path / "3pl.csv"
        path.write_text(f"order,sku,quantity,carrier,tracking\n{FIRST},MUG,1,ups,1Z1\n"
                        f"{FIRST},MUG,9,ups,1Z1\nshopify:#9,MUG,1,ups,1Z2\n", encoding="utf-8")

        result = book("ship", "--from-csv", path)

        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr.splitlines() == [
            f"oms: error: {path}: 2 bad row(s), nothing was shipped:",
            f"{path}:3: {FIRST}: only 1 MUG allocated at main, cannot ship 9",
            f"{path}:4: no order 'shopify:#9': see `oms order list`"]
        assert order(book, FIRST)["status"] == "allocated"

    def test_a_missing_file_exits_66(self, book: Cli, tmp_path: Path) -> None:
        assert book("ship", "--from-csv", tmp_path / "nope.csv").exit_code == 66


class TestReturn:
    @pytest.fixture
    def shipped(self, book: Cli) -> Cli:
        assert book("ship", FIRST).exit_code == 0
        return book

    def test_a_return_restocks_and_refunds(self, shipped: Cli) -> None:
        result = shipped("return", FIRST, "--line", "KIT=1", "--reason", "unwanted gift")

        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == (f"returned 1 x KIT of {FIRST}, back in stock at main; refund "
                                 "30.00 USD; order is now partially_returned\n")
        shown = order(shipped, FIRST)
        assert (shown["status"], shown["refunded"]) == ("partially_returned", 30.0)

    def test_a_damaged_return_with_a_refund_given(self, shipped: Cli) -> None:
        result = shipped("return", FIRST, "--line", "MUG=2", "--condition", "damaged",
                         "--refund", "20", "-l", "main")

        assert result.exit_code == 0
        assert "damaged at main; refund 20.00 USD" in result.stderr
        stock = shipped("stock", "show", "MUG", "-f", "json").stdout
        assert json.loads(stock)[0]["damaged"] == 2

    def test_returning_more_than_shipped_fails(self, shipped: Cli) -> None:
        result = shipped("return", FIRST, "--line", "MUG=3")

        assert result.exit_code == 1
        assert "only 2 MUG shipped and not yet returned" in result.stderr

    @pytest.mark.parametrize("args", [("--condition", "broken"), ("--refund", "ten")])
    def test_a_bad_condition_or_refund_is_bad_usage(self, shipped: Cli, args) -> None:
        assert shipped("return", FIRST, "--line", "MUG=1", *args).exit_code == 2

    def test_a_line_is_required(self, shipped: Cli) -> None:
        assert shipped("return", FIRST).exit_code == 2


class TestPicklist:
    def test_the_picklist_has_its_columns_and_lists_bundle_parts(self, book: Cli) -> None:
        result = book("picklist", "-f", "csv")

        assert result.exit_code == 0
        assert list(csv.reader(io.StringIO(result.stdout))) == [
            ["location", "sku", "name", "quantity", "orders"],
            ["main", "MUG", "Stoneware Mug", "3", "1"],
            ["main", "TEA", "Earl Grey", "2", "1"]]

    def test_by_order_lists_order_lines(self, book: Cli) -> None:
        result = book("picklist", "--by-order", "-f", "json")

        rows = json.loads(result.stdout)
        assert list(rows[0]) == ["location", "order", "sku", "name", "quantity", "placed_at"]
        assert [(row["order"], row["sku"], row["quantity"]) for row in rows] == [
            (FIRST, "MUG", 2), (FIRST, "MUG", 1), (FIRST, "TEA", 2)]

    def test_no_headers_and_a_location(self, book: Cli) -> None:
        result = book("picklist", "-l", "annex", "-f", "csv", "--no-headers")

        assert (result.exit_code, result.stdout) == (0, "")

    def test_an_unknown_location_fails(self, book: Cli) -> None:
        result = book("picklist", "-l", "moon")

        assert result.exit_code == 1
        assert "unknown location 'moon'" in result.stderr
