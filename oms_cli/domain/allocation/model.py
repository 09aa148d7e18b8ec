"""What the allocation planner reads and what it returns, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oms_cli.errors import InvalidInput

RULES = ("fewest_splits", "priority", "nearest", "most_stock")
PARTIAL_POLICIES = ("backorder", "wait")


@dataclass(frozen=True, slots=True)
class Site:
    """A location as the planner sees it; a lower ``priority`` ships first.

    ``ships_to`` lists the countries it ships to; empty means its own country only,
    or anywhere when its country is unknown.
    """

    code: str
    priority: int
    country: str | None
    region: str | None
    ships_to: frozenset[str] = frozenset()
    active: bool = True


@dataclass(slots=True)  # not frozen: made for every line, and frozen init is 4x slower
class Demand:
    """One order line still wanting ``quantity`` units (> 0).

    ``parts`` is ``((product_id, per_unit), ...)``: ``((p, 1),)`` for a plain line; a
    bundle lists its components, and each unit of the line takes ``per_unit`` of every
    component at the same location.
    """

    line_id: int
    quantity: int
    parts: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidInput(f"line {self.line_id}: {self.quantity} units to reserve, "
                               "expected at least 1")
        # min() over a list, not any() over a generator: a service makes a Demand for
        # every line it loads, and on one or two parts the generator costs the most.
        if not self.parts or min([per_unit for _, per_unit in self.parts]) <= 0:
            raise InvalidInput(f"line {self.line_id}: every unit needs at least one "
                               "product, each at least once")


@dataclass(slots=True)  # not frozen: made for every order, and frozen init is 4x slower
class OrderDemand:
    """An order waiting for stock. A higher ``priority`` is served first (default 0)."""

    order_id: int
    priority: int
    placed_at: datetime
    country: str | None
    region: str | None
    lines: tuple[Demand, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    """How orders are routed (DESIGN.md, "Allocation and routing").

    ``max_splits`` is the most locations one order may ship from; with None, sets of up
    to three are searched exactly and larger ones greedily. ``partial`` says what to do
    when an order cannot be filled: ``backorder`` reserves what there is, ``wait``
    reserves nothing until all of it can be.
    """

    rules: tuple[str, ...] = RULES
    allow_split: bool = True
    max_splits: int | None = None
    partial: str = "backorder"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))  # a config list is welcome too
        unknown = [rule for rule in self.rules if rule not in RULES]
        if unknown or len(set(self.rules)) != len(self.rules):
            raise InvalidInput(f"allocation rules {list(self.rules)}: each of "
                               f"{', '.join(RULES)} at most once")
        if self.partial not in PARTIAL_POLICIES:
            raise InvalidInput(f"partial policy {self.partial!r}: expected backorder or wait")
        if self.max_splits is not None and self.max_splits < 1:
            raise InvalidInput(f"max_splits {self.max_splits}: expected at least 1")

    @property
    def site_limit(self) -> int | None:
        """The most locations one order may ship from; None for no limit."""
        return self.max_splits if self.allow_split else 1

    def describe(self) -> dict[str, Any]:
        return {"rules": list(self.rules), "allow_split": self.allow_split,
                "max_splits": self.max_splits, "partial": self.partial}


@dataclass(frozen=True, slots=True)
class Reservation:
    """``quantity`` units of a line (line units, not component units) held at a location."""

    order_id: int
    line_id: int
    location: str
    quantity: int


@dataclass
class Plan:
    """Reservations in the order they were made, and per order its trace and decision."""

    reservations: list[Reservation]
    traces: dict[int, dict[str, Any]]
    decisions: dict[int, str]
