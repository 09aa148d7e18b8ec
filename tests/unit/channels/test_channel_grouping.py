"""Gathering an order's rows while streaming, and refusing to merge what came too late."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from oms_cli.channels.grouping import Group, group_rows
from oms_cli.domain.orders import RejectedRecord


@dataclass
class FakeRow:
    line: int
    key: str | None
    raw: str = ""
    problem: str | None = None


def rows(*keys: str | None) -> list[FakeRow]:
    return [FakeRow(line, key, f"row {line}") for line, key in enumerate(keys, start=2)]


def summary(items: list[Group[FakeRow] | RejectedRecord]) -> list[tuple[str, object]]:
    return [
        ("group", (item.key, [row.line for row in item.rows])) if isinstance(item, Group)
        else ("reject", (item.line, item.reason))
        for item in items
    ]


def test_contiguous_rows_of_an_order_make_one_group() -> None:
    grouped = group_rows(rows("A", "A", "B"), lambda row: row.key, key_field="Name")
    assert summary(list(grouped)) == [("group", ("A", [2, 3])), ("group", ("B", [4]))]


def test_a_late_row_of_an_emitted_order_is_rejected_not_merged_silently() -> None:
    grouped = list(group_rows(rows("A", "B", "A"), lambda row: row.key, key_field="Name"))
    assert summary(grouped)[:2] == [("group", ("A", [2])), ("group", ("B", [3]))]
    late = grouped[2]
    assert isinstance(late, RejectedRecord)
    assert (late.line, late.external_id, late.field) == (4, "A", "Name")
    assert 'rows of order "A" are not together' in late.reason
    assert "from line 2" in late.reason


def test_a_look_behind_window_merges_rows_that_are_apart() -> None:
    grouped = group_rows(rows("A", "B", "A", "C"), lambda row: row.key, key_field="order-id",
                         look_behind=10)
    assert summary(list(grouped)) == [
        ("group", ("A", [2, 4])), ("group", ("B", [3])), ("group", ("C", [5]))
    ]


def test_rows_without_a_key_are_rejected_in_file_order() -> None:
    grouped = group_rows(rows("A", None, "B"), lambda row: row.key, key_field="Name")
    assert summary(list(grouped)) == [
        ("group", ("A", [2])),
        ("reject", (3, "Name: missing order id")),
        ("group", ("B", [4])),
    ]


def test_the_window_bounds_how_many_orders_are_held_in_memory() -> None:
    read: list[FakeRow] = []

    def source() -> Iterator[FakeRow]:
        for row in rows(*[f"K{number}" for number in range(100)]):
            read.append(row)
            yield row

    for item in group_rows(source(), lambda row: row.key, key_field="id", look_behind=5):
        assert isinstance(item, Group)
        held = len(read) - int(item.key[1:]) - 1
        assert held <= 5
