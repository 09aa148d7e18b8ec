"""The allocation planner on plain values: eligibility, the ranking rules, splits,
partial policies, bundles, fairness between orders, determinism and the trace."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from oms_cli.domain.allocation import (
    Demand,
    OrderDemand,
    Plan,
    Policy,
    Reservation,
    Site,
    plan_allocation,
)
from oms_cli.errors import InvalidInput

MORNING = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
SHOE, SOCK, LACE = 1, 2, 3


def site(code: str, priority: int = 10, country: str | None = "US", region: str | None = None,
         ships_to: tuple[str, ...] = (), active: bool = True) -> Site:
    return Site(code, priority, country, region, frozenset(ships_to), active)


def line(line_id: int, quantity: int, product: int = SHOE) -> Demand:
    return Demand(line_id, quantity, ((product, 1),))


def bundle(line_id: int, quantity: int, *parts: tuple[int, int]) -> Demand:
    return Demand(line_id, quantity, parts)


def order(order_id: int, *lines: Demand, priority: int = 0, minutes: int = 0,
          country: str | None = "US", region: str | None = None) -> OrderDemand:
    return OrderDemand(order_id, priority, MORNING + timedelta(minutes=minutes), country,
                       region, lines)


def plan(orders: list[OrderDemand], stock: dict[tuple[int, str], int], sites: list[Site],
         **policy: object) -> Plan:
    return plan_allocation(orders, stock, sites, Policy(**policy))  # type: ignore[arg-type]


def shipped_from(result: Plan, order_id: int = 1) -> dict[str, int]:
    """Line units an order reserves at each location."""
    units: dict[str, int] = defaultdict(int)
    for reservation in result.reservations:
        if reservation.order_id == order_id:
            units[reservation.location] += reservation.quantity
    return dict(units)


# -- the rules, each deciding a tie left by the ones before -------------------------------

def test_an_order_one_site_can_ship_reserves_everything_there() -> None:
    result = plan([order(1, line(11, 2), line(12, 1, SOCK))],
                  {(SHOE, "backroom"): 5, (SOCK, "backroom"): 5}, [site("backroom")])
    assert result.reservations == [Reservation(1, 11, "backroom", 2),
                                   Reservation(1, 12, "backroom", 1)]
    assert result.decisions[1] == "single: backroom"


def test_the_priority_rule_prefers_the_lower_configured_priority() -> None:
    result = plan([order(1, line(11, 2))], {(SHOE, "backroom"): 5, (SHOE, "east-3pl"): 5},
                  [site("east-3pl", priority=20), site("backroom", priority=30)])
    assert shipped_from(result) == {"east-3pl": 2}


def test_the_nearest_rule_prefers_the_same_region_then_the_same_country() -> None:
    sites = [site("berlin", country="DE", ships_to=("US", "DE")), site("la", region="CA"),
             site("nyc", region="NY")]
    stock = {(SHOE, code): 5 for code in ("berlin", "la", "nyc")}
    assert shipped_from(plan([order(1, line(11, 1), region="NY")], stock, sites)) == {"nyc": 1}
    assert shipped_from(plan([order(1, line(11, 1), region="TX")], stock,
                             sites[:2])) == {"la": 1}


def test_the_most_stock_rule_prefers_the_site_holding_more_of_the_order() -> None:
    result = plan([order(1, line(11, 2))], {(SHOE, "a-small"): 3, (SHOE, "b-big"): 9},
                  [site("a-small"), site("b-big")])
    assert shipped_from(result) == {"b-big": 2}


def test_the_location_code_breaks_a_tie_every_rule_leaves() -> None:
    sites = [site("zeta"), site("alpha"), site("mid")]
    result = plan([order(1, line(11, 2))], {(SHOE, code): 4 for code in ("zeta", "alpha", "mid")},
                  sites)
    assert shipped_from(result) == {"alpha": 2}


def test_the_rules_apply_in_the_configured_order() -> None:
    stock = {(SHOE, "first"): 3, (SHOE, "big"): 9}
    sites = [site("first", priority=1), site("big", priority=50)]
    by_priority = plan([order(1, line(11, 2))], stock, sites)
    by_stock = plan([order(1, line(11, 2))], stock, sites, rules=("most_stock", "priority"))
    assert (shipped_from(by_priority), shipped_from(by_stock)) == ({"first": 2}, {"big": 2})


def test_priority_compares_the_sorted_priorities_of_a_set() -> None:
    stock = {(SHOE, "p1"): 2, (SHOE, "p2"): 2, (SHOE, "p3"): 2, (SHOE, "p9"): 2}
    sites = [site("p1", 1), site("p2", 2), site("p3", 3), site("p9", 9)]
    result = plan([order(1, line(11, 4))], stock, sites)
    assert shipped_from(result) == {"p1": 2, "p2": 2}


# -- who may ship: country, ships_to, active ---------------------------------------------

def test_a_site_ships_only_to_its_own_country_when_ships_to_is_empty() -> None:
    result = plan([order(1, line(11, 1), country="CA")], {(SHOE, "ny"): 5}, [site("ny")])
    assert result.reservations == []
    assert result.decisions[1] == "no eligible location"
    assert result.traces[1]["ineligible"] == {"ny": "does not ship to CA"}


def test_ships_to_lists_every_country_a_site_ships_to() -> None:
    sites = [site("toronto", country="CA", ships_to=("CA", "US")),
             site("export", country="US", ships_to=("CA",))]
    stock = {(SHOE, "toronto"): 5, (SHOE, "export"): 5}
    us_order = plan([order(1, line(11, 1))], stock, sites)
    assert shipped_from(us_order) == {"toronto": 1}
    assert us_order.traces[1]["ineligible"] == {"export": "does not ship to US"}


def test_a_site_without_a_country_ships_anywhere() -> None:
    result = plan([order(1, line(11, 1), country="JP")], {(SHOE, "dropship"): 5},
                  [site("dropship", country=None)])
    assert shipped_from(result) == {"dropship": 1}


def test_an_order_without_a_country_may_ship_from_any_active_site() -> None:
    result = plan([order(1, line(11, 1), country=None)], {(SHOE, "berlin"): 5},
                  [site("berlin", country="DE")])
    assert shipped_from(result) == {"berlin": 1}


def test_countries_and_regions_compare_without_case() -> None:
    result = plan([order(1, line(11, 1), country="us", region="ny")],
                  {(SHOE, "la"): 5, (SHOE, "nyc"): 5},
                  [site("la", country="US", region="CA"), site("nyc", country="US", region="NY")])
    assert shipped_from(result) == {"nyc": 1}


def test_an_inactive_site_ships_nothing_even_with_stock() -> None:
    result = plan([order(1, line(11, 1))], {(SHOE, "closed"): 9, (SHOE, "open"): 1},
                  [site("closed", priority=1, active=False), site("open", priority=5)])
    assert shipped_from(result) == {"open": 1}
    assert result.traces[1]["ineligible"] == {"closed": "inactive"}


def test_a_site_without_any_of_the_order_is_not_eligible() -> None:
    result = plan([order(1, line(11, 1))], {(SHOE, "a"): 1, (SOCK, "b"): 9},
                  [site("a"), site("b")])
    assert result.traces[1]["eligible"] == ["a"]
    assert result.traces[1]["ineligible"] == {"b": "no stock"}


# -- splitting -----------------------------------------------------------------------------

def test_fewest_splits_prefers_one_site_over_a_better_priority_pair() -> None:
    stock = {(SHOE, "first"): 2, (SHOE, "second"): 2, (SHOE, "far"): 4}
    sites = [site("first", 1), site("second", 2), site("far", 90)]
    result = plan([order(1, line(11, 4))], stock, sites)
    assert shipped_from(result) == {"far": 4}
    assert result.decisions[1] == "single: far"


def test_an_order_no_single_site_can_ship_splits_over_a_pair() -> None:
    stock = {(SHOE, "backroom"): 3, (SOCK, "east-3pl"): 2, (SHOE, "west-3pl"): 1}
    sites = [site("backroom", 10), site("east-3pl", 20), site("west-3pl", 5)]
    result = plan([order(1, line(11, 3), line(12, 2, SOCK))], stock, sites)
    assert result.reservations == [Reservation(1, 11, "backroom", 3),
                                   Reservation(1, 12, "east-3pl", 2)]
    assert result.decisions[1] == "split: backroom+east-3pl"


def test_a_split_takes_as_much_as_it_can_from_the_better_ranked_site() -> None:
    result = plan([order(1, line(11, 5))], {(SHOE, "main"): 3, (SHOE, "spare"): 4},
                  [site("spare", 20), site("main", 10)])
    assert result.reservations == [Reservation(1, 11, "main", 3), Reservation(1, 11, "spare", 2)]
    assert result.decisions[1] == "split: main+spare"


def test_an_order_no_pair_can_ship_splits_over_a_triple() -> None:
    stock = {(SHOE, "a"): 1, (SOCK, "b"): 1, (LACE, "c"): 1, (SHOE, "d"): 1}
    result = plan([order(1, line(11, 1), line(12, 1, SOCK), line(13, 1, LACE))], stock,
                  [site("a", 1), site("b", 2), site("c", 3), site("d", 4)])
    assert shipped_from(result) == {"a": 1, "b": 1, "c": 1}
    assert result.decisions[1] == "split: a+b+c"


def test_more_than_three_sites_are_used_greedily_when_no_triple_can_ship() -> None:
    codes = ("a", "b", "c", "d", "e")
    result = plan([order(1, line(11, 5))], {(SHOE, code): 1 for code in codes},
                  [site(code, priority) for priority, code in enumerate(codes)])
    assert shipped_from(result) == dict.fromkeys(codes, 1)
    assert result.decisions[1] == "split: a+b+c+d+e"
    assert result.traces[1]["candidates"][0]["greedy"] is True


def test_a_set_in_which_a_site_would_ship_nothing_is_no_candidate() -> None:
    # Ranked by stock alone, the pair would hold more than "big" does, but "big" alone
    # ships everything: adding "small" would only split the order for nothing.
    result = plan([order(1, line(11, 5))], {(SHOE, "big"): 10, (SHOE, "small"): 3},
                  [site("big"), site("small")], rules=("most_stock",))
    assert shipped_from(result) == {"big": 5}


def test_without_fewest_splits_a_better_pair_can_beat_a_single_site() -> None:
    result = plan([order(1, line(11, 5))], {(SHOE, "first"): 2, (SHOE, "second"): 5},
                  [site("first", 1), site("second", 2)], rules=("priority",))
    assert shipped_from(result) == {"first": 2, "second": 3}


def test_max_splits_caps_the_sites_one_order_ships_from() -> None:
    stock = {(SHOE, "a"): 1, (SOCK, "b"): 1, (LACE, "c"): 1}
    result = plan([order(1, line(11, 1), line(12, 1, SOCK), line(13, 1, LACE))], stock,
                  [site("a", 1), site("b", 2), site("c", 3)], max_splits=2)
    assert shipped_from(result) == {"a": 1, "b": 1}
    assert result.decisions[1] == "partial: 1 of 3 backordered"


def test_without_splits_a_short_order_reserves_at_the_site_holding_most_of_it() -> None:
    stock = {(SHOE, "first"): 1, (SHOE, "most"): 3, (SHOE, "other"): 2}
    result = plan([order(1, line(11, 5))], stock,
                  [site("first", 1), site("most", 9), site("other", 2)], allow_split=False)
    assert result.reservations == [Reservation(1, 11, "most", 3)]
    assert result.decisions[1] == "partial: 2 of 5 backordered"


def test_a_max_splits_of_one_is_the_same_as_no_splitting() -> None:
    stock = {(SHOE, "a"): 2, (SHOE, "b"): 3}
    orders, sites = [order(1, line(11, 5))], [site("a", 1), site("b", 2)]
    assert (plan(orders, stock, sites, max_splits=1).reservations
            == plan(orders, stock, sites, allow_split=False).reservations
            == [Reservation(1, 11, "b", 3)])


# -- when stock is short -------------------------------------------------------------------

def test_backorder_reserves_what_there_is_and_backorders_the_rest() -> None:
    result = plan([order(1, line(11, 3), line(12, 2, SOCK))],
                  {(SHOE, "a"): 1, (SHOE, "b"): 1, (SOCK, "b"): 1}, [site("a", 1), site("b", 2)])
    assert result.reservations == [Reservation(1, 11, "a", 1), Reservation(1, 11, "b", 1),
                                   Reservation(1, 12, "b", 1)]
    assert result.decisions[1] == "partial: 2 of 5 backordered"


def test_wait_reserves_nothing_until_the_whole_order_can_ship() -> None:
    orders = [order(1, line(11, 3))]
    short = plan(orders, {(SHOE, "a"): 2}, [site("a")], partial="wait")
    enough = plan(orders, {(SHOE, "a"): 3}, [site("a")], partial="wait")
    assert (short.reservations, short.decisions[1]) == ([], "waiting (partial=wait)")
    assert enough.reservations == [Reservation(1, 11, "a", 3)]


def test_a_waiting_order_leaves_its_stock_to_the_orders_after_it() -> None:
    result = plan([order(1, line(11, 3)), order(2, line(21, 2), minutes=5)], {(SHOE, "a"): 2},
                  [site("a")], partial="wait")
    assert result.reservations == [Reservation(2, 21, "a", 2)]


def test_an_order_nobody_has_stock_for_is_backordered() -> None:
    result = plan([order(1, line(11, 1))], {(SOCK, "a"): 5}, [site("a")])
    assert (result.reservations, result.decisions[1]) == ([], "backordered: no stock")


def test_negative_availability_counts_as_none() -> None:
    result = plan([order(1, line(11, 1))], {(SHOE, "a"): -3, (SHOE, "b"): 1},
                  [site("a", 1), site("b", 2)])
    assert shipped_from(result) == {"b": 1}


# -- bundles -------------------------------------------------------------------------------

def test_a_bundle_reserves_whole_units_each_at_one_site() -> None:
    kit = bundle(11, 2, (SHOE, 1), (LACE, 2))
    stock = {(SHOE, "a"): 2, (LACE, "a"): 3, (SHOE, "b"): 1, (LACE, "b"): 2}
    result = plan([order(1, kit)], stock, [site("a", 1), site("b", 2)])
    assert result.reservations == [Reservation(1, 11, "a", 1), Reservation(1, 11, "b", 1)]


def test_a_bundle_unit_needs_every_part_at_the_same_site() -> None:
    kit = bundle(11, 1, (SHOE, 1), (LACE, 1))
    result = plan([order(1, kit)], {(SHOE, "a"): 5, (LACE, "b"): 5}, [site("a"), site("b")])
    assert result.reservations == []
    assert result.decisions[1] == "backordered: no stock"


def test_a_product_in_two_lines_is_never_promised_twice() -> None:
    kit = bundle(12, 1, (SHOE, 2), (LACE, 1))
    result = plan([order(1, line(11, 2), kit)], {(SHOE, "a"): 3, (LACE, "a"): 1}, [site("a")])
    assert result.reservations == [Reservation(1, 11, "a", 2)]
    assert result.decisions[1] == "partial: 1 of 3 backordered"


def test_a_bundle_listing_a_part_twice_needs_both() -> None:
    kit = bundle(11, 1, (SHOE, 1), (SHOE, 1))
    assert plan([order(1, kit)], {(SHOE, "a"): 1}, [site("a")]).reservations == []


# -- fairness between orders ---------------------------------------------------------------

def test_the_oldest_order_gets_short_stock_first() -> None:
    result = plan([order(2, line(21, 2), minutes=10), order(1, line(11, 2), minutes=20)],
                  {(SHOE, "a"): 2}, [site("a")])
    assert result.reservations == [Reservation(2, 21, "a", 2)]
    assert result.decisions[1] == "backordered: no stock"


def test_a_higher_order_priority_is_served_before_older_orders() -> None:
    result = plan([order(1, line(11, 2)), order(2, line(21, 2), minutes=30, priority=1)],
                  {(SHOE, "a"): 2}, [site("a")])
    assert result.reservations == [Reservation(2, 21, "a", 2)]


def test_the_lower_order_id_goes_first_between_orders_placed_together() -> None:
    result = plan([order(7, line(71, 1)), order(3, line(31, 1))], {(SHOE, "a"): 1}, [site("a")])
    assert result.reservations == [Reservation(3, 31, "a", 1)]


def test_each_reservation_lowers_what_later_orders_see() -> None:
    result = plan([order(1, line(11, 2)), order(2, line(21, 2), minutes=1)],
                  {(SHOE, "a"): 3, (SHOE, "b"): 2}, [site("a", 1), site("b", 2)])
    assert shipped_from(result, 1) == {"a": 2}
    assert shipped_from(result, 2) == {"b": 2}


# -- determinism and the trace -------------------------------------------------------------

def busy_day() -> tuple[list[OrderDemand], dict[tuple[int, str], int], list[Site]]:
    sites = [site("a", 1, region="NY"), site("b", 1, region="CA"), site("c", 2),
             site("d", 3, country="CA", ships_to=("CA", "US"))]
    stock = {(product, code): (product * 7 + len(code) * 3) % 5
             for product in range(1, 6) for code in ("a", "b", "c", "d")}
    orders = [order(n, line(n * 10 + 1, n % 3 + 1, n % 5 + 1),
                    line(n * 10 + 2, 2, (n + 2) % 5 + 1),
                    priority=n % 2, minutes=n % 4, region=("NY", "CA", None)[n % 3],
                    country=("US", "CA")[n % 2]) for n in range(1, 30)]
    return orders, stock, sites


def test_the_same_input_always_gives_the_same_plan() -> None:
    orders, stock, sites = busy_day()
    assert plan(orders, stock, sites) == plan(orders, stock, sites)


def test_the_plan_does_not_depend_on_the_order_of_orders_sites_or_stock() -> None:
    orders, stock, sites = busy_day()
    shuffled = random.Random(7)
    mixed_orders, mixed_sites, mixed_stock = orders[:], sites[:], list(stock.items())
    for items in (mixed_orders, mixed_sites, mixed_stock):
        shuffled.shuffle(items)
    assert plan(orders, stock, sites) == plan(mixed_orders, dict(mixed_stock), mixed_sites)


def test_planning_changes_neither_the_stock_nor_the_orders_it_is_given() -> None:
    orders, stock, sites = busy_day()
    before = dict(stock)
    plan(orders, stock, sites)
    assert stock == before


def test_the_trace_names_each_candidate_and_what_each_rule_said() -> None:
    result = plan([order(1, line(11, 2), region="NY")],
                  {(SHOE, "nyc"): 2, (SHOE, "la"): 9, (SHOE, "berlin"): 9},
                  [site("nyc", 10, region="NY"), site("la", 10, region="CA"),
                   site("berlin", 5, country="DE")])
    assert result.traces[1] == {
        "eligible": ["nyc", "la"],
        "ineligible": {"berlin": "does not ship to US"},
        "candidates": [
            {"sites": ["nyc"], "feasible": True, "rules": {
                "fewest_splits": 1, "priority": [10], "nearest": [0], "most_stock": 2}},
            {"sites": ["la"], "feasible": True, "rules": {
                "fewest_splits": 1, "priority": [10], "nearest": [1], "most_stock": 9}},
        ],
        "chosen": ["nyc"],
        "decision": "single: nyc",
        "policy": {"rules": ["fewest_splits", "priority", "nearest", "most_stock"],
                   "allow_split": True, "max_splits": None, "partial": "backorder"},
        "wanted": 2,
        "reserved": 2,
    }
    assert json.loads(json.dumps(result.traces[1])) == result.traces[1]


def test_the_trace_lists_at_most_twenty_candidates_and_counts_the_rest() -> None:
    codes = [f"s{n}" for n in range(6)]
    result = plan([order(1, line(11, 7))], {(SHOE, code): 1 for code in codes},
                  [site(code) for code in codes], partial="wait")
    trace = result.traces[1]
    assert len(trace["candidates"]) == 20
    assert trace["candidates_omitted"] == 6 + 15 + 20 + 1 - 20


# -- what the planner refuses --------------------------------------------------------------

@pytest.mark.parametrize("policy", [
    {"rules": ("fewest_splits", "cheapest")},
    {"rules": ("priority", "priority")},
    {"max_splits": 0},
    {"partial": "cancel"},
])
def test_a_policy_it_cannot_follow_is_refused(policy: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Policy(**policy)  # type: ignore[arg-type]


@pytest.mark.parametrize(("quantity", "parts"), [(0, ((SHOE, 1),)), (1, ()), (1, ((SHOE, 0),))])
def test_a_line_with_nothing_to_reserve_is_refused(quantity: int,
                                                   parts: tuple[tuple[int, int], ...]) -> None:
    with pytest.raises(InvalidInput):
        Demand(11, quantity, parts)


def test_an_order_listed_twice_is_refused() -> None:
    with pytest.raises(InvalidInput, match="order 1 is listed twice"):
        plan([order(1, line(11, 1)), order(1, line(12, 1), minutes=3)], {}, [site("a")])


def test_two_sites_with_one_code_are_refused() -> None:
    with pytest.raises(InvalidInput, match="share a code"):
        plan([order(1, line(11, 1))], {}, [site("a"), site("a", 2)])
