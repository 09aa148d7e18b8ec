"""One transaction per file: whatever stops an import part way, the file leaves no trace."""

from __future__ import annotations

import pytest
from importing_support import FIXTURES, count_rows

from oms_cli.errors import NotAnExport
from oms_cli.services import importing
from oms_cli.services.order_intake import OrderIntake


class IntakeCrashed(RuntimeError):
    pass


def test_a_crash_in_a_later_batch_leaves_nothing_of_the_file(db, run_import, snapshot,
                                                             monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ORDERS", 2)
    take = OrderIntake.take
    calls = []

    def take_then_crash(self, batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise IntakeCrashed("disk pulled out")
        take(self, batch)

    monkeypatch.setattr(OrderIntake, "take", take_then_crash)
    before = snapshot()

    with pytest.raises(IntakeCrashed):
        run_import(FIXTURES / "shopify_orders.csv")

    assert calls == [2, 2]  # the first batch had been written inside the transaction
    assert snapshot() == before
    assert count_rows(db, "import_run") == 0


def test_small_batches_import_the_same_as_one(db, run_import, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ORDERS", 2)

    summary = run_import(FIXTURES / "shopify_orders.csv")

    assert (summary.read, summary.created) == (5, 5)
    assert count_rows(db, "order_line") == 6


def test_a_file_that_turns_out_unreadable_far_in_leaves_nothing(db, run_import, snapshot,
                                                                tmp_path):
    lines = (FIXTURES / "shopify_orders.csv").read_bytes().splitlines(keepends=True)
    body = b"".join(line.replace(b"#100", b"#%d-100" % copy, 1)
                    for copy in range(300) for line in lines[1:])
    path = tmp_path / "damaged.csv"
    path.write_bytes(lines[0] + body + b"\x00\x01\x02 binary tail\n")
    assert path.stat().st_size > 2 * importing.HEAD_BYTES
    before = snapshot()

    with pytest.raises(NotAnExport, match="binary"):
        run_import(path)

    assert snapshot() == before
    assert count_rows(db, "import_run") == 0
