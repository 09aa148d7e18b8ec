"""Money is exact in each order's own currency: minor units by the currency's exponent."""

from __future__ import annotations

from decimal import Decimal

from importing_support import FIXTURES, lines_of, orders_by_key, sample

from oms_cli.domain.money import from_minor
from oms_cli.services.order_views import list_orders, order_detail


def test_yen_has_no_minor_unit_and_dollars_have_cents(db, run_import):
    run_import(FIXTURES / "shopify_jpy_and_usd.csv")

    orders = orders_by_key(db)
    yen, dollars = orders["#5001"], orders["#5002"]
    assert (yen.currency, yen.subtotal, yen.shipping, yen.total) == ("JPY", 3500, 500, 4000)
    assert [line.unit_price for line in lines_of(db, yen.id)] == [1750]
    assert (dollars.currency, dollars.shipping, dollars.total) == ("USD", 1, 2000)
    assert [line.unit_price for line in lines_of(db, dollars.id)] == [1999]


def test_amounts_read_back_with_their_currency_places(db, run_import):
    run_import(FIXTURES / "shopify_jpy_and_usd.csv")

    totals = {row[2]: (row[5], row[6]) for row in list_orders(db)}
    assert totals == {"#5001": ("JPY", Decimal("4000")), "#5002": ("USD", Decimal("20.00"))}
    assert str(totals["#5001"][1]) == "4000"
    detail = order_detail(db, "shopify:#5002")
    assert (detail["shipping"], detail["lines"][0]["unit_price"]) == (
        Decimal("0.01"), Decimal("19.99"))


def test_rupees_keep_their_paise(db, run_import):
    run_import(sample("shopify__orders_export_1__devstore_INR.csv"))

    orders = orders_by_key(db)
    assert {order.currency for order in orders.values()} == {"INR"}
    fractional = [order for order in orders.values() if order.total % 100]
    assert fractional, "the sample has totals with paise"
    for order in fractional:
        assert from_minor(order.total, "INR") * 100 == order.total
