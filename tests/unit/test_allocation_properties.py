"""Invariants of the allocation planner over random sites, stock, orders and policies."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from oms_cli.domain.allocation import (
    RULES,
    Demand,
    OrderDemand,
    Plan,
    Policy,
    Site,
    plan_allocation,
    route_orders,
)

CODES = ("a", "b", "c", "d", "e")
COUNTRIES = ("US", "CA", "DE")
PRODUCTS = (1, 2, 3, 4)
MORNING = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

Stock = dict[tuple[int, str], int]


@st.composite
def sites(draw: st.DrawFn) -> list[Site]:
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=5, unique=True))
    # Mostly sites that can ship most orders, so that splits and ties are common.
    return [Site(code, draw(st.integers(0, 3)), draw(st.sampled_from(("US", "US", "CA", None))),
                 draw(st.sampled_from(("NY", "ON", None))),
                 draw(st.just(frozenset()) | st.frozensets(st.sampled_from(COUNTRIES))),
                 draw(st.sampled_from((True, True, True, False))))
            for code in codes]


def stock_at(codes: list[str]) -> st.SearchStrategy[Stock]:
    return st.fixed_dictionaries({(product, code): st.integers(-1, 8)
                                  for product in PRODUCTS for code in codes})


parts = st.one_of(
    st.sampled_from(PRODUCTS).map(lambda product: ((product, 1),)),
    st.lists(st.tuples(st.sampled_from(PRODUCTS), st.integers(1, 2)), min_size=1, max_size=3)
    .map(tuple),
)


@st.composite
def orders(draw: st.DrawFn) -> list[OrderDemand]:
    ids = draw(st.lists(st.integers(1, 40), min_size=1, max_size=8, unique=True))
    made, line_id = [], 0
    for order_id in ids:
        lines = []
        for _ in range(draw(st.integers(1, 3))):
            line_id += 1
            lines.append(Demand(line_id, draw(st.integers(1, 4)), draw(parts)))
        made.append(OrderDemand(
            order_id, draw(st.integers(0, 2)), MORNING + timedelta(hours=draw(st.integers(0, 3))),
            draw(st.sampled_from(("US", "US", "us", "CA", "DE", None))),
            draw(st.sampled_from(("NY", None))),
            tuple(lines)))
    return made


policies = st.builds(
    Policy,
    rules=st.permutations(RULES).flatmap(
        lambda rules: st.integers(0, len(rules)).map(lambda n: tuple(rules[:n]))),
    allow_split=st.booleans(),
    max_splits=st.none() | st.integers(1, 5),
    partial=st.sampled_from(("backorder", "wait")),
)


@st.composite
def days(draw: st.DrawFn) -> tuple[list[OrderDemand], Stock, list[Site], Policy]:
    day_sites = draw(sites())
    return (draw(orders()), draw(stock_at([s.code for s in day_sites])), day_sites,
            draw(policies))


def units_taken(plan: Plan, day_orders: list[OrderDemand]) -> dict[tuple[int, str], int]:
    parts_of = {line.line_id: line.parts for order in day_orders for line in order.lines}
    taken: dict[tuple[int, str], int] = defaultdict(int)
    for reservation in plan.reservations:
        for product, per_unit in parts_of[reservation.line_id]:
            taken[product, reservation.location] += reservation.quantity * per_unit
    return taken


def reserved_per_line(plan: Plan) -> dict[int, int]:
    reserved: dict[int, int] = defaultdict(int)
    for reservation in plan.reservations:
        reserved[reservation.line_id] += reservation.quantity
    return reserved


def sites_per_order(plan: Plan) -> dict[int, set[str]]:
    used: dict[int, set[str]] = defaultdict(set)
    for reservation in plan.reservations:
        used[reservation.order_id].add(reservation.location)
    return used


def may_ship(site: Site, country: str | None) -> bool:
    if not site.active:
        return False
    if country is None:
        return True
    if site.ships_to:
        return country.upper() in site.ships_to
    return site.country is None or site.country == country.upper()


SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(days())
def test_no_product_is_ever_reserved_beyond_what_a_site_has(day: tuple) -> None:
    day_orders, stock, day_sites, policy = day
    plan = plan_allocation(day_orders, stock, day_sites, policy)
    for (product, code), units in units_taken(plan, day_orders).items():
        assert units <= max(stock.get((product, code), 0), 0)


@SETTINGS
@given(days())
def test_every_reservation_holds_units_and_no_line_gets_more_than_it_wants(day: tuple) -> None:
    day_orders, stock, day_sites, policy = day
    plan = plan_allocation(day_orders, stock, day_sites, policy)
    wanted = {line.line_id: line.quantity for order in day_orders for line in order.lines}
    assert all(reservation.quantity > 0 for reservation in plan.reservations)
    for line_id, units in reserved_per_line(plan).items():
        assert units <= wanted[line_id]


@SETTINGS
@given(days())
def test_with_partial_wait_an_order_is_reserved_whole_or_not_at_all(day: tuple) -> None:
    day_orders, stock, day_sites, policy = day
    plan = plan_allocation(day_orders, stock, day_sites,
                           Policy(policy.rules, policy.allow_split, policy.max_splits, "wait"))
    reserved = reserved_per_line(plan)
    for order in day_orders:
        got = [reserved.get(line.line_id, 0) for line in order.lines]
        assert got == [0] * len(got) or got == [line.quantity for line in order.lines]


@SETTINGS
@given(days())
def test_an_order_never_ships_from_more_sites_than_the_policy_allows(day: tuple) -> None:
    day_orders, stock, day_sites, policy = day
    plan = plan_allocation(day_orders, stock, day_sites, policy)
    limit = 1 if not policy.allow_split else policy.max_splits
    for used in sites_per_order(plan).values():
        assert limit is None or len(used) <= limit


@SETTINGS
@given(days())
def test_nothing_is_reserved_at_a_site_that_may_not_ship_the_order(day: tuple) -> None:
    day_orders, stock, day_sites, policy = day
    plan = plan_allocation(day_orders, stock, day_sites, policy)
    by_code = {site.code: site for site in day_sites}
    country = {order.order_id: order.country for order in day_orders}
    for reservation in plan.reservations:
        assert may_ship(by_code[reservation.location], country[reservation.order_id])


@SETTINGS
@given(days(), st.randoms(use_true_random=False))
def test_the_plan_is_the_same_whatever_order_its_input_comes_in(day: tuple, rnd) -> None:
    day_orders, stock, day_sites, policy = day
    first = plan_allocation(day_orders, stock, day_sites, policy)
    mixed_orders, mixed_sites, mixed_stock = day_orders[:], day_sites[:], list(stock.items())
    for items in (mixed_orders, mixed_sites, mixed_stock):
        rnd.shuffle(items)
    assert plan_allocation(mixed_orders, dict(mixed_stock), mixed_sites, policy) == first
    assert plan_allocation(day_orders, stock, day_sites, policy) == first


@SETTINGS
@given(days())
def test_every_order_gets_a_decision_matching_its_reservations_and_a_json_trace(
        day: tuple) -> None:
    day_orders, stock, day_sites, policy = day
    plan = plan_allocation(day_orders, stock, day_sites, policy)
    reserved, used = reserved_per_line(plan), sites_per_order(plan)
    for order in day_orders:
        decision = plan.decisions[order.order_id]
        whole = all(reserved.get(line.line_id, 0) == line.quantity for line in order.lines)
        assert whole == decision.startswith(("single: ", "split: "))
        if whole:
            assert decision.split(": ")[1].split("+") == plan.traces[order.order_id]["chosen"]
            assert len(used[order.order_id]) == decision.count("+") + 1
        trace = plan.traces[order.order_id]
        assert json.loads(json.dumps(trace)) == trace
        assert trace["decision"] == decision


@SETTINGS
@given(days())
def test_routing_one_order_at_a_time_gives_the_plan_and_traces_stored_as_json_text(
        day: tuple) -> None:
    day_orders, stock, day_sites, policy = day
    plan = plan_allocation(day_orders, stock, day_sites, policy)
    routed = list(route_orders(day_orders, stock, day_sites, policy))
    assert [(r.order_id, *take) for r in routed for take in r.takes] == [
        (made.order_id, made.line_id, made.location, made.quantity)
        for made in plan.reservations]
    for order in routed:
        assert order.decision == plan.decisions[order.order_id]
        assert json.loads(order.trace.as_json()) == plan.traces[order.order_id]


@SETTINGS
@given(sites(), st.data())
def test_a_lone_order_that_may_split_freely_takes_all_the_eligible_stock_it_wants(
        day_sites: list[Site], data: st.DataObject) -> None:
    stock = data.draw(stock_at([s.code for s in day_sites]))
    products = data.draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=3,
                                  unique=True))
    order = OrderDemand(1, 0, MORNING, data.draw(st.sampled_from(COUNTRIES)), None, tuple(
        Demand(n, data.draw(st.integers(1, 9)), ((product, 1),))
        for n, product in enumerate(products, start=1)))
    plan = plan_allocation([order], stock, day_sites, Policy())
    reserved = reserved_per_line(plan)
    for line in order.lines:
        product = line.parts[0][0]
        there = sum(max(stock.get((product, s.code), 0), 0) for s in day_sites
                    if may_ship(s, order.country))
        assert reserved.get(line.line_id, 0) == min(line.quantity, there)


@SETTINGS
@given(sites(), st.data())
def test_a_lone_order_one_eligible_site_can_ship_is_never_split(
        day_sites: list[Site], data: st.DataObject) -> None:
    stock = data.draw(stock_at([s.code for s in day_sites]))
    order = data.draw(orders())[0]
    plan = plan_allocation([order], stock, day_sites, Policy())

    def ships_alone(site: Site) -> bool:
        need: dict[int, int] = defaultdict(int)
        for line in order.lines:
            for product, per_unit in line.parts:
                need[product] += line.quantity * per_unit
        return may_ship(site, order.country) and all(
            stock.get((product, site.code), 0) >= units for product, units in need.items())

    if any(ships_alone(site) for site in day_sites):
        assert plan.decisions[order.order_id].startswith("single: ")
