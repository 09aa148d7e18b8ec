"""The allocation planner: which location ships which units of which order.

Orders are served one at a time, most urgent first: a higher order ``priority`` first
(default 0, so an order bumped to 1 jumps the queue), then the oldest ``placed_at``,
then the lowest order id. FIFO is the fairness policy: when stock is short, the order
placed first gets it. Each reservation lowers the stock later orders see.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from oms_cli.domain.allocation.model import OrderDemand, Plan, Policy, Reservation, Site
from oms_cli.domain.allocation.ranking import (
    Candidate,
    Option,
    Ranking,
    Reach,
    Routes,
    set_scores,
)
from oms_cli.domain.allocation.routing import (
    Fill,
    Needs,
    Stock,
    Take,
    greedy_fill,
    whole_order_candidates,
    whole_order_takes,
)
from oms_cli.domain.allocation.trace import Trace, TraceContext
from oms_cli.errors import InvalidInput

TRACED_CANDIDATES = 20
_rank_key = attrgetter("key")


@dataclass(slots=True)  # not frozen: made for every order, and frozen init is 4x slower
class RoutedOrder:
    """One order's share of a plan: its reservations as (line id, location code, line
    units) in the order made, the decision in a few words, and its trace."""

    order_id: int
    takes: tuple[Take, ...]
    decision: str
    trace: Trace


def plan_allocation(orders: Iterable[OrderDemand], available: Mapping[tuple[int, str], int],
                    sites: Sequence[Site], policy: Policy) -> Plan:
    """Plan reservations for ``orders`` from ``available`` stock; pure, nothing is changed.

    ``available`` maps (product id, location code) to the units that may still be
    promised (net of reserved, damaged and safety stock). Reservations count line
    units, and together never take more of a product at a location than it has.
    The plan is the same whatever order ``orders`` and ``sites`` come in. Raises
    InvalidInput when two orders share an id or two sites a code.
    """
    plan = Plan(reservations=[], traces={}, decisions={})
    with _cycle_collector_paused():
        for routed in route_orders(orders, available, sites, policy):
            plan.reservations.extend(Reservation(routed.order_id, line_id, code, units)
                                     for line_id, code, units in routed.takes)
            plan.decisions[routed.order_id] = routed.decision
            plan.traces[routed.order_id] = routed.trace.as_dict()
    return plan


def route_orders(orders: Iterable[OrderDemand], available: Mapping[tuple[int, str], int],
                 sites: Sequence[Site], policy: Policy) -> Iterator[RoutedOrder]:
    """``plan_allocation`` one order at a time, most urgent first, for a caller that
    writes as it goes and keeps nothing: each order sees the stock the ones before it
    left. Raises InvalidInput (as plan_allocation does) before routing any order.

    The caller decides whether to pause the cycle collector (see plan_allocation).
    """
    served = _serving_order(orders)
    stock: dict[int, dict[str, int]] = defaultdict(dict)
    for (product, code), units in available.items():
        if units > 0:
            stock[product][code] = units
    routes, context = Routes(sites), TraceContext(Ranking(policy.rules), policy)
    return (_route(order, routes, stock, context) for order in served)


def _route(order: OrderDemand, routes: Routes, stock: dict[int, dict[str, int]],
           context: TraceContext) -> RoutedOrder:
    needs = Needs.of(order.lines)
    takes, decision, trace = route_order(
        needs, routes.reach(order.country, order.region), stock, context)
    _take_stock(stock, needs, takes)
    return RoutedOrder(order.order_id, takes, decision, trace)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a plan is built, and restore it after.

    A plan holds a few dozen small containers per order, none in a cycle; the
    collector would rescan all of them again and again as the plan grows, which took
    a third of the planning time for 100k orders. Nothing is left for it to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _serving_order(orders: Iterable[OrderDemand]) -> list[OrderDemand]:
    served = sorted(orders, key=_urgency)
    seen: set[int] = set()
    for order in served:
        if order.order_id in seen:
            raise InvalidInput(f"order {order.order_id} is listed twice for allocation")
        seen.add(order.order_id)
    return served


def _urgency(order: OrderDemand) -> tuple[int, datetime, int]:
    return -order.priority, order.placed_at, order.order_id


def route_order(needs: Needs, reach: Reach, stock: Stock,
                context: TraceContext) -> tuple[tuple[Take, ...], str, Trace]:
    """The units one order reserves where, the decision in a few words, and its trace.

    Sets of up to three sites are searched exactly. When none ships everything, the
    greedy fill either does (from more sites, where the policy allows) or shows what
    a backorder would reserve.
    """
    ranking, policy = context.ranking, context.policy
    ranked, refused = _options(needs, reach, stock, ranking)
    tried = whole_order_candidates(needs, ranked, stock, ranking, policy.site_limit)
    chosen = min([c for c in tried if c.feasible], key=_rank_key, default=None)
    takes: tuple[Take, ...] = ()
    if chosen is not None:
        takes = whole_order_takes(needs, chosen, stock)
    elif ranked:
        greedy = greedy_fill(needs, ranked, stock, policy.site_limit)
        candidate = _greedy_candidate(greedy, ranked, ranking)
        if greedy.takes and all(c.codes != candidate.codes for c in tried):
            tried.append(candidate)
        if not greedy.shortfall:
            chosen, takes = candidate, greedy.takes
        elif policy.partial == "backorder":
            takes = greedy.takes
    decision = _decision(needs, reach, chosen, takes, policy)
    return takes, decision, _trace(needs, ranked, refused, tried, chosen, takes, decision,
                                   context)


def _decision(needs: Needs, reach: Reach, chosen: Candidate | None, takes: Sequence[Take],
              policy: Policy) -> str:
    if chosen is not None:
        if len(chosen.codes) == 1:
            return f"single: {chosen.codes[0]}"
        return f"split: {'+'.join(chosen.codes)}"
    if not reach.sites:
        return "no eligible location"
    if policy.partial == "wait":
        return "waiting (partial=wait)"
    reserved = sum([units for _, _, units in takes])
    if not reserved:
        return "backordered: no stock"
    return f"partial: {needs.total - reserved} of {needs.total} backordered"


def _greedy_candidate(greedy: Fill, ranked: Sequence[Option], ranking: Ranking) -> Candidate:
    used = tuple(option for option in ranked if option.code in greedy.sites)
    scores = set_scores(used)
    return Candidate(tuple([option.code for option in used]), scores, ranking.key(scores),
                     not greedy.shortfall, True)


def _options(needs: Needs, reach: Reach, stock: Stock,
             ranking: Ranking) -> tuple[list[Option], dict[str, str]]:
    """The eligible sites in their individual rank order, and why the others are not."""
    refused = reach.refused  # copied before it is added to: it is the destination's
    options = []
    holdings = needs.holdings(stock)
    for site, distance in reach.sites:
        # Plain loops, inline: comprehensions and calls cost more on a few items.
        code, units, whole = site.code, 0, True  # whole: it could ship every line alone
        for left, needed in holdings:
            held = left.get(code, 0)
            units += held
            if held < needed:
                whole = False
        if units:
            options.append(ranking.option(site, distance, units, whole))
        else:
            if refused is reach.refused:
                refused = dict(reach.refused)
            refused[code] = "no stock"
    options.sort(key=_rank_key)
    return options, refused


def _take_stock(stock: dict[int, dict[str, int]], needs: Needs,
                takes: Iterable[Take]) -> None:
    for line_id, code, units in takes:
        for product, per_unit in needs.parts[line_id]:
            stock[product][code] -= units * per_unit


def _trace(needs: Needs, ranked: Sequence[Option], refused: dict[str, str],
           tried: Sequence[Candidate], chosen: Candidate | None, takes: Sequence[Take],
           decision: str, context: TraceContext) -> Trace:
    """What --explain prints: who could ship, each candidate and its rules, the choice."""
    # Those that can ship everything first, then by rank (a stable partition of a list
    # sorted by rank: cheaper than a sort key made in Python for each candidate).
    by_rank = sorted(tried, key=_rank_key)
    shown = ([c for c in by_rank if c.feasible]
             + [c for c in by_rank if not c.feasible])[:TRACED_CANDIDATES]
    eligible = tuple([option.code for option in ranked])
    if chosen is not None:  # it ships everything, and each of its sites ships some
        used, reserved = chosen.codes, needs.total
    else:
        shipping = {code for _, code, _ in takes}
        used = tuple([code for code in eligible if code in shipping])
        reserved = sum([units for _, _, units in takes])
    return Trace(eligible, refused, shown, len(tried) - len(shown), used, decision,
                 needs.total, reserved, context)
