"""Reading is streamed: only a bounded number of rows is held, however long the file."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator

import pytest

from oms_cli.channels import amazon, grouping, open_export
from oms_cli.channels.grouping import Group
from oms_cli.channels.table import Row
from oms_cli.domain.orders import ParsedOrder

SHOPIFY_HEADER = "Name,Created at,Currency,Total,Lineitem quantity,Lineitem name,Lineitem sku\n"
AMAZON_HEADER = "amazon-order-id\tpurchase-date\tsku\tquantity\titem-price\tproduct-name\n"


class GeneratedStream(io.RawIOBase):
    """A binary stream whose bytes are produced on demand, never held whole."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while len(self._pending) < len(buffer):
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._pending += chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def shopify_rows(orders: int) -> Iterator[bytes]:
    yield SHOPIFY_HEADER.encode()
    for number in range(orders):
        yield (f"#{number},2024-01-01 10:00:00 +0000,USD,30.00,1,Mug,MUG\n"
               f"#{number},2024-01-01 10:00:00 +0000,,,2,Tea,TEA\n").encode()


def amazon_rows(orders: int) -> Iterator[bytes]:
    yield AMAZON_HEADER.encode()
    for number in range(orders):
        yield f"111-{number:07d}-0000001\t2024-01-01T10:00:00+00:00\tMUG\t1\t9.99\tMug\n".encode()


def most_held(chunks: Iterator[bytes]) -> tuple[int, int]:
    """Orders read, and the most rows and orders alive at once while reading them."""
    held = 0
    _, records = open_export(io.BufferedReader(GeneratedStream(chunks)), "big")
    count = 0
    for record in records:
        count += isinstance(record, ParsedOrder)
        if count % 500 == 0:
            alive = sum(isinstance(thing, Row | Group | ParsedOrder) for thing in gc.get_objects())
            held = max(held, alive)
    return count, held


@pytest.fixture(autouse=True)
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink the bounded buffers so a small file already reaches their limits."""
    monkeypatch.setattr(grouping, "REMEMBERED_KEYS", 100)
    monkeypatch.setattr(amazon, "LOOK_BEHIND", 50)


@pytest.mark.slow
def test_a_shopify_export_is_read_a_few_rows_at_a_time() -> None:
    count, held = most_held(shopify_rows(2000))
    assert count == 2000
    assert held <= 10


@pytest.mark.slow
def test_amazons_look_behind_window_bounds_the_rows_held() -> None:
    count, held = most_held(amazon_rows(2000))
    assert count == 2000
    assert held <= 2 * 50 + 10  # a group and a row for each of the 50 open orders
