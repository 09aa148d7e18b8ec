"""Reading the daily summaries of settled orders (``sales_summary``, ``line_summary``,
``fulfillment_summary``, ``shipped_summary``).

A settled order (shipped, returned or cancelled) no longer changes as the business runs;
the summaries hold its figures per local day of the time zone in ``summary_state``, so a
year of them is a few hundred rows per key instead of a million orders. A report adds
the open orders, read live from the orders (they are few: the work in hand). Keeping
the summaries true as orders change is ``reports.summarize``'s job.

Summary days are local midnights as UTC instants, like the report buckets' bounds:
``bucket.holds(day)`` picks exactly the days inside a bucket. The line and shipped
summaries also hold monthly roll-ups (dimension ``sku@month`` and so on, at the month's
first midnight), so that a year of them is twelve rows per key: ``summary_days`` picks
the roll-ups of the whole months inside a bucket and the days outside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from oms_cli.domain.periods import span, utc_bounds
from oms_cli.reports.common import OPEN, ORDERS, Bucket, GroupKey, per_bucket
from oms_cli.store.tables import (
    CustomerHistory,
    FulfillmentSummary,
    LineSummary,
    SalesSummary,
    ShippedSummary,
    SummaryState,
)
from oms_cli.store.types import UTCDateTime

SALES = cast(Table, SalesSummary.__table__)  # type: ignore[attr-defined]
LINE = cast(Table, LineSummary.__table__)  # type: ignore[attr-defined]
STATE = cast(Table, SummaryState.__table__)  # type: ignore[attr-defined]
FULFILLMENT = cast(Table, FulfillmentSummary.__table__)  # type: ignore[attr-defined]
HISTORY = cast(Table, CustomerHistory.__table__)  # type: ignore[attr-defined]
SHIPPED = cast(Table, ShippedSummary.__table__)  # type: ignore[attr-defined]
# Orders in these statuses are in the summaries; every other status is open.
SETTLED = ("cancelled", "partially_returned", "returned", "shipped")


def settled() -> ColumnElement[bool]:
    """An order is settled (in SETTLED), written as NOT IN the open statuses: no index
    serves that, so a query bounded by another column's range keeps to its index
    instead of reading a whole status of orders."""
    return ORDERS.c.status.not_in(OPEN)


AMOUNTS = ("units", "gross", "discounts", "shipping", "tax", "refunds", "included_tax",
           "refunded_tax")
MONTHLY = "@month"  # the dimension of a line dimension's monthly roll-ups, after its name
_STATE = "oms.summary_state"


def _state(session: Session) -> tuple[str | None, bool]:
    """The summaries' time zone (None: not kept) and whether the shipped summary is kept
    too, read once per session."""
    if _STATE not in session.info:
        row = session.execute(select(STATE.c.timezone, STATE.c.shipped)
                              .order_by(STATE.c.id).limit(1)).first()
        session.info[_STATE] = (row.timezone, bool(row.shipped)) if row else (None, False)
    return cast(tuple[str | None, bool], session.info[_STATE])


def timezone_of(session: Session) -> str | None:
    """The time zone whose days the summaries are kept in, None when they are not kept."""
    return _state(session)[0]


def kept_in(session: Session, timezone: str) -> bool:
    """Whether the summaries are kept in ``timezone``'s days (reports can use them)."""
    return timezone_of(session) == timezone


def shipped_kept(session: Session) -> bool:
    """Whether the shipped summary is kept (in the summaries' days), along with the rest."""
    return _state(session)[1]


def forget_timezone(session: Session) -> None:
    """Read the summaries' time zone afresh next time (after building them)."""
    session.info.pop(_STATE, None)


def sales_rows(session: Session, spans: Sequence[Bucket], key: GroupKey | None) -> list[Any]:
    """Per bucket, currency and key: the settled orders' sales sums, as mappings with
    seq, label, currency, key, orders, cancelled and AMOUNTS (rows with any order)."""
    timezone = timezone_of(session)
    assert timezone is not None, "the summaries are not kept"
    if key is not None and key.grain == "line":
        statements = per_bucket(spans, lambda bucket: _line_sums(bucket, key, timezone))
    else:
        statements = per_bucket(spans, lambda bucket: _order_sums(bucket, key))
    return [row._mapping for statement in statements for row in session.execute(statement)]


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def summary_days(table: Table, dimension: str, bucket: Bucket, timezone: str
                 ) -> ColumnElement[bool]:
    """The rows of ``table`` (the line or shipped summary) holding ``bucket``'s days of
    ``dimension``, each day once: the monthly roll-ups of the whole months inside it,
    the daily rows of the rest."""
    zone = ZoneInfo(timezone)
    first, end = bucket.start.astimezone(zone).date(), bucket.end.astimezone(zone).date()
    months_from = first if first.day == 1 else next_month(first)
    months_to = end.replace(day=1)
    daily = table.c.dimension == dimension
    if months_from >= months_to:
        return and_(daily, bucket.holds(table.c.day))
    whole_from, whole_to = utc_bounds(span(months_from, months_to), timezone)
    return or_(and_(table.c.dimension == dimension + MONTHLY,
                    _from_to(table.c.day, whole_from, whole_to)),
               and_(daily, _from_to(table.c.day, bucket.start, whole_from)),
               and_(daily, _from_to(table.c.day, whole_to, bucket.end)))


def shipped_units(session: Session, spans: Sequence[Bucket], dimension: str | None
                  ) -> list[Any]:
    """Per bucket, currency and key of ``dimension`` (sku, channel, or None: one key,
    ''): the units the settled orders shipped, as mappings with seq, currency, key and
    units."""
    timezone = timezone_of(session)
    assert timezone is not None, "the summaries are not kept"
    key = SHIPPED.c.key if dimension else literal("")

    def sums(bucket: Bucket) -> Select[Any]:
        return (select(*bucket.columns(), SHIPPED.c.currency, key.label("key"),
                       func.sum(SHIPPED.c.units).label("units"))
                .where(summary_days(SHIPPED, dimension or "channel", bucket, timezone))
                .group_by(SHIPPED.c.currency, *([SHIPPED.c.key] if dimension else [])))

    return [row._mapping for statement in per_bucket(spans, sums)
            for row in session.execute(statement)]


def _from_to(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= bindparam(None, start, type_=UTCDateTime()),
                column < bindparam(None, end, type_=UTCDateTime()))


def _order_sums(bucket: Bucket, key: GroupKey | None) -> Select[Any]:
    live = ~SALES.c.cancelled
    value = (literal(None) if key is None
             else SALES.c.channel if key.name == "channel" else SALES.c.country)
    grouping = [SALES.c.currency] + ([] if key is None else [value])
    return (select(*bucket.columns(), SALES.c.currency, value.label("key"),
                   _sum_if(live, SALES.c.orders).label("orders"),
                   _sum_if(SALES.c.cancelled, SALES.c.orders).label("cancelled"),
                   *(_sum_if(live, SALES.c[name]).label(name) for name in AMOUNTS))
            .where(bucket.holds(SALES.c.day))
            .group_by(*grouping))


def _line_sums(bucket: Bucket, key: GroupKey, timezone: str) -> Select[Any]:
    return (select(*bucket.columns(), LINE.c.currency, LINE.c.key,
                   func.sum(LINE.c.orders).label("orders"),
                   func.sum(LINE.c.cancelled).label("cancelled"),
                   *(func.sum(LINE.c[name]).label(name) for name in AMOUNTS))
            .where(summary_days(LINE, key.name, bucket, timezone))
            .group_by(LINE.c.currency, LINE.c.key))


def _sum_if(condition: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)
