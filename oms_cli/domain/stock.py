"""Stock rules: what a level is, what a movement may do to it, what is available.

A level counts physical units (``on_hand``), units promised to orders
(``reserved``) and units on the shelf that cannot be sold (``damaged``, part of
on_hand). Every change of on_hand or damaged is a ledger movement; reserved
follows open allocations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from oms_cli.errors import Conflict, InvalidInput


class MovementReason(StrEnum):
    RECEIVE = "receive"
    ADJUST = "adjust"
    COUNT = "count"
    TRANSFER = "transfer"
    SHIP = "ship"
    RETURN = "return"
    DAMAGE = "damage"


@dataclass(frozen=True, slots=True)
class StockLevel:
    on_hand: int = 0
    reserved: int = 0
    damaged: int = 0

    @property
    def free(self) -> int:
        """Units neither reserved nor damaged: what a transfer or write-down may take."""
        return self.on_hand - self.reserved - self.damaged

    def available(self, safety_stock: int = 0) -> int:
        """What can still be promised to new orders: free units less the safety stock, >= 0."""
        return max(0, self.free - safety_stock)

    def moved(self, quantity: int, damaged: int = 0, *, what: str = "stock") -> StockLevel:
        """The level after a ledger movement; raises Conflict if it would break the books.

        ``quantity`` changes on_hand and ``damaged`` the damaged bucket, both signed.
        """
        after = replace(self, on_hand=self.on_hand + quantity, damaged=self.damaged + damaged)
        if after.on_hand < 0:
            raise Conflict(f"{what}: only {self.on_hand} on hand, cannot remove {-quantity}")
        if after.damaged < 0:
            raise Conflict(f"{what}: only {self.damaged} damaged, cannot remove {-damaged}")
        if after.free < 0:
            raise Conflict(
                f"{what}: only {max(self.free, 0)} units are free "
                f"({self.reserved} reserved for orders, {self.damaged} damaged)"
            )
        return after


@dataclass(frozen=True, slots=True)
class CountResult:
    """What a physical count changes: the on_hand and damaged deltas, and reservations to undo."""

    quantity: int
    damaged: int
    release: int


def count_to(level: StockLevel, counted: int) -> CountResult:
    """Set on_hand to ``counted``; damaged units can't outnumber what is there.

    When fewer units are left than are reserved, the shortfall is returned as
    ``release``: the caller releases that many of the newest reservations.
    """
    require_count(counted)
    damaged_after = min(level.damaged, counted)
    release = max(0, level.reserved - (counted - damaged_after))
    return CountResult(
        quantity=counted - level.on_hand,
        damaged=damaged_after - level.damaged,
        release=release,
    )


def require_positive(quantity: int, what: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput(f"{what} must be a whole number above zero, not {quantity!r}")
    return quantity


def require_count(quantity: int, what: str = "count") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise InvalidInput(f"{what} must be a whole number, zero or more, not {quantity!r}")
    return quantity


def parse_quantity(text: str, what: str = "quantity", *, allow_zero: bool = False,
                   signed: bool = False) -> int:
    """Parse a quantity as a merchant types it (``12``, ``+3``, ``-2``); raises InvalidInput."""
    cleaned = text.strip().replace("_", "")
    body = cleaned[1:] if cleaned[:1] in "+-" else cleaned
    if not body.isdecimal() or (cleaned[:1] in "+-" and not signed):
        raise InvalidInput(f"{what}: {text!r} is not a whole number")
    value = int(cleaned)
    if signed:
        if value == 0:
            raise InvalidInput(f"{what}: must not be zero")
        return value
    return require_count(value, what) if allow_zero else require_positive(value, what)
