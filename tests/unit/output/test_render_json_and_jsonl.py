import io
import json
from datetime import UTC, datetime
from decimal import Decimal

from oms_cli.output import Listing, render

LISTING_COLUMNS = ("id", "external_id", "total", "placed_at", "tags")


def listing() -> Listing:
    return Listing(
        LISTING_COLUMNS,
        iter(
            [
                (
                    1,
                    "#1001",
                    Decimal("1299.00"),
                    datetime(2025, 12, 6, 15, 37, 33, tzinfo=UTC),
                    ["gift"],
                ),
                (2, "=2+2", Decimal("-0.50"), None, []),
            ]
        ),
    )


def rendered(fmt: str, *, headers: bool = True) -> str:
    stream = io.StringIO()
    render(listing(), fmt=fmt, stream=stream, headers=headers)
    return stream.getvalue()


def test_json_is_one_array_of_objects_keyed_by_column() -> None:
    records = json.loads(rendered("json"), parse_float=Decimal)
    assert records == [
        {
            "id": 1,
            "external_id": "#1001",
            "total": Decimal("1299.00"),
            "placed_at": "2025-12-06T15:37:33+00:00",
            "tags": ["gift"],
        },
        {"id": 2, "external_id": "=2+2", "total": Decimal("-0.50"), "placed_at": None, "tags": []},
    ]


def test_json_keeps_a_decimals_exact_digits() -> None:
    assert '"total": 1299.00,' in rendered("json")


def test_jsonl_is_one_object_per_line() -> None:
    lines = rendered("jsonl").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2]


def test_an_empty_listing_is_an_empty_json_array_and_no_jsonl_lines() -> None:
    empty = Listing(LISTING_COLUMNS, [])
    stream = io.StringIO()
    assert render(empty, fmt="json", stream=stream) == 0
    assert json.loads(stream.getvalue()) == []
    stream = io.StringIO()
    render(empty, fmt="jsonl", stream=stream)
    assert stream.getvalue() == ""


def test_json_text_is_never_formula_guarded() -> None:
    assert '"external_id": "=2+2"' in rendered("json")


def test_no_headers_does_not_change_json() -> None:
    assert rendered("json", headers=False) == rendered("json")
    assert rendered("jsonl", headers=False) == rendered("jsonl")
