"""Typed cell values, and reasons that name the field and the bad value."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from oms_cli.channels import cells
from oms_cli.channels.cells import Cell, FieldError


def cell(value: str | None, field: str = "Field") -> Cell:
    return Cell(field, value, 7)


def reason_of(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(FieldError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12.99", "12.99"), ("$1,299.00", "1299.00"), ("£3", "3"), ("", "0"), (None, "0")],
)
def test_amounts_accept_symbols_and_separators_and_empty_is_zero(
    text: str | None, expected: str
) -> None:
    assert cells.amount(cell(text)) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("NaN", 'Total: "NaN" is not an amount'),
        ("Infinity", 'Total: "Infinity" is not an amount'),
        ("12,99,9x", 'Total: "12,99,9x" is not an amount'),
        ("99999999999999", 'Total: "99999999999999" is out of range'),
        ("-5.00", 'Total: "-5.00" is negative'),
    ],
)
def test_bad_amounts_are_refused_naming_field_and_value(text: str, reason: str) -> None:
    assert reason_of(cells.amount, cell(text, "Total")) == reason


def test_negative_amounts_are_allowed_where_the_channel_writes_them() -> None:
    assert cells.amount(cell("-10.00"), allow_negative=True) == Decimal("-10.00")


@pytest.mark.parametrize(("text", "expected"), [("3", 3), ("2.0", 2), ("1,000", 1000)])
def test_quantities_are_whole_numbers(text: str, expected: int) -> None:
    assert cells.quantity(cell(text)) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("abc", "is not a whole number"),
        ("1.5", "is not a whole number"),
        ("NaN", "is not a whole number"),
        ("0", "is not a positive quantity"),
        ("-2", "is not a positive quantity"),
        ("1000000", "is more than 100000 units"),
    ],
)
def test_bad_quantities_are_refused(text: str, problem: str) -> None:
    reason = reason_of(cells.quantity, cell(text, "Lineitem quantity"))
    assert reason == f'Lineitem quantity: "{text}" {problem}'


def test_zero_is_a_quantity_only_where_allowed() -> None:
    assert cells.quantity(cell("0"), allow_zero=True) == 0


def test_a_missing_quantity_or_date_says_so() -> None:
    assert reason_of(cells.quantity, cell(None, "Qty")).startswith("Qty: is missing")
    assert reason_of(cells.timestamp, cell(None, "Created at"), UTC).startswith(
        "Created at: is missing"
    )


def test_timestamps_carry_the_date_reason() -> None:
    assert cells.timestamp(cell("2024-01-02T03:04:05Z"), UTC) == datetime(
        2024, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    assert cells.optional_timestamp(cell(None), UTC) is None
    assert reason_of(cells.timestamp, cell("soon", "Created at"), UTC) == (
        'Created at: "soon" is not a date'
    )


def test_flags_read_true_and_false_words() -> None:
    assert [cells.flag(cell(text), False) for text in ("true", "YES", "1", "false", "no")] == [
        True, True, True, False, False
    ]
    assert cells.flag(cell(None), True) is True
    assert reason_of(cells.flag, cell("maybe"), True) == 'Field: "maybe" is neither true nor false'


def test_currency_codes_are_upper_case_iso_codes_or_the_default() -> None:
    assert cells.currency(cell("gbp"), "USD") == "GBP"
    assert cells.currency(cell(None), "EUR") == "EUR"
    assert reason_of(cells.currency, cell("dollars"), "USD") == (
        'Field: "dollars" is not a currency code'
    )


def test_a_unit_price_is_the_line_total_shared_out_to_the_currency_places() -> None:
    assert cells.unit_price(Decimal("103.96"), 4, "USD") == Decimal("25.99")
    assert cells.unit_price(Decimal("10"), 3, "USD") == Decimal("3.33")
    assert cells.unit_price(Decimal("1000"), 3, "JPY") == Decimal("333")
    assert cells.unit_price(Decimal("5"), 0, "USD") == Decimal("5")


def test_long_values_are_shortened_in_reasons() -> None:
    reason = reason_of(cells.amount, cell("x" * 200, "Total"))
    assert len(reason) < 90 and reason.endswith('…" is not an amount')
