import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

import pytest

from oms_cli.output import to_json


def test_a_decimal_is_a_json_number_with_exactly_its_digits() -> None:
    assert to_json(Decimal("1299.00")) == "1299.00"
    assert json.loads(to_json({"total": Decimal("1299.00")}), parse_float=Decimal) == {
        "total": Decimal("1299.00")
    }


@pytest.mark.parametrize("digits", ["0.10", "-5.50", "1E+3", "0.00000001", "123456789012.3456"])
def test_decimals_never_use_scientific_notation_and_read_back_equal(digits: str) -> None:
    text = to_json(Decimal(digits))
    assert "E" not in text.upper()
    assert json.loads(text, parse_float=Decimal, parse_int=Decimal) == Decimal(digits)


def test_scalars_are_written_as_json_knows_them() -> None:
    assert to_json([None, True, False, 3, 'a"b', 0.1]) == '[null, true, false, 3, "a\\"b", 0.1]'


def test_dates_and_datetimes_are_iso_8601_strings() -> None:
    moment = datetime(2025, 12, 6, 15, 37, 33, tzinfo=UTC)
    assert to_json([date(2026, 1, 31), moment]) == '["2026-01-31", "2025-12-06T15:37:33+00:00"]'


def test_nested_documents_are_encoded_recursively_and_indented_on_request() -> None:
    order = {"id": 7, "lines": [{"sku": "A", "unit_price": Decimal("6.25")}], "events": []}
    indented = to_json(order, indent=2)
    assert json.loads(indented, parse_float=Decimal) == order
    assert '\n  "lines": [\n    {\n      "sku": "A",' in indented
    assert to_json(order) == '{"id": 7, "lines": [{"sku": "A", "unit_price": 6.25}], "events": []}'


def test_text_outside_ascii_is_written_as_is() -> None:
    assert to_json("Köln") == '"Köln"'


def test_an_enum_is_written_as_its_value() -> None:
    class Status(Enum):
        READY = "ready"

    assert to_json({"status": Status.READY}) == '{"status": "ready"}'


@pytest.mark.parametrize(
    "number", [Decimal("NaN"), Decimal("Infinity"), float("nan"), float("-inf")]
)
def test_a_number_json_cannot_hold_is_refused(number: object) -> None:
    with pytest.raises(ValueError, match="JSON has no number"):
        to_json(number)


def test_an_unknown_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot write a set as JSON"):
        to_json({1, 2})
