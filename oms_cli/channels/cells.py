"""Reading one cell of a record as a typed value, or saying exactly why it can't be.

A :class:`Cell` is a value with the name the file gives it (a CSV column or a JSON
key path), so every error names the field and the bad value:
``Lineitem quantity: "abc" is not a whole number``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from oms_cli.channels.text import printable
from oms_cli.domain.dates import parse_datetime
from oms_cli.domain.money import is_currency_code, minor_unit, parse_amount

MAX_QUANTITY = 100_000
_PLAIN = re.compile(r"-?\d{1,12}(\.\d{1,12})?")  # below money.MAX_AMOUNT by construction
_SHOWN_CHARS = 60
_ZERO = Decimal(0)
_TRUE = frozenset({"true", "yes", "y", "1", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f"})


# Not frozen: a frozen dataclass takes three times as long to build, and a file
# builds a dozen cells per order.
@dataclass(slots=True)
class Cell:
    """One value of a record: ``None`` when the file left it empty (``""`` included)."""

    field: str
    value: str | None
    line: int = 0


class FieldError(ValueError):
    """A cell that cannot be read: the whole record it belongs to is rejected."""

    def __init__(self, cell: Cell, problem: str) -> None:
        self.cell = cell
        self.problem = problem
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        field = printable(self.cell.field)
        if self.cell.value is None:
            return f"{field}: {self.problem}"
        shown = self.cell.value
        if len(shown) > _SHOWN_CHARS:
            shown = shown[: _SHOWN_CHARS - 1] + "…"
        return f'{field}: "{printable(shown)}" {self.problem}'


def required(cell: Cell, problem: str = "is missing") -> str:
    if cell.value is None:
        raise FieldError(cell, problem)
    return cell.value


def amount(cell: Cell, *, allow_negative: bool = False) -> Decimal:
    """A money cell as Decimal; empty is zero. Symbols and thousands separators are allowed."""
    if cell.value is None:
        return _ZERO
    try:
        value = _decimal(cell.value)
    except ValueError as exc:
        problem = "is out of range" if "range" in str(exc) else "is not an amount"
        raise FieldError(cell, problem) from exc
    if value < _ZERO and not allow_negative:
        raise FieldError(cell, "is negative")
    return value


@lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    """The amount a money text says; prices and zeros repeat, so each is parsed once."""
    # Most cells are plain decimals: skip the symbol and separator handling for them.
    return Decimal(text) if _PLAIN.fullmatch(text) else parse_amount(text)


def quantity(cell: Cell, *, allow_zero: bool = False) -> int:
    """A positive whole number of units (``2`` or ``2.0``); zero only when ``allow_zero``."""
    text = required(cell, "is missing (every line needs a quantity)")
    if text.isascii() and text.isdigit():  # the usual "2": no Decimal needed
        return _within_limits(cell, int(text), allow_zero)
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise FieldError(cell, "is not a whole number") from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise FieldError(cell, "is not a whole number")
    return _within_limits(cell, int(number), allow_zero)


def _within_limits(cell: Cell, units: int, allow_zero: bool) -> int:
    if units < 0 or (units == 0 and not allow_zero):
        raise FieldError(cell, "is not a positive quantity")
    if units > MAX_QUANTITY:
        raise FieldError(cell, f"is more than {MAX_QUANTITY} units")
    return units


def timestamp(
    cell: Cell, local: tzinfo, *, day_first: bool = False, pattern: str | None = None
) -> datetime:
    """A required date or timestamp as aware UTC; offset-less values are ``local`` time."""
    text = required(cell, "is missing (every order needs a date)")
    try:
        return parse_datetime(text, local, day_first=day_first, pattern=pattern)
    except ValueError as exc:
        raise FieldError(cell, str(exc)) from exc


def optional_timestamp(
    cell: Cell, local: tzinfo, *, day_first: bool = False, pattern: str | None = None
) -> datetime | None:
    if cell.value is None:
        return None
    return timestamp(cell, local, day_first=day_first, pattern=pattern)


def flag(cell: Cell, default: bool) -> bool:
    """``true/yes/1`` or ``false/no/0`` in any case; empty gives ``default``."""
    if cell.value is None:
        return default
    word = cell.value.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise FieldError(cell, "is neither true nor false")


def currency(cell: Cell, default: str) -> str:
    """An ISO 4217 code; the file's own when it has one, else ``default``."""
    if cell.value is None:
        return default.upper()
    code = cell.value.upper()
    if not is_currency_code(code):
        raise FieldError(cell, "is not a currency code")
    return code


def unit_price(line_total: Decimal, units: int, currency_code: str) -> Decimal:
    """The price of one unit of a line whose total is ``line_total``, to the currency's places."""
    if units == 0:
        return line_total
    return (line_total / units).quantize(minor_unit(currency_code), rounding=ROUND_HALF_UP)


def joined(*parts: str | None, separator: str = " ") -> str | None:
    """The non-empty parts joined, or None when all are empty."""
    text = separator.join(part for part in parts if part)
    return text or None
