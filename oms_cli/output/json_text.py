"""JSON text with exact numbers: a Decimal is written with its own digits, never via float."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum


def plain_number(value: Decimal | float) -> str:
    """The digits of ``value`` in positional notation: ``1299.00``, never ``1.299E+3``.

    A float is written with the shortest digits that read back as the same float.
    """
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return format(exact, "f")


def to_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON text; ``indent`` spaces per level, or one line when None.

    Handles mappings, lists, tuples, str, int, bool, None, Decimal (as a JSON number
    with exactly its digits: ``Decimal("1299.00")`` -> ``1299.00``), float, enums (their
    value), and date / datetime / time (ISO 8601 strings). Raises ValueError for a
    NaN or infinite number (JSON has none) and TypeError for any other type.
    """
    return _encode(value, indent, 0)


def _encode(value: object, indent: int | None, depth: int) -> str:
    if isinstance(value, Mapping):
        members = [
            f"{_string(_key(key))}: {_encode(item, indent, depth + 1)}"
            for key, item in value.items()
        ]
        return _enclose("{", members, "}", indent, depth)
    if isinstance(value, list | tuple):
        elements = [_encode(item, indent, depth + 1) for item in value]
        return _enclose("[", elements, "]", indent, depth)
    return _scalar(value)


def _enclose(opening: str, parts: list[str], closing: str, indent: int | None, depth: int) -> str:
    if not parts:
        return opening + closing
    if indent is None:
        return opening + ", ".join(parts) + closing
    inner = "\n" + " " * (indent * (depth + 1))
    outer = "\n" + " " * (indent * depth)
    return opening + inner + ("," + inner).join(parts) + outer + closing


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, Enum):
        return _scalar(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal | float):
        if not _is_finite(value):
            raise ValueError(f"JSON has no number for {value!r}")
        return plain_number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime | date | time):
        return _string(value.isoformat())
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def _is_finite(number: Decimal | float) -> bool:
    return number.is_finite() if isinstance(number, Decimal) else math.isfinite(number)


def _key(key: object) -> str:
    if isinstance(key, str | int) and not isinstance(key, bool):
        return str(key)
    raise TypeError(f"a JSON key must be text, not a {type(key).__name__}")


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
