"""Customers: who is new, who comes back, what they are worth, and RFM segments.

A customer is the ``customer`` row an order is linked to (by email at import); orders
without one (guest checkouts with no email) are left out, and counted in a note.
Cancelled orders are left out everywhere. A customer's revenue is what they paid and
kept paying: the orders' totals (shipping and tax included) less refunds, in the
order's currency; amounts of different currencies are never added.

``customers_report`` (one row per bucket and currency):
- customers: customers who ordered in the bucket;
- new: those whose first order ever (any currency) is in the bucket; returning = the rest;
- repeat_rate_pct: those with 2+ orders by the bucket's end / customers x 100;
- orders_per_customer = orders / customers; revenue_per_customer = revenue / customers.

``segments_report`` (one row per RFM segment and currency, and an ``all`` row): each
customer's orders up to ``as_of`` are scored 1-5 (see RECENCY_DAYS, FREQUENCY_ORDERS):
- R (recency) by fixed thresholds on days since the last order;
- F (frequency) by fixed thresholds on the number of orders;
- M (monetary) by quintile within the currency: ceil(5 x the share of the currency's
  customers whose revenue is at most theirs), so equal spenders score the same;
then the first SEGMENT_RULES rule that matches names the segment.
lifetime_value = revenue / customers, over all time up to ``as_of``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from oms_cli.domain.periods import Period, buckets
from oms_cli.errors import InvalidInput
from oms_cli.reports.common import (
    CUSTOMERS,
    ORDERS,
    Bucket,
    ReportRows,
    average,
    bucket_table,
    in_bucket,
    money,
    per_bucket,
    percent,
    utc_buckets,
)
from oms_cli.reports.summary import HISTORY, timezone_of
from oms_cli.store.types import UTCDateTime

COLUMNS = ("period", "currency", "customers", "new", "returning", "repeat_rate_pct", "orders",
           "revenue", "orders_per_customer", "revenue_per_customer")
MEMBER_COLUMNS = ("email", "name", "currency", "segment", "r", "f", "m", "orders", "revenue",
                  "last_order")
SEGMENT_COLUMNS = ("segment", "currency", "customers", "share_pct", "orders", "revenue",
                   "lifetime_value", "orders_per_customer", "repeat_rate_pct")
# R: the score of a customer whose last order is at most this many days old (else 1).
RECENCY_DAYS = ((5, 30), (4, 90), (3, 180), (2, 365))
# F: the score of a customer with at least this many orders (else 1).
FREQUENCY_ORDERS = ((5, 6), (4, 4), (3, 3), (2, 2))
SEGMENT_RULES = (
    ("champions", "R >= 4 and F >= 4 and M >= 4"),
    ("loyal", "R >= 3 and F >= 3"),
    ("promising", "R >= 3 and F = 2"),
    ("new", "R >= 4 and F = 1"),
    ("at_risk", "F >= 2 (and R <= 2)"),
    ("hibernating", "everything else: one order, more than 90 days ago"),
)
SEGMENTS = tuple(name for name, _ in SEGMENT_RULES)
ALL = "all"
_NEVER = datetime(9999, 12, 31, tzinfo=UTC)  # later than any order


def customers_report(session: Session, *, period: Period, timezone: str,
                     by: str | None = None, summaries: bool = True) -> ReportRows:
    """New and returning customers, repeat rate, orders and revenue per bucket and currency
    (read from the customer histories when they are kept, unless ``summaries`` is off)."""
    if summaries and timezone_of(session) is not None:
        return _from_histories(session, utc_buckets(buckets(period, by) if by else [period],
                                                    timezone))
    per_customer = (_per_customer_in_buckets(bucket_table(buckets(period, by), timezone)) if by
                    else _per_customer_in_period(utc_buckets([period], timezone)[0]))
    known = per_customer.c.customer_id.is_not(None)
    is_new = and_(known, per_customer.c.is_new == 1)
    repeat = and_(known, or_(~is_new, per_customer.c.orders >= 2))
    query = (select(per_customer.c.seq, per_customer.c.label, per_customer.c.currency,
                    func.count(per_customer.c.customer_id).label("customers"),
                    _count_if(is_new).label("new"), _count_if(repeat).label("repeat"),
                    _sum_if(known, per_customer.c.orders).label("orders"),
                    _sum_if(known, per_customer.c.revenue).label("revenue"),
                    _sum_if(~known, per_customer.c.orders).label("guest_orders"))
             .group_by(per_customer.c.seq, per_customer.c.label, per_customer.c.currency)
             .order_by(per_customer.c.seq, per_customer.c.currency))
    rows, guests = [], 0
    for row in session.execute(query).mappings():
        guests += int(row["guest_orders"] or 0)
        if row["customers"]:
            rows.append(_bucket_row(row))
    notes = [f"left out: {guests} order(s) without a customer (no email)"] if guests else []
    return ReportRows(COLUMNS, rows, notes)


def segments_report(session: Session, *, as_of: datetime, summaries: bool = True
                    ) -> ReportRows:
    """Customers per RFM segment and currency as of ``as_of`` (UTC), then an ``all`` row per
    currency; segments in SEGMENTS order, empty ones left out (read from the customer
    histories when they are kept, unless ``summaries`` is off)."""
    if summaries and timezone_of(session) is not None:
        sums = _segment_sums_from_histories(session, as_of)
    else:
        scored = _scored_customers(as_of)
        query = (select(scored.c.segment, scored.c.currency,
                        func.count().label("customers"),
                        func.sum(scored.c.orders).label("orders"),
                        func.sum(scored.c.revenue).label("revenue"),
                        _count_if(scored.c.orders >= 2).label("repeat"))
                 .group_by(scored.c.segment, scored.c.currency))
        sums = [dict(row) for row in session.execute(query).mappings()]
    return ReportRows(SEGMENT_COLUMNS, _segment_rows(sums),
                      [f"RFM as of {as_of:%Y-%m-%d %H:%M} UTC"])


def segment_members(session: Session, *, as_of: datetime,
                    segment: str | None = None) -> ReportRows:
    """Every customer (or those of one segment) with their scores, best spenders first.

    Raises InvalidInput for a segment not in SEGMENTS.
    """
    if segment is not None and segment not in SEGMENTS:
        raise InvalidInput(f"no segment {segment!r}: give one of {', '.join(SEGMENTS)}")
    scored = _scored_customers(as_of)
    query = (select(CUSTOMERS.c.email, CUSTOMERS.c.name, scored.c.currency, scored.c.segment,
                    scored.c.r, scored.c.f, scored.c.m, scored.c.orders, scored.c.revenue,
                    scored.c.last_at)
             .join(CUSTOMERS, CUSTOMERS.c.id == scored.c.customer_id)
             .order_by(scored.c.currency, scored.c.revenue.desc(), CUSTOMERS.c.email))
    if segment is not None:
        query = query.where(scored.c.segment == segment)
    rows = [(email, name, currency, seg, r, f, m, int(orders), money(revenue, currency), last)
            for email, name, currency, seg, r, f, m, orders, revenue, last
            in session.execute(query)]
    return ReportRows(MEMBER_COLUMNS, rows, [f"RFM as of {as_of:%Y-%m-%d %H:%M} UTC"])


def segment_of(recency: int, frequency: int, monetary: int) -> str:
    """The segment SEGMENT_RULES give to scores R, F and M (each 1-5)."""
    if recency >= 4 and frequency >= 4 and monetary >= 4:
        return "champions"
    if recency >= 3 and frequency >= 3:
        return "loyal"
    if recency >= 3 and frequency == 2:
        return "promising"
    if recency >= 4 and frequency == 1:
        return "new"
    return "at_risk" if frequency >= 2 else "hibernating"


def _per_customer_in_buckets(table: Subquery) -> Subquery:
    """Orders and revenue per bucket, currency and customer (NULL: orders without one), and
    whether the customer is new: no order before the bucket (once per group, so the
    database looks it up once)."""
    earlier = ORDERS.alias("earlier")
    ordered_before = (select(earlier.c.id)
                      .where(earlier.c.customer_id == ORDERS.c.customer_id,
                             earlier.c.placed_at < table.c.start_at,
                             earlier.c.status != "cancelled").exists())
    return (select(table.c.seq, table.c.label, ORDERS.c.currency, ORDERS.c.customer_id,
                   func.count().label("orders"),
                   func.sum(ORDERS.c.total - ORDERS.c.refunded).label("revenue"),
                   case((ordered_before, 0), else_=1).label("is_new"))
            .select_from(table.join(ORDERS, in_bucket(ORDERS.c.placed_at, table)))
            .where(ORDERS.c.status != "cancelled")
            .group_by(table.c.seq, table.c.label, table.c.start_at, ORDERS.c.currency,
                      ORDERS.c.customer_id)).subquery("per_customer")


def _per_customer_in_period(bucket: Bucket) -> Subquery:
    """``_per_customer_in_buckets`` for one bucket, in the order of the index on
    (customer_id, currency, placed_at): it reads every order once, but sorts nothing, where
    grouping a year's orders by customer sorts them all (twice the time)."""
    inside = bucket.holds(ORDERS.c.placed_at)
    orders = func.sum(case((inside, 1), else_=0))
    earlier = ORDERS.alias("earlier")
    ordered_before = (select(earlier.c.id)
                      .where(earlier.c.customer_id == ORDERS.c.customer_id,
                             earlier.c.placed_at < bindparam(None, bucket.start,
                                                             type_=UTCDateTime()),
                             earlier.c.status != "cancelled").exists())
    return (select(*bucket.columns(), ORDERS.c.currency, ORDERS.c.customer_id,
                   orders.label("orders"),
                   func.sum(case((inside, ORDERS.c.total - ORDERS.c.refunded), else_=0))
                   .label("revenue"),
                   case((ordered_before, 0), else_=1).label("is_new"))
            .where(ORDERS.c.status != "cancelled")
            .group_by(ORDERS.c.customer_id, ORDERS.c.currency)
            .having(orders > 0)).subquery("per_customer")


def _scored_customers(as_of: datetime) -> Subquery:
    """Every customer and currency with orders before ``as_of``: orders, revenue, segment."""
    per_customer = (select(ORDERS.c.customer_id, ORDERS.c.currency,
                           func.count().label("orders"),
                           func.sum(ORDERS.c.total - ORDERS.c.refunded).label("revenue"),
                           func.max(ORDERS.c.placed_at).label("last_at"))
                    .where(ORDERS.c.customer_id.is_not(None), ORDERS.c.status != "cancelled",
                           ORDERS.c.placed_at < bindparam("as_of", as_of, type_=UTCDateTime()))
                    .group_by(ORDERS.c.customer_id, ORDERS.c.currency)).subquery("per_customer")
    share = func.cume_dist().over(partition_by=per_customer.c.currency,
                                  order_by=per_customer.c.revenue)
    scores = select(per_customer, _recency(per_customer.c.last_at, as_of).label("r"),
                    _frequency(per_customer.c.orders).label("f"),
                    _monetary(share).label("m")).subquery("scores")
    return select(scores, _segment(scores.c.r, scores.c.f, scores.c.m).label("segment")
                  ).subquery("scored")


def _recency(last_at: Any, as_of: datetime) -> Any:
    whens = [(last_at >= bindparam(f"recent_{days}", as_of - timedelta(days=days),
                                   type_=UTCDateTime()), score)
             for score, days in RECENCY_DAYS]
    return case(*whens, else_=1)


def _frequency(orders: Any) -> Any:
    return case(*[(orders >= least, score) for score, least in FREQUENCY_ORDERS], else_=1)


def _monetary(share: Any) -> Any:
    # cume_dist is k/n: k/n <= 0.2 exactly when ceil(5 k/n) is 1, and so on.
    return case(*[(share <= Decimal(score) / 5, score) for score in (1, 2, 3, 4)], else_=5)


def _segment(r: Any, f: Any, m: Any) -> Any:
    """segment_of in SQL (the two are tested to agree)."""
    return case((and_(r >= 4, f >= 4, m >= 4), "champions"),
                (and_(r >= 3, f >= 3), "loyal"),
                (and_(r >= 3, f == 2), "promising"),
                (and_(r >= 4, f == 1), "new"),
                (f >= 2, "at_risk"),
                else_="hibernating")


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_if(condition: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _bucket_row(row: Any) -> tuple[Any, ...]:
    customers, orders, revenue = int(row["customers"]), int(row["orders"]), int(row["revenue"])
    currency = row["currency"]
    return (row["label"], currency, customers, int(row["new"]), customers - int(row["new"]),
            percent(row["repeat"], customers), orders, money(revenue, currency),
            _ratio(orders, customers), average(revenue, customers, currency))


def _segment_rows(sums: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    rank = {name: index for index, name in enumerate(SEGMENTS)}
    rows: list[tuple[Any, ...]] = []
    for currency in sorted({entry["currency"] for entry in sums}):
        mine = sorted((entry for entry in sums if entry["currency"] == currency),
                      key=lambda entry: rank[entry["segment"]])
        everyone = {name: sum(int(entry[name] or 0) for entry in mine)
                    for name in ("customers", "orders", "revenue", "repeat")}
        for entry in [*mine, {"segment": ALL, "currency": currency, **everyone}]:
            rows.append(_segment_row(entry, everyone["customers"]))
    return rows


def _segment_row(entry: dict[str, Any], everyone: int) -> tuple[Any, ...]:
    customers, orders = int(entry["customers"]), int(entry["orders"])
    revenue, currency = int(entry["revenue"] or 0), entry["currency"]
    return (entry["segment"], currency, customers, percent(customers, everyone), orders,
            money(revenue, currency), average(revenue, customers, currency),
            _ratio(orders, customers), percent(entry["repeat"], customers))


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# From the customer histories (reports.summarize keeps them) ------------------------------

def _from_histories(session: Session, spans: Sequence[Bucket]) -> ReportRows:
    """customers_report read from ``customer_history``: one pass over the period's rows,
    no grouping by customer (each row knows whether it is its customer's first in the
    bucket, from the customer's previous order)."""
    found = [row for statement in per_bucket(spans, _history_sums)
             for row in session.execute(statement).mappings()]
    rows = []
    for row in sorted(found, key=lambda row: (row["seq"], row["currency"])):
        customers, new = int(row["customers"]), int(row["new"])
        rows.append(_bucket_row({**row, "repeat": customers - new + int(row["new_again"])}))
    guests = session.execute(
        select(func.count()).where(ORDERS.c.customer_id.is_(None),
                                   ORDERS.c.status != "cancelled",
                                   ORDERS.c.placed_at >= _at(spans[0].start),
                                   ORDERS.c.placed_at < _at(spans[-1].end))).scalar_one()
    notes = [f"left out: {guests} order(s) without a customer (no email)"] if guests else []
    return ReportRows(COLUMNS, rows, notes)


def _history_sums(bucket: Bucket) -> Select[Any]:
    """Per currency: customers who ordered in the bucket (counted at their first order of
    the currency in it), the new ones (no order before it), the new ones with a second
    order of the currency in it, orders and revenue."""
    start = _at(bucket.start)
    first_here = or_(HISTORY.c.prev_at.is_(None), HISTORY.c.prev_at < start)
    new = HISTORY.c.first_at >= start
    return (select(*bucket.columns(), HISTORY.c.currency,
                   _count_if(first_here).label("customers"),
                   _count_if(and_(first_here, new)).label("new"),
                   _count_if(and_(new, HISTORY.c.number == 2)).label("new_again"),
                   func.count().label("orders"),
                   func.sum(HISTORY.c.revenue).label("revenue"))
            .where(bucket.holds(HISTORY.c.placed_at))
            .group_by(HISTORY.c.currency))


def _segment_sums_from_histories(session: Session, as_of: datetime) -> list[dict[str, Any]]:
    """segments_report's sums per segment and currency, read from ``customer_history``.

    A customer's state as of ``as_of`` is their last order before it: the row placed
    before it whose next order is not (``number`` = orders, ``running`` = revenue). Per
    currency, the M score only matters as M >= 4, which holds for revenue at least the
    value at position floor(3n/5) of the n customers' revenues in order (cume_dist >
    3/5); R only as R >= 3 or R >= 4, F is the number's. So one pass over every
    customer counts them per currency and number (in index order), and a second, over
    those whose last order is recent enough for R >= 3 only, splits them further."""
    parts = _latest(as_of)
    # currency -> number of orders -> counts; and the parts with rows of the currency
    # (the second part is empty as of now).
    per_number: defaultdict[str, defaultdict[int, Counter[str]]] = defaultdict(
        lambda: defaultdict(Counter))
    parts_of: defaultdict[str, set[int]] = defaultdict(set)
    for index, part in enumerate(parts):
        for row in session.execute(
                select(HISTORY.c.currency, HISTORY.c.number, func.count().label("all"),
                       func.sum(HISTORY.c.running).label("all_revenue"))
                .where(*part).group_by(HISTORY.c.currency, HISTORY.c.number)).mappings():
            per_number[row["currency"]][int(row["number"])].update(
                all=int(row["all"]), all_revenue=int(row["all_revenue"] or 0))
            parts_of[row["currency"]].add(index)
    r4, r3 = (_at(as_of - timedelta(days=days)) for score, days in RECENCY_DAYS
              if score in (4, 3))
    sums: list[dict[str, Any]] = []
    for currency, numbers in sorted(per_number.items()):
        customers = sum(counts["all"] for counts in numbers.values())
        mine = [[*parts[index], HISTORY.c.currency == currency]
                for index in sorted(parts_of[currency])]
        spends = [select(HISTORY.c.running).where(*part) for part in mine]
        ordered = (spends[0] if len(spends) == 1 else union_all(*spends)).order_by("running")
        third = session.execute(ordered.offset(customers * 3 // 5).limit(1)).scalar_one()
        recent = HISTORY.c.placed_at >= r4
        for part in mine:  # only the customers with R >= 3 (lately), from its index
            query = (select(HISTORY.c.number,
                            *_split("champion", and_(recent, HISTORY.c.running >= third)),
                            *_split("recent", recent), *_split("lately", true()))
                     .where(*part, HISTORY.c.placed_at >= r3).group_by(HISTORY.c.number))
            for row in session.execute(query).mappings():
                numbers[int(row["number"])].update(
                    {name: int(value or 0) for name, value in row.items() if name != "number"})
        per_segment: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for number, counts in numbers.items():
            for segment, (members, revenue) in _segments_of(number, counts).items():
                per_segment[segment].update(customers=members, revenue=revenue,
                                            orders=members * number,
                                            repeat=members if number >= 2 else 0)
        sums += [{"segment": segment, "currency": currency, **totals}
                 for segment, totals in per_segment.items() if totals["customers"]]
    return sums


def _latest(as_of: datetime) -> list[list[ColumnElement[bool]]]:
    """Rows that are their customer's last order (in the currency) before ``as_of``, in
    two disjoint parts, each an index range: the last orders of all (``next_at`` NULL)
    and those followed by one on or after ``as_of`` (none, as of now)."""
    moment = _at(as_of)
    # Bounded on both sides, the range reads as narrow to SQLite's planner, which then
    # takes the next_at index rather than every order before as_of.
    return [[HISTORY.c.next_at.is_(None), HISTORY.c.placed_at < moment],
            [HISTORY.c.next_at >= moment, HISTORY.c.next_at < _at(_NEVER),
             HISTORY.c.placed_at < moment]]


def _split(name: str, condition: ColumnElement[bool]) -> tuple[Any, Any]:
    return (_count_if(condition).label(name), _sum_if(condition, HISTORY.c.running)
            .label(f"{name}_revenue"))


def _segments_of(number: int, row: Counter[str]) -> dict[str, tuple[int, int]]:
    """How the customers of one number of orders split into segments (SEGMENT_RULES),
    as (customers, revenue) per segment, from the counts of all of them, of the recent
    (R >= 4) big spenders (M >= 4), of the recent (R >= 4) and of the lately (R >= 3)."""
    def part(name: str) -> tuple[int, int]:
        return int(row[name] or 0), int(row[f"{name}_revenue"] or 0)

    def less(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return a[0] - b[0], a[1] - b[1]

    every, frequency = part("all"), _frequency_score(number)
    if frequency == 1:
        return {"new": part("recent"), "hibernating": less(every, part("recent"))}
    older = less(every, part("lately"))
    if frequency == 2:
        return {"promising": part("lately"), "at_risk": older}
    if frequency == 3:
        return {"loyal": part("lately"), "at_risk": older}
    return {"champions": part("champion"), "loyal": less(part("lately"), part("champion")),
            "at_risk": older}


def _frequency_score(orders: int) -> int:
    return next((score for score, least in FREQUENCY_ORDERS if orders >= least), 1)


def _at(moment: datetime) -> Any:
    return bindparam(None, moment, type_=UTCDateTime())
