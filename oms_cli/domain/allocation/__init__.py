"""Allocation and routing (DESIGN.md): which location reserves which order's units.

``plan_allocation`` is pure: it reads orders, available stock, sites and a policy and
returns a Plan of reservations with, per order, a short decision and a JSON-ready trace.
``route_orders`` yields the same, one RoutedOrder at a time, for a caller that writes
as it goes; its Trace gives the dict (``as_dict``) or compact JSON text (``as_json``).
A trace says:

- ``eligible``: the codes of the sites that may ship it, in their individual rank order;
- ``ineligible``: code -> why not ("inactive", "does not ship to DE", "no stock");
- ``candidates``: up to 20 sets of sites tried for the whole order, those that can ship
  it first, best first: ``{"sites", "rules": {rule: value}, "feasible"}`` (``"greedy":
  true`` marks the set a greedy fill chose). Rule values are compared as shown, lower
  first, except ``most_stock`` (units; more first); the sorted codes break what ties
  remain. ``candidates_omitted`` counts the sets left out;
- ``chosen``: the sites it reserves at; ``decision``; ``policy``; ``wanted`` and
  ``reserved``: line units.

Decisions read "single: backroom", "split: backroom+east-3pl", "partial: 2 of 5
backordered", "backordered: no stock", "waiting (partial=wait)" or "no eligible
location" (no active site ships to the order's country).
"""

from oms_cli.domain.allocation.model import (
    PARTIAL_POLICIES,
    RULES,
    Demand,
    OrderDemand,
    Plan,
    Policy,
    Reservation,
    Site,
)
from oms_cli.domain.allocation.planner import RoutedOrder, plan_allocation, route_orders
from oms_cli.domain.allocation.trace import Trace

__all__ = [
    "PARTIAL_POLICIES",
    "RULES",
    "Demand",
    "OrderDemand",
    "Plan",
    "Policy",
    "Reservation",
    "RoutedOrder",
    "Site",
    "Trace",
    "plan_allocation",
    "route_orders",
]
