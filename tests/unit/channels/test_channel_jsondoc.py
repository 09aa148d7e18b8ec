"""JSON exports: finding the orders, with the line each starts on and its text."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from oms_cli.channels.jsondoc import JsonFields, json_records, read_json
from oms_cli.errors import NotAnExport


def test_a_top_level_list_gives_one_record_per_element_with_its_line() -> None:
    text = '[\n  {"id": 1},\n  {"id": 2,\n   "x": [1, 2]}\n]'
    records = list(json_records(text))
    assert [(record.line, record.raw) for record in records] == [
        (2, '{"id": 1}'), (3, '{"id": 2,\n   "x": [1, 2]}')
    ]


def test_paths_are_tried_in_turn_and_a_single_object_is_one_record() -> None:
    listed = '{"orders": [{"id": 1}, {"id": 2}]}'
    single = '{"order": {"id": 3}}'
    assert [r.value for r in json_records(listed, ["orders"], ["order"])] == [{"id": 1}, {"id": 2}]
    assert [r.value for r in json_records(single, ["orders"], ["order"])] == [{"id": 3}]


def test_a_nested_path_is_followed_past_other_keys() -> None:
    text = '{"meta": {"page": [1, {"a": "}"}]}, "data": {"orders": [{"id": 9}]}}'
    assert [r.value for r in json_records(text, ["data", "orders"])] == [{"id": 9}]


def test_numbers_are_decimal_and_nan_stays_text() -> None:
    (record,) = json_records('[{"price": 12.10, "bad": NaN}]')
    assert record.value == {"price": Decimal("12.10"), "bad": "NaN"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"id": 1},\n {"id": ]', "line 2: not valid JSON"),
        ('[{"id": 1} {"id": 2}]', "not valid JSON"),
        ('{"other": []}', "no orders found in the JSON"),
        ("[" * 100_000, "not valid JSON|nested too deeply"),
    ],
)
def test_broken_json_is_not_an_export(text: str, message: str) -> None:
    with pytest.raises(NotAnExport, match=message):
        list(json_records(text, ["orders"]) if text.startswith("{") else json_records(text))


def test_read_json_accepts_a_bom_and_utf16() -> None:
    assert read_json(io.BytesIO(b'\xef\xbb\xbf{"a": 1}')) == '{"a": 1}'
    assert read_json(io.BytesIO('{"a": "é"}'.encode("utf-16"))) == '{"a": "é"}'
    with pytest.raises(NotAnExport, match="not valid UTF-8"):
        read_json(io.BytesIO(b'{"a": "\xff"}'))


def test_fields_are_cells_named_by_their_key_path() -> None:
    fields = JsonFields(
        {"id": 7, "ok": True, "billing": {"email": " a@b.c "}, "items": [{"qty": 2}],
         "tags": ["x", ""]},
        line=4,
    )
    assert fields.cell("billing.email").value == "a@b.c"
    assert fields.get("ok") == "true"
    (item,) = fields.children("items")
    assert (item.cell("qty").field, item.cell("qty").value, item.cell("qty").line) == (
        "items[0].qty", "2", 4
    )
    assert fields.texts("tags") == ["x"]
    assert fields.child("missing").get("anything") is None
    assert fields.cell("nothing", "id").value == "7"
