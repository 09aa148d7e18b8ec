"""`oms report customers`: new vs returning, repeat rate, lifetime value, RFM segments.

The orders (fixtures/reports_b/customers_orders.csv), USD unless said, total = revenue:
  fay  #211 2023-01-10 10.00
  gus  #212 2023-06-01 20.00, #213 2023-06-15 20.00
  hal  #214 2023-12-01, #215 2024-01-20, #216 2024-02-25, #217 2024-03-20: 100.00 each
  ann  #201 2024-01-05 20.00, #203 2024-02-15 10.00 (as Ann@Example.com), #205 03-01 40.00
  bob  #202 2024-02-10 30.00; #208 2024-03-05 99.00 cancelled
  cy   #204 2024-02-20 50.00, 5.00 refunded
  dee  #206 2024-03-03 15.00, #207 2024-03-04 15.00
  eve  #210 2024-03-07 EUR 25.00
  #209 2024-03-06 12.00 without an email: no customer
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from itertools import product
from pathlib import Path

import pytest
from fixtures.reports_b.shop import at, build_file, by_key, copy_of, customers_book, opened
from sqlalchemy import literal, select, text

from oms_cli.domain.periods import parse_period
from oms_cli.errors import InvalidInput
from oms_cli.reports import customers
from oms_cli.services.reporting import run_report
from oms_cli.store.database import Database

TODAY = date(2024, 4, 1)
AS_OF = at("2024-04-01 00:00")


@pytest.fixture(scope="module")
def book(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file(customers_book, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture(params=["summaries", "orders"])
def shop(book: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """The book, read from the customer histories (kept from the start) or, with the
    summaries not kept, from the orders."""
    with opened(copy_of(book, tmp_path / "oms.db")) as db:
        if request.param == "orders":
            with db.write() as session:
                session.execute(text("DELETE FROM summary_state"))
        yield db


def bucketed(db: Database, period: str, by: str | None = None) -> dict:
    result = run_report(db, customers.customers_report, period=parse_period(period, TODAY),
                        timezone="UTC", by=by)
    assert result.columns == customers.COLUMNS
    return by_key(result.columns, result.rows, "period", "currency")


def figures(row: dict) -> tuple:
    return tuple(row[name] for name in customers.COLUMNS[2:])


def test_new_returning_and_repeat_per_month(shop):
    rows = bucketed(shop, "2024Q1", "month")

    assert list(rows) == [("2024-01", "USD"), ("2024-02", "USD"), ("2024-03", "EUR"),
                          ("2024-03", "USD")]
    #        customers new returning repeat% orders revenue   per customer: orders, revenue
    # January: ann is new; hal came first in December.
    assert figures(rows["2024-01", "USD"]) == (2, 1, 1, D("50.0"), 2, D("120.00"), D("1.00"),
                                               D("60.00"))
    # February: bob and cy are new; ann and hal return; cy's refund is not revenue.
    assert figures(rows["2024-02", "USD"]) == (4, 2, 2, D("50.0"), 4, D("185.00"), D("1.00"),
                                               D("46.25"))
    # March: dee is new with two orders (a repeat already); bob's order was cancelled.
    assert figures(rows["2024-03", "USD"]) == (3, 1, 2, D("100.0"), 4, D("170.00"), D("1.33"),
                                               D("56.67"))
    assert figures(rows["2024-03", "EUR"]) == (1, 1, 0, D("0.0"), 1, D("25.00"), D("1.00"),
                                               D("25.00"))


def test_the_whole_period_is_one_bucket_without_by(shop):
    rows = bucketed(shop, "2024Q1")

    # ann, bob, cy, dee are new in the quarter; hal returns. Repeats: ann (3 orders),
    # dee (2) and hal: 3 of 5.
    assert figures(rows["2024Q1", "USD"]) == (5, 4, 1, D("60.0"), 10, D("475.00"), D("2.00"),
                                              D("95.00"))


def test_orders_without_a_customer_are_left_out_with_a_note(shop):
    result = run_report(shop, customers.customers_report,
                        period=parse_period("2024-03", TODAY), timezone="UTC")

    assert result.notes == ["left out: 1 order(s) without a customer (no email)"]


def test_a_period_without_orders_has_no_rows(shop):
    assert bucketed(shop, "2022") == {}


def test_buckets_are_local_days(shop):
    # #201 was placed 2024-01-05 10:00 UTC: still January 5 in Honolulu (UTC-10) ...
    honolulu = run_report(shop, customers.customers_report,
                          period=parse_period("2024-01-05", TODAY), timezone="Pacific/Honolulu")
    assert [row[2] for row in honolulu.rows] == [1]
    # ... but January 6 in Tokyo (UTC+9) is only from 15:00 UTC on January 5.
    tokyo = run_report(shop, customers.customers_report,
                       period=parse_period("2024-01-06", TODAY), timezone="Asia/Tokyo")
    assert tokyo.rows == []


def segments(db: Database) -> dict:
    result = run_report(db, customers.segments_report, as_of=AS_OF)
    assert result.columns == customers.SEGMENT_COLUMNS
    return by_key(result.columns, result.rows, "segment", "currency")


def test_rfm_segments_per_currency_with_an_all_row(shop):
    rows = segments(shop)

    # As of 2024-04-01. R: last order <= 30 days 5, <= 90 4, <= 180 3, <= 365 2, else 1;
    # F: 1, 2, 3, 4-5, 6+ orders; M: ceil(5 x cume_dist of revenue in the currency):
    #   fay 10 (1/7: M1), bob 30 and dee 30 (3/7: M3), gus 40 (4/7: M3), cy 45 (5/7: M4),
    #   ann 70 (6/7: M5), hal 400 (M5).
    # hal R5 F4 M5 champion; ann R4 F3 loyal; dee R5 F2 promising; bob, cy R4 F1 new;
    # gus R2 F2 at_risk; fay R1 F1 hibernating; eve (EUR) R5 F1 new.
    assert list(rows) == [("new", "EUR"), ("all", "EUR"), ("champions", "USD"),
                          ("loyal", "USD"), ("promising", "USD"), ("new", "USD"),
                          ("at_risk", "USD"), ("hibernating", "USD"), ("all", "USD")]
    #          customers share% orders revenue  lifetime_value orders/customer repeat%
    expected = {
        "champions": (1, D("14.3"), 4, D("400.00"), D("400.00"), D("4.00"), D("100.0")),
        "loyal": (1, D("14.3"), 3, D("70.00"), D("70.00"), D("3.00"), D("100.0")),
        "promising": (1, D("14.3"), 2, D("30.00"), D("30.00"), D("2.00"), D("100.0")),
        "new": (2, D("28.6"), 2, D("75.00"), D("37.50"), D("1.00"), D("0.0")),
        "at_risk": (1, D("14.3"), 2, D("40.00"), D("40.00"), D("2.00"), D("100.0")),
        "hibernating": (1, D("14.3"), 1, D("10.00"), D("10.00"), D("1.00"), D("0.0")),
        "all": (7, D("100.0"), 14, D("625.00"), D("89.29"), D("2.00"), D("57.1")),
    }
    for segment, values in expected.items():
        assert tuple(rows[segment, "USD"][name] for name in customers.SEGMENT_COLUMNS[2:]) \
            == values, segment
    assert rows["all", "EUR"]["lifetime_value"] == D("25.00")


def test_segments_look_only_at_orders_before_as_of(shop):
    result = run_report(shop, customers.segments_report, as_of=at("2024-01-01 00:00"))
    rows = by_key(result.columns, result.rows, "segment", "currency")

    # Then: hal (31 days: R4, F1) new; gus (200 days: R2, F2) at risk; fay (356 days:
    # R2, F1) hibernating.
    assert {key: row["customers"] for key, row in rows.items()} == {
        ("new", "USD"): 1, ("at_risk", "USD"): 1, ("hibernating", "USD"): 1,
        ("all", "USD"): 3}


def test_segment_members_list_their_scores(shop):
    result = run_report(shop, customers.segment_members, as_of=AS_OF, segment="new")

    assert result.columns == customers.MEMBER_COLUMNS
    assert [(row[0], row[2], row[4:8]) for row in result.rows] == [
        ("eve@example.com", "EUR", (5, 1, 5, 1)),
        ("cy@example.com", "USD", (4, 1, 4, 1)),
        ("bob@example.com", "USD", (4, 1, 3, 1)),
    ]
    assert result.rows[1][8] == D("45.00")


def test_every_customer_is_in_exactly_one_segment(shop):
    members = run_report(shop, customers.segment_members, as_of=AS_OF).rows

    assert len(members) == 8
    assert all(row[3] == customers.segment_of(*row[4:7]) for row in members)


def test_an_unknown_segment_is_invalid(shop):
    with pytest.raises(InvalidInput, match="champions"):
        run_report(shop, customers.segment_members, as_of=AS_OF, segment="vip")


def test_the_sql_segment_rule_agrees_with_segment_of_for_every_score(db):
    scores = list(product(range(1, 6), repeat=3))
    query = select(*[customers._segment(literal(r), literal(f), literal(m))
                     for r, f, m in scores])
    with db.read() as session:
        in_sql = list(session.execute(query).one())

    assert in_sql == [customers.segment_of(*score) for score in scores]
    assert set(in_sql) == set(customers.SEGMENTS)
