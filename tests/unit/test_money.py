"""Money is exact: Decimal amounts, integer minor units with each currency's exponent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms_cli.domain.money import (
    exponent,
    from_minor,
    is_currency_code,
    parse_amount,
    to_minor,
    to_minor_exact,
)


@pytest.mark.parametrize(("currency", "places"), [("USD", 2), ("EUR", 2), ("JPY", 0),
                                                  ("KWD", 3), ("usd", 2), ("jpy", 0)])
def test_each_currency_has_its_iso_exponent(currency: str, places: int) -> None:
    assert exponent(currency) == places


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("12.99", "USD", 1299),
    ("1500", "JPY", 1500),
    ("1.250", "KWD", 1250),
    ("0.005", "USD", 1),
    ("1.5", "JPY", 2),
    ("2.5", "JPY", 3),
    ("-1.005", "USD", -101),
])
def test_to_minor_rounds_half_up_to_the_currency_exponent(amount: str, currency: str,
                                                          minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor


@pytest.mark.parametrize(("minor", "currency", "amount"), [
    (1299, "USD", "12.99"), (1500, "JPY", "1500"), (1250, "KWD", "1.250"), (-5, "USD", "-0.05"),
])
def test_from_minor_gives_exactly_the_currency_places(minor: int, currency: str,
                                                      amount: str) -> None:
    result = from_minor(minor, currency)
    assert result == Decimal(amount)
    assert str(result) == amount


@given(st.integers(-10**14, 10**14), st.sampled_from(["USD", "JPY", "KWD", "CLF"]))
def test_minor_units_survive_the_round_trip(minor: int, currency: str) -> None:
    assert to_minor(from_minor(minor, currency), currency) == minor


@pytest.mark.parametrize(("text", "amount"), [
    ("$1,234.56", "1234.56"),
    ("1.234,56", "1234.56"),
    ("3,50", "3.50"),
    ("(4.00)", "-4.00"),
    ("£12", "12"),
    ("12.99 EUR", "12.99"),
    ("-$5", "-5"),
    ("€ 1 234,56", "1234.56"),
    ("12\u00a0000,50", "12000.50"),
    ("CA$12.00", "12.00"),
    ("1.234.567,89", "1234567.89"),
    ("12,345,678", "12345678"),
    (".5", "0.5"),
    ("+3", "3"),
    ("", "0"),
    ("  ", "0"),
])
def test_parse_amount_reads_money_as_channels_write_it(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["junk", "NaN", "nan", "inf", "-Infinity", "1e5", "12.5.3",
                                  "1,2,3", "5.", "EUR", "--5", "0x10"])
def test_parse_amount_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["9" * 20, "-" + "9" * 20, "1000000000000", "1" * 5000])
def test_parse_amount_refuses_absurd_magnitudes(text: str) -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_amount(text)


@given(st.decimals(min_value=Decimal("-999999999"), max_value=Decimal("999999999"), places=2))
def test_a_plainly_written_amount_reads_back_as_itself(amount: Decimal) -> None:
    assert parse_amount(str(amount)) == amount


@given(st.text(max_size=30))
def test_parse_amount_gives_a_decimal_or_a_value_error_for_any_text(text: str) -> None:
    try:
        result = parse_amount(text)
    except ValueError:
        return
    assert isinstance(result, Decimal) and result.is_finite()


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("12.50", "USD", 1250), ("12.5", "USD", 1250), ("1.0000", "USD", 100), ("1500", "JPY", 1500),
    ("1.001", "KWD", 1001), ("1E+2", "JPY", 100), ("0", "USD", 0),
])
def test_to_minor_exact_takes_amounts_the_currency_can_hold(amount: str, currency: str,
                                                            minor: int) -> None:
    assert to_minor_exact(Decimal(amount), currency) == minor


@pytest.mark.parametrize(("amount", "currency", "places"), [
    ("1.5", "JPY", 0), ("1.505", "USD", 2), ("1.0001", "KWD", 3),
])
def test_to_minor_exact_refuses_places_the_currency_lacks(amount: str, currency: str,
                                                          places: int) -> None:
    with pytest.raises(ValueError, match=f"more than {places} decimal places for {currency}"):
        to_minor_exact(Decimal(amount), currency, "price")


def test_to_minor_exact_refuses_a_negative_amount() -> None:
    with pytest.raises(ValueError, match="price: -1 is negative"):
        to_minor_exact(Decimal("-1"), "USD", "price")


@pytest.mark.parametrize("amount", ["1e30", "1000000000000", "NaN", "Infinity"])
def test_to_minor_exact_refuses_amounts_no_column_can_hold(amount: str) -> None:
    with pytest.raises(ValueError, match="out of range"):
        to_minor_exact(Decimal(amount), "USD", "price")


@pytest.mark.parametrize(("text", "expected"), [("USD", True), ("usd", False), ("US", False),
                                                ("USDX", False)])
def test_a_currency_code_is_three_capital_letters(text: str, expected: bool) -> None:
    assert is_currency_code(text) is expected
