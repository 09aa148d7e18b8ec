"""Keeping the daily summaries true: built whole, then made again, inside each write, for
the days whose settled orders the write changed.

A write that changes an order a summary may hold (one that is or becomes settled: a
shipment, a cancellation, a return, an import of history or of a channel's update,
an undone import, a repair) calls ``mark_orders`` (or ``mark_placed``) with it, before
or after the change, and before deleting it. When the transaction ends the summaries of
every marked day are deleted and aggregated again from that day's settled orders, by
the same SQL the reports use over the orders: a day's figures are a function of its
orders, so making it again is always right, whatever changed. Allocation never marks:
it only touches open orders, which the summaries do not hold.

The shipped summary goes by the day a shipment was made, not the day its order was
placed: when the marked days are made again, so are the days their orders' shipments
were made on (shipments are never deleted, so the orders' shipments when the write
commits include any they had when it began).

The customer histories (``customer_history``) go by customer instead: a write that
adds, cancels, refunds or updates an order marks its customer (``mark_customers``, or
the ``customers`` of ``mark_placed``), and the histories of the marked customers are
made again from all their orders, open ones included, when it commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Select,
    String,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from oms_cli.domain.periods import Period, span, utc_bounds
from oms_cli.reports.common import (
    LINES,
    ORDERS,
    SHIPMENTS,
    Bucket,
    GroupKey,
    bucket_table,
    group_key,
    per_bucket,
    utc_buckets,
)
from oms_cli.reports.fulfillment import Tally, order_facts
from oms_cli.reports.returns import shipped_units
from oms_cli.reports.sales import cancelled_sums, line_measures, line_rows, order_sums, unit_sums
from oms_cli.reports.summary import (
    AMOUNTS,
    FULFILLMENT,
    HISTORY,
    LINE,
    MONTHLY,
    SALES,
    SETTLED,
    SHIPPED,
    STATE,
    forget_timezone,
    next_month,
    settled,
    shipped_kept,
    timezone_of,
)
from oms_cli.store.bulk import insert_rows
from oms_cli.store.database import before_commit
from oms_cli.store.types import UTCDateTime

SOLD = tuple(status for status in SETTLED if status != "cancelled")
DIMENSIONS = ("sku", "location")
_DIRTY = "oms.summary_days"
_CUSTOMERS = "oms.summary_customers"
_BATCH = 500  # ids or days per statement
_SEPARATOR = literal_column("'\x1f'", String())  # between channel and country in a key
SALES_COLUMNS = ("day", "currency", "channel", "country", "cancelled", "orders", *AMOUNTS)
LINE_COLUMNS = ("dimension", "day", "currency", "key", "orders", "cancelled", *AMOUNTS,
                "lines", "returned", "kept_linked", "unlinked_lines", "unlinked_name")
_LINE_EXTRAS = ("lines", "returned", "kept_linked", "unlinked_lines")
FULFILLMENT_COLUMNS = ("dimension", "day", "key", "measure", "tenths", "orders")
SHIPPED_COLUMNS = ("dimension", "day", "currency", "key", "units")
SHIPPED_DIMENSIONS = ("sku", "channel")
SUMMARIES = (SALES, LINE, FULFILLMENT)  # per day placed


class RollUp(NamedTuple):
    """How a summary's days roll up into months: for these dimensions, per currency and
    key, ``summed`` columns are summed and ``greatest`` ones take their greatest value
    (the columns after the key, in COLUMNS order: summed ones first)."""

    dimensions: tuple[str, ...]
    summed: tuple[str, ...]
    greatest: tuple[str, ...] = ()


ROLLED = {LINE: RollUp(DIMENSIONS, LINE_COLUMNS[4:-1], ("unlinked_name",)),
          SHIPPED: RollUp(SHIPPED_DIMENSIONS, ("units",))}
HISTORY_COLUMNS = ("order_id", "customer_id", "currency", "placed_at", "revenue", "first_at",
                   "prev_at", "next_at", "number", "running")
COLUMNS = {SALES: SALES_COLUMNS, LINE: LINE_COLUMNS, FULFILLMENT: FULFILLMENT_COLUMNS,
           SHIPPED: SHIPPED_COLUMNS}


def build(session: Session, timezone: str) -> int:
    """Build every summary afresh in ``timezone``'s days; returns the days summarised."""
    for table in (*SUMMARIES, SHIPPED, STATE):
        session.execute(delete(table))
    session.execute(insert(STATE).values(timezone=timezone, built_at=datetime.now(UTC),
                                         shipped=True))
    forget_timezone(session)
    session.info.pop(_DIRTY, None)
    session.info.pop(_CUSTOMERS, None)
    zone = ZoneInfo(timezone)
    days = _settled_days(session, zone)
    _summarise(session, timezone, sorted(days), sorted(days | _shipping_days(session, zone)))
    _keep_histories(session, None)
    return len(days)


def build_shipped(session: Session) -> int:
    """Build the shipped summary afresh, in the days the other summaries are kept in
    (after an upgrade from before it); returns the days summarised."""
    timezone = timezone_of(session)
    assert timezone is not None, "the summaries are not kept"
    session.execute(delete(SHIPPED))
    zone = ZoneInfo(timezone)
    days = _settled_days(session, zone) | _shipping_days(session, zone)
    _summarise(session, timezone, [], sorted(days))
    session.execute(update(STATE).values(shipped=True))
    forget_timezone(session)
    return len(days)


def _settled_days(session: Session, zone: ZoneInfo) -> set[date]:
    """The local days on which settled orders were placed (only those: a book may span
    decades with a few orders in its first years)."""
    placed = session.execute(select(ORDERS.c.placed_at).where(ORDERS.c.status.in_(SETTLED)))
    return {moment.astimezone(zone).date() for moment in placed.scalars()}


def _shipping_days(session: Session, zone: ZoneInfo) -> set[date]:
    """Every local day from the first shipment's to the last's (a day without one
    costs an empty index range; reading a million shipments' times costs seconds)."""
    first, last = session.execute(select(func.min(SHIPMENTS.c.shipped_at),
                                         func.max(SHIPMENTS.c.shipped_at))).one()
    if first is None:
        return set()
    day, end = first.astimezone(zone).date(), last.astimezone(zone).date()
    return {day + timedelta(days=count) for count in range((end - day).days + 1)}


def _shipped_days(session: Session, zone: ZoneInfo, placed: Sequence[date]) -> set[date]:
    """The local days the shipments of the orders placed on the days ``placed`` were
    made on."""
    days = utc_buckets([span(day, day + timedelta(days=1)) for day in placed], zone.key)
    shipments = ORDERS.join(SHIPMENTS, SHIPMENTS.c.order_id == ORDERS.c.id)
    return {moment.astimezone(zone).date()
            for statement in per_bucket(days, lambda bucket: select(SHIPMENTS.c.shipped_at)
                                        .select_from(shipments)
                                        .where(bucket.holds(ORDERS.c.placed_at)))
            for moment in session.execute(statement).scalars()}


def mark_orders(session: Session, order_ids: Iterable[int]) -> None:
    """Note that these orders change in this transaction (call before deleting them)."""
    if timezone_of(session) is None:
        return
    ids = sorted(set(order_ids))
    for first in range(0, len(ids), _BATCH):
        rows = session.execute(select(ORDERS.c.placed_at, ORDERS.c.customer_id).where(
            ORDERS.c.id.in_(ids[first:first + _BATCH]))).all()
        mark_placed(session, [row.placed_at for row in rows],
                    [row.customer_id for row in rows])


def mark_placed(session: Session, placed: Iterable[datetime],
                customers: Iterable[int | None] = ()) -> None:
    """Note that orders placed at these instants (of these customers) change in this
    transaction."""
    timezone = timezone_of(session)
    if timezone is None:
        return
    mark_customers(session, customers)
    zone = ZoneInfo(timezone)
    days = {moment.astimezone(zone).date() for moment in placed}
    if days:
        session.info.setdefault(_DIRTY, set()).update(days)
        before_commit(session, "summaries", refresh)


def refresh(session: Session) -> None:
    """Summarise again the days marked in this transaction (run as it commits)."""
    days = session.info.pop(_DIRTY, set())
    customers = session.info.pop(_CUSTOMERS, set())
    timezone = timezone_of(session)
    if timezone is None:
        return
    if days:
        placed = sorted(days)
        shipped = (days | _shipped_days(session, ZoneInfo(timezone), placed)
                   if shipped_kept(session) else set())
        _summarise(session, timezone, placed, sorted(shipped))
    if customers:
        _keep_histories(session, sorted(customers))


def fresh_rows(session: Session, timezone: str, days: Sequence[date],
               shipped_days: Sequence[date]) -> dict[Table, list[tuple[Any, ...]]]:
    """The summary rows of ``days`` (of ``shipped_days`` for the shipped summary) as the
    orders have them now, per table (in the order of its COLUMNS): what the tables
    should hold."""
    periods = [span(day, day + timedelta(days=1)) for day in days]
    buckets = utc_buckets(periods, timezone)
    shipped = [span(day, day + timedelta(days=1)) for day in shipped_days]
    return {SALES: _sales_rows(session, buckets), LINE: _line_rows(session, buckets),
            FULFILLMENT: _fulfillment_rows(session, periods, timezone),
            SHIPPED: _shipped_rows(session, shipped, timezone)}


def _summarise(session: Session, timezone: str, days: Sequence[date],
               shipped_days: Sequence[date]) -> None:
    """Make the summaries of ``days`` (placed) and ``shipped_days`` again."""
    for tables, some in ((SUMMARIES, days), ((SHIPPED,), shipped_days)):
        starts = [utc_bounds(span(day, day), timezone)[0] for day in some]
        for first in range(0, len(starts), _BATCH):
            batch = starts[first:first + _BATCH]
            for table in tables:
                session.execute(delete(table).where(table.c.day.in_(batch)))
    connection = session.connection()
    for table, rows in fresh_rows(session, timezone, days, shipped_days).items():
        insert_rows(connection, table, COLUMNS[table], rows)
    for table, some in ((LINE, days), (SHIPPED, shipped_days)):
        _roll_up(session, table, timezone, sorted({day.replace(day=1) for day in some}))


def _roll_up(session: Session, table: Table, timezone: str, months: Sequence[date]) -> None:
    """Make ``table``'s monthly roll-ups of ``months`` again from their days."""
    dimensions, summed, greatest = ROLLED[table]
    for month in months:
        start, end = utc_bounds(span(month, next_month(month)), timezone)
        first = bindparam(None, start, type_=UTCDateTime())
        session.execute(delete(table).where(
            table.c.dimension.in_([dimension + MONTHLY for dimension in dimensions]),
            table.c.day == first))
        for dimension in dimensions:
            rolled = (select(literal(dimension + MONTHLY), first, table.c.currency,
                             table.c.key, *(func.sum(table.c[name]) for name in summed),
                             *(func.max(table.c[name]) for name in greatest))
                      .where(table.c.dimension == dimension, table.c.day >= first,
                             table.c.day < bindparam(None, end, type_=UTCDateTime()))
                      .group_by(table.c.currency, table.c.key))
            session.execute(insert(table).from_select(COLUMNS[table], rolled))


def _rows(session: Session, buckets: Sequence[Bucket],
          build: Callable[[Bucket], Select[Any]]) -> list[Any]:
    return [row._mapping for statement in per_bucket(buckets, build)
            for row in session.execute(statement)]


def _sales_rows(session: Session, buckets: Sequence[Bucket]) -> list[tuple[Any, ...]]:
    """Per day, currency, channel, country and cancelled-or-not: the settled orders' sums,
    by the sales report's own queries (grouped by channel and country)."""
    # The separator inline (not a bound parameter), so that PostgreSQL sees the selected
    # key and the grouped one as the same expression.
    key = GroupKey("channel_country", "order", ORDERS.c.channel + _SEPARATOR + group_key(
        "country").expression)
    rows: dict[tuple[Any, ...], dict[str, int]] = {}
    for status_set, cancelled in ((SOLD, False), (("cancelled",), True)):
        units = {(row["seq"], row["currency"], row["key"]): row for row in _rows(
            session, buckets, lambda bucket, s=status_set: unit_sums(bucket, key, s))}
        for row in _rows(session, buckets, lambda bucket, s=status_set: order_sums(bucket,
                                                                                   key, s)):
            lines = units.get((row["seq"], row["currency"], row["key"]))
            sums = {name: int(row[name] or 0) for name in AMOUNTS if name in row}
            sums["units"] = int(lines["units"] or 0) if lines else 0
            sums["gross"] = int(lines["gross"] or 0) if lines else 0
            count = int(row["cancelled"] if cancelled else row["orders"])
            if count:
                channel, country = row["key"].rsplit("\x1f", 1)
                rows[(buckets[row["seq"]].start, row["currency"], channel, country,
                      cancelled)] = {"orders": count, **sums}
    return [(*key_of, values["orders"], *(values[name] for name in AMOUNTS))
            for key_of, values in rows.items()]


def _line_rows(session: Session, buckets: Sequence[Bucket]) -> list[tuple[Any, ...]]:
    """Per dimension, day, currency and key: the settled orders' lines' sums."""
    result = []
    for dimension in DIMENSIONS:
        key = group_key(dimension)
        cancelled = {(row["seq"], row["currency"], row["key"]): int(row["cancelled"])
                     for row in _rows(session, buckets,
                                      lambda bucket, k=key: cancelled_sums(bucket, k))}
        for row in _rows(session, buckets, lambda bucket, k=key: _line_sums(bucket, k)):
            place = (row["seq"], row["currency"], row["key"])
            result.append((dimension, buckets[row["seq"]].start, row["currency"], row["key"],
                           int(row["orders"]), cancelled.pop(place, 0),
                           *(int(row[name] or 0) for name in (*AMOUNTS, *_LINE_EXTRAS)),
                           row["unlinked_name"]))
        result += [(dimension, buckets[seq].start, currency, value, 0, count,
                    *[0] * (len(AMOUNTS) + len(_LINE_EXTRAS)), None)
                   for (seq, currency, value), count in cancelled.items()]
    return result


def _line_sums(bucket: Bucket, key: GroupKey) -> Select[Any]:
    """The sales report's line sums of the bucket's sold orders, with what the products
    report needs beside them."""
    linked = LINES.c.product_id.is_not(None)
    rows = line_rows(bucket, key, LINES.c.returned, LINES.c.cancelled.label("line_cancelled"),
                     linked.label("linked"), LINES.c.name.label("line_name"), statuses=SOLD)
    kept = rows.c.units - rows.c.line_cancelled - rows.c.returned
    return (select(*bucket.columns(), rows.c.currency, rows.c.key, *line_measures(rows),
                   func.count().label("lines"),
                   func.coalesce(func.sum(rows.c.returned), 0).label("returned"),
                   _total_if(rows.c.linked, kept).label("kept_linked"),
                   _total_if(~rows.c.linked, 1).label("unlinked_lines"),
                   func.max(_when(~rows.c.linked, rows.c.line_name)).label("unlinked_name"))
            .group_by(rows.c.currency, rows.c.key))


def _total_if(condition: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _when(condition: Any, value: Any) -> Any:
    return case((condition, value))


def _fulfillment_rows(session: Session, periods: Sequence[Period], timezone: str
                      ) -> list[tuple[Any, ...]]:
    """Per dimension, day and key: the settled orders' fulfillment tallies as rows."""
    result = []
    for first in range(0, len(periods), _BATCH):
        chunk = periods[first:first + _BATCH]
        starts = [utc_bounds(period, timezone)[0] for period in chunk]
        table = bucket_table(chunk, timezone)
        for dimension in ("channel", "location"):
            tallies: defaultdict[tuple[int, Any], Tally] = defaultdict(Tally)
            for row in session.execute(select(order_facts(table, dimension,
                                                          SETTLED))).mappings():
                tallies[(row["seq"], row["key"])].add_order(row)
            for (seq, key), tally in tallies.items():
                day = starts[seq]
                result += [(dimension, day, key, measure, 0, count) for measure, count in (
                    ("orders", tally.orders), ("split", tally.split),
                    ("backordered", tally.backordered)) if count]
                result += [(dimension, day, key, measure, tenth, count)
                           for measure in ("allocate", "ship")
                           for tenth, count in getattr(tally, measure).items()]
    return result


def _shipped_rows(session: Session, periods: Sequence[Period], timezone: str
                  ) -> list[tuple[Any, ...]]:
    """Per dimension, day (shipped), currency and key: the settled orders' units shipped."""
    days = utc_buckets(periods, timezone)
    return [(dimension, days[row["seq"]].start, row["currency"], row["key"], int(row["units"]))
            for dimension in SHIPPED_DIMENSIONS
            for row in _rows(session, days, partial(shipped_units, dimension=dimension,
                                                    orders=settled()))
            if row["units"]]


def drifted_days(session: Session) -> list[date]:
    """The days whose stored summaries differ from what their orders say now (none
    when the summaries are not kept)."""
    timezone = timezone_of(session)
    if timezone is None:
        return []
    zone = ZoneInfo(timezone)
    stored: dict[date, Counter[tuple[Any, ...]]] = defaultdict(Counter)
    monthly: list[tuple[Any, ...]] = []
    kept = shipped_kept(session)
    for table in (*SUMMARIES, SHIPPED) if kept else SUMMARIES:
        for row in session.execute(select(*(table.c[name] for name in COLUMNS[table]))):
            if table in ROLLED and row.dimension.endswith(MONTHLY):
                monthly.append((table.name, *row))
            else:
                stored[row.day.astimezone(zone).date()][(table.name, *row)] += 1
    days = sorted(set(stored) | _settled_days(session, zone)
                  | (_shipping_days(session, zone) if kept else set()))
    fresh: dict[date, Counter[tuple[Any, ...]]] = defaultdict(Counter)
    for table, rows in fresh_rows(session, timezone, days, days if kept else []).items():
        at = COLUMNS[table].index("day")
        for values in rows:
            fresh[values[at].astimezone(zone).date()][(table.name, *values)] += 1
    drifted = {day for day in days if stored.get(day, Counter()) != fresh.get(day,
                                                                              Counter())}
    return sorted(drifted | _drifted_months(stored, monthly, zone))


def _drifted_months(stored: dict[date, Counter[tuple[Any, ...]]],
                    monthly: Sequence[tuple[Any, ...]], zone: ZoneInfo) -> set[date]:
    """The first days of the months whose stored roll-ups differ from their stored days
    (which are checked against the orders themselves)."""
    summed = {table.name: len(roll_up.summed) for table, roll_up in ROLLED.items()}
    rolled: dict[date, dict[tuple[Any, ...], list[Any]]] = defaultdict(dict)
    for day, rows in stored.items():
        for (table, dimension, _, currency, key, *values), count in rows.items():
            if table not in summed:
                continue
            sums = rolled[day.replace(day=1)].setdefault(
                (table, dimension + MONTHLY, currency, key),
                [0] * summed[table] + [None] * (len(values) - summed[table]))
            for at, value in enumerate(values):
                if at < summed[table]:
                    sums[at] += value * count
                elif value is not None and (sums[at] is None or value > sums[at]):
                    sums[at] = value
    kept: dict[date, dict[tuple[Any, ...], list[Any]]] = defaultdict(dict)
    for table, dimension, day, currency, key, *values in monthly:
        kept[day.astimezone(zone).date()][(table, dimension, currency, key)] = list(values)
    return {month for month in set(rolled) | set(kept)
            if rolled.get(month, {}) != kept.get(month, {})}


def summarise_again(session: Session, days: Sequence[date],
                    customers: Sequence[int] = ()) -> None:
    """Make the summaries of ``days`` (each summary's own days) and the histories of
    ``customers`` again from their orders (``db check --repair``)."""
    timezone = timezone_of(session)
    if timezone is not None and days:
        _summarise(session, timezone, days, days if shipped_kept(session) else [])
    if timezone is not None and customers:
        _keep_histories(session, customers)


# Customer histories ----------------------------------------------------------------------

def mark_customers(session: Session, customer_ids: Iterable[int | None]) -> None:
    """Note that orders of these customers change in this transaction (new ones, a
    cancellation, a refund, an update from the channel)."""
    ids = {customer for customer in customer_ids if customer is not None}
    if ids and timezone_of(session) is not None:
        session.info.setdefault(_CUSTOMERS, set()).update(ids)
        before_commit(session, "summaries", refresh)


def histories(customer_ids: Sequence[int] | None = None) -> Select[Any]:
    """The ``customer_history`` rows of these customers (None: of every customer) as
    their orders have them now: each order not cancelled, in HISTORY_COLUMNS order."""
    revenue = ORDERS.c.total - ORDERS.c.refunded
    in_turn: dict[str, Any] = {"partition_by": (ORDERS.c.customer_id, ORDERS.c.currency),
                               "order_by": (ORDERS.c.placed_at, ORDERS.c.id)}
    query = (select(ORDERS.c.id, ORDERS.c.customer_id, ORDERS.c.currency,
                    ORDERS.c.placed_at, revenue.label("revenue"),
                    func.min(ORDERS.c.placed_at).over(partition_by=ORDERS.c.customer_id)
                    .label("first_at"),
                    func.lag(ORDERS.c.placed_at, type_=UTCDateTime()).over(**in_turn)
                    .label("prev_at"),
                    func.lead(ORDERS.c.placed_at, type_=UTCDateTime()).over(**in_turn)
                    .label("next_at"),
                    func.row_number().over(**in_turn).label("number"),
                    func.sum(revenue).over(**in_turn, rows=(None, 0)).label("running"))
             .where(ORDERS.c.customer_id.is_not(None), ORDERS.c.status != "cancelled"))
    if customer_ids is not None:
        query = query.where(ORDERS.c.customer_id.in_(customer_ids))
    return query


def _keep_histories(session: Session, customer_ids: Sequence[int] | None) -> None:
    """Make the histories of these customers (None: of all) again from their orders."""
    if customer_ids is None:
        session.execute(delete(HISTORY))
        session.execute(insert(HISTORY).from_select(HISTORY_COLUMNS, histories()))
        return
    for first in range(0, len(customer_ids), _BATCH):
        batch = customer_ids[first:first + _BATCH]
        session.execute(delete(HISTORY).where(HISTORY.c.customer_id.in_(batch)))
        session.execute(insert(HISTORY).from_select(HISTORY_COLUMNS, histories(batch)))


def drifted_customers(session: Session) -> list[int]:
    """The customers whose stored history differs from what their orders say now (none
    when the summaries are not kept)."""
    if timezone_of(session) is None:
        return []
    fresh = select(*histories().subquery("fresh").c)
    stored = select(*(HISTORY.c[name] for name in HISTORY_COLUMNS))
    differing: set[int] = set()
    for query in (fresh.except_(stored), stored.except_(fresh)):
        differing.update(row.customer_id for row in session.execute(query))
    return sorted(differing)
