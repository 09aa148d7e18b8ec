"""Customers are one per e-mail address, whatever its case, across files and formats."""

from __future__ import annotations

from importing_support import FIXTURES, orders_by_key
from sqlalchemy import text

from oms_cli.store.database import Database


def customers(db: Database) -> list[tuple[str, str | None]]:
    with db.read() as session:
        return [tuple(row) for row in session.execute(
            text("SELECT email, name FROM customer ORDER BY email"))]


def test_customers_are_deduplicated_by_email_case_insensitively_across_files(db, run_import):
    run_import(FIXTURES / "shopify_orders.csv")  # Ann@Example.com, bob@example.com, ...
    first = customers(db)

    run_import(FIXTURES / "shopify_customers_again.json")  # ANN@EXAMPLE.COM, Bob@Example.Com

    assert customers(db) == first
    assert [email for email, _ in first] == [
        "ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com",
        "eli@example.com"]
    orders = orders_by_key(db)
    assert orders["#9001"].customer_id == orders["#1001"].customer_id is not None
    assert orders["#9002"].customer_id == orders["#1002"].customer_id is not None
    assert orders["#9001"].email == "ann@example.com"


def test_one_customer_per_email_on_another_channel_too(db, run_import):
    run_import(FIXTURES / "shopify_orders.csv")
    run_import(FIXTURES / "shopify_customers_again.json", channel="eu-store")

    assert len(customers(db)) == 5
    assert (orders_by_key(db, "eu-store")["#9001"].customer_id
            == orders_by_key(db)["#1001"].customer_id)


def test_an_order_without_email_has_no_customer(db, run_import):
    run_import(FIXTURES / "etsy_sold_orders.csv")

    assert customers(db) == []
    assert {order.customer_id for order in orders_by_key(db, "etsy").values()} == {None}
