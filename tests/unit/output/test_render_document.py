import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from oms_cli.errors import InvalidInput
from oms_cli.output import render_document

ORDER = {
    "id": 7,
    "channel": "shopify",
    "external_id": "#1001",
    "placed_at": datetime(2025, 12, 6, 15, 37, 33, tzinfo=UTC),
    "total": Decimal("12.50"),
    "ship_to": {"country": "DE", "city": "Köln"},
    "tags": ["gift", "rush"],
    "lines": [
        {"sku": "A", "quantity": 2, "unit_price": Decimal("6.25")},
        {"sku": "B", "quantity": 1, "unit_price": Decimal("0.00")},
    ],
    "events": [{"type": "imported", "detail": {"run": 3}}],
}


def rendered(fmt: str | None, *, is_terminal: bool = False) -> str:
    stream = io.StringIO()
    render_document(ORDER, fmt=fmt, stream=stream, is_terminal=is_terminal)
    return stream.getvalue()


def test_json_prints_one_indented_object_with_nested_lines_and_events() -> None:
    document = json.loads(rendered("json"), parse_float=Decimal)
    assert document["lines"][0] == {"sku": "A", "quantity": 2, "unit_price": Decimal("6.25")}
    assert document["events"][0]["detail"] == {"run": 3}
    assert document["total"] == Decimal("12.50")
    assert rendered("json").startswith('{\n  "id": 7,\n')


def test_jsonl_prints_the_object_on_one_line() -> None:
    text = rendered("jsonl")
    assert text.count("\n") == 1
    assert json.loads(text)["external_id"] == "#1001"


def test_piped_table_shows_fields_then_each_list_of_objects_under_its_name() -> None:
    assert rendered(None) == (
        "id               7\n"
        "channel          shopify\n"
        "external_id      #1001\n"
        "placed_at        2025-12-06T15:37:33+00:00\n"
        "total            12.50\n"
        "ship_to.country  DE\n"
        "ship_to.city     Köln\n"
        "tags             gift, rush\n"
        "\n"
        "lines\n"
        "sku  quantity  unit_price\n"
        "A           2        6.25\n"
        "B           1        0.00\n"
        "\n"
        "events\n"
        "type      detail\n"
        'imported  {"run": 3}\n'
    )


def test_terminal_table_draws_the_fields_and_sub_tables_with_rich() -> None:
    text = rendered(None, is_terminal=True)
    for cell in ("ship_to.city", "Köln", "lines", "unit_price", "6.25", "events", "imported"):
        assert cell in text
    assert "┃ sku" in text


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_or_tsv_of_a_nested_object_is_refused_with_advice(fmt: str) -> None:
    with pytest.raises(InvalidInput, match="use -f json"):
        rendered(fmt)


def test_a_document_can_be_written_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "order.json"
    render_document(ORDER, output=target, stream=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8"))["id"] == 7
