"""Gathering the rows of one order, while streaming.

Most exports write one row per order line and repeat the order key on each row.
Rows of an order are normally next to each other (Shopify promises it); Amazon's
reports do not, so a format may keep up to ``look_behind`` orders open at once and
emits an order when it falls out of that window. Memory is bounded by the window,
not by the file. A row arriving for an order already emitted cannot be merged any
more: that late part is rejected with a message saying so, never merged silently
as a different order. Only the last ``REMEMBERED_KEYS`` orders are remembered for
this, so a row more than that many orders late goes unnoticed here (the import
service then sees the order id twice).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from oms_cli.channels.text import printable
from oms_cli.domain.orders import RejectedRecord

# How many emitted order keys are remembered to recognise late rows (about 2 MB at most).
REMEMBERED_KEYS = 20_000


class Record(Protocol):
    line: int
    raw: str
    problem: str | None


R = TypeVar("R", bound=Record)


@dataclass(slots=True)
class Group(Generic[R]):
    """The rows of one order, in file order."""

    key: str
    rows: list[R] = field(default_factory=list)
    late_after: int | None = None  # first line of this order's earlier rows, already emitted

    @property
    def line(self) -> int:
        return self.rows[0].line

    @property
    def raw(self) -> str:
        return "\n".join(row.raw for row in self.rows)


def group_rows(
    rows: Iterable[R],
    key_of: Callable[[R], str | None],
    *,
    key_field: str,
    look_behind: int = 1,
) -> Iterator[Group[R] | RejectedRecord]:
    """Yield each order's rows as a :class:`Group`, in the order orders first appear.

    A row without a key is rejected on its own (``key_field`` names the column).
    """
    grouper: _Grouper[R] = _Grouper(key_field, look_behind)
    for row in rows:
        emitted = grouper.add(key_of(row), row)
        if emitted is not None:
            yield emitted
    yield from grouper.finish()


class _Grouper(Generic[R]):
    def __init__(self, key_field: str, look_behind: int) -> None:
        self._key_field = key_field
        self._look_behind = max(1, look_behind)
        # Open orders by key; a row without a key waits in line too, so output keeps file order.
        self._open: OrderedDict[object, Group[R] | RejectedRecord] = OrderedDict()
        self._emitted: OrderedDict[str, int] = OrderedDict()

    def add(self, key: str | None, row: R) -> Group[R] | RejectedRecord | None:
        """Take a row; returns the oldest open order when the window overflows.

        A row opens at most one order, so at most one falls out (a plain return,
        not a generator: this runs for every row of the file).
        """
        if key is None:
            missing = f"{self._key_field}: missing order id"
            self._open[object()] = RejectedRecord(row.line, missing, row.raw, self._key_field)
        else:
            group = self._open.get(key)
            if not isinstance(group, Group):
                group = Group(key, late_after=self._emitted.get(key))
                self._open[key] = group
            group.rows.append(row)
        if len(self._open) > self._look_behind:
            return self._emit(next(iter(self._open)))
        return None

    def finish(self) -> Iterator[Group[R] | RejectedRecord]:
        while self._open:
            yield self._emit(next(iter(self._open)))

    def _emit(self, key: object) -> Group[R] | RejectedRecord:
        group = self._open.pop(key)
        if isinstance(group, RejectedRecord):
            return group
        if group.late_after is not None:
            return RejectedRecord(
                group.line,
                f'{self._key_field}: rows of order "{printable(str(group.key))}" are not '
                f"together in the file; its rows from line {group.late_after} were already "
                f"read as the whole order "
                f"(sort the file by {self._key_field} and import it again)",
                group.raw,
                self._key_field,
                external_id=group.key,
            )
        self._emitted[group.key] = group.line
        self._emitted.move_to_end(group.key)
        if len(self._emitted) > REMEMBERED_KEYS:
            self._emitted.popitem(last=False)
        return group
