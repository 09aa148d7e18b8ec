"""Exact money: Decimal in Python, integer minor units in the database.

A currency's exponent says how many minor units make a major one (USD 2, JPY 0,
KWD 3). Amounts of different currencies are never added together: callers keep
the currency beside every amount.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 currencies whose exponent is not 2.
_EXPONENTS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}

# A minor unit for each exponent, made once: to_minor runs for every amount imported.
_QUANTUMS = {places: Decimal(1).scaleb(-places) for places in {2, *_EXPONENTS.values()}}

# Larger than any order a small merchant takes, small enough for a 64-bit column.
MAX_AMOUNT = Decimal("1e12")

_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_SYMBOLS = re.compile(r"[$€£¥₹₩₽₺₪₫฿₦₱₴₡₲₵₸\s\u00a0\u202f]|[A-Z]{3}|[A-Za-z]{1,3}\$")


def exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has (2 unless ISO says otherwise)."""
    return _EXPONENTS.get(currency.upper(), 2)


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest amount (0.01 for USD, 1 for JPY), to round amounts to."""
    return _QUANTUMS[exponent(currency)]


def is_currency_code(text: str) -> bool:
    return bool(_CURRENCY_CODE.match(text))


def to_minor(amount: Decimal, currency: str) -> int:
    """Integer minor units of ``amount``, rounded half up to the currency's exponent."""
    if not amount:  # the commonest amount (no tax, no discount): nothing to round
        return 0
    places = exponent(currency)
    return int(amount.quantize(_QUANTUMS[places], rounding=ROUND_HALF_UP).scaleb(places))


def from_minor(minor: int, currency: str) -> Decimal:
    """The Decimal amount of ``minor`` units, with exactly the currency's places."""
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(_QUANTUMS[places])


def parse_amount(text: str) -> Decimal:
    """Parse a money cell as a channel writes it; empty means zero.

    Accepts currency symbols and codes (``$12.99``, ``£1,234.50``, ``12.99 EUR``),
    thousands separators in either convention (``1,234.56``, ``1.234,56``), a
    decimal comma (``3,50``), and accounting negatives (``(4.00)``). Raises
    ValueError for anything else, for NaN or infinity, and for absurd magnitudes.
    """
    cleaned = text.strip()
    if cleaned in ("", "-", "--"):
        return Decimal(0)
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    cleaned = _SYMBOLS.sub("", cleaned)
    if cleaned.startswith("-"):
        negative, cleaned = not negative, cleaned[1:]
    elif cleaned.startswith("+"):
        cleaned = cleaned[1:]
    cleaned = _normalise_separators(cleaned)
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", cleaned):
        raise ValueError(f"not an amount: {text!r}")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above excludes it
        raise ValueError(f"not an amount: {text!r}") from exc
    if value >= MAX_AMOUNT:
        raise ValueError(f"amount out of range: {text!r}")
    return -value if negative else value


def _normalise_separators(text: str) -> str:
    """Turn the thousands/decimal separators of either convention into plain ``1234.56``."""
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        return text.replace(thousands, "").replace(decimal_mark, ".")
    if "," in text:
        head, _, tail = text.rpartition(",")
        if len(tail) == 3 and head and re.fullmatch(r"\d{1,3}(,\d{3})*", head):
            return text.replace(",", "")
        if text.count(",") == 1:
            return text.replace(",", ".")
        return text
    if text.count(".") > 1 and re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        return text.replace(".", "")
    return text


def to_minor_exact(amount: Decimal, currency: str, what: str = "amount") -> int:
    """Minor units of an amount a merchant typed; raises ValueError for places the currency
    lacks, a negative amount, NaN, infinity or an absurd magnitude."""
    places = exponent(currency)
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValueError(f"{what}: {amount} is out of range")
    if amount != amount.quantize(_QUANTUMS[places], rounding=ROUND_HALF_UP):
        raise ValueError(f"{what}: {amount} has more than {places} decimal places for {currency}")
    if amount < 0:
        raise ValueError(f"{what}: {amount} is negative")
    return to_minor(amount, currency)
