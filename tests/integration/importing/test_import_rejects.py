"""Bad records are rejected with their line, reason and text; the rest of the file goes in.

shopify_bad_records.csv: line 2 (#4001) and line 7 (#4006) are good; line 3 has no
order id, line 4 an unreadable Total, line 5 a date that does not exist, line 6 a
zero quantity.
"""

from __future__ import annotations

import csv

import pytest
from importing_support import FIXTURES, count_rows, orders_by_key

from oms_cli.errors import InvalidInput
from oms_cli.services.import_runs import rejected_records, write_rejects

BAD = FIXTURES / "shopify_bad_records.csv"
FILE_LINES = BAD.read_text(encoding="utf-8").splitlines()


def test_bad_records_are_rejected_and_the_good_ones_imported(db, run_import):
    summary = run_import(BAD)

    assert (summary.read, summary.created, summary.rejected) == (6, 2, 4)
    assert set(orders_by_key(db)) == {"#4001", "#4006"}
    assert [reject.line for reject in summary.rejects] == [3, 4, 5, 6]


def test_each_rejected_record_keeps_its_line_field_reason_and_raw_text(db, run_import):
    summary = run_import(BAD)

    rows = rejected_records(db, summary.run_id)
    assert [(line, external_id, field) for line, external_id, field, _, _ in rows] == [
        (3, None, "Name"), (4, "#4003", "Total"), (5, "#4004", "Created at"),
        (6, "#4005", "Lineitem quantity")]
    reasons = [reason for _, _, _, reason, _ in rows]
    assert "missing order id" in reasons[0]
    assert '"12.5O" is not an amount' in reasons[1]
    assert "2024-06-31" in reasons[2] and "date" in reasons[2]
    assert '"0" is not a positive quantity' in reasons[3]
    assert [raw for *_, raw in rows] == FILE_LINES[2:6]


def test_strict_imports_nothing_from_a_file_with_a_bad_record(db, run_import, snapshot):
    before = snapshot()

    with pytest.raises(InvalidInput, match=r"shopify_bad_records.csv:3: .*--strict"):
        run_import(BAD, strict=True)

    assert snapshot() == before
    assert count_rows(db, "import_run") == 0


def test_rejects_written_back_import_cleanly_once_fixed(db, run_import, tmp_path):
    summary = run_import(BAD)
    rejects = tmp_path / "rejects.csv"

    assert write_rejects(db, summary.run_id, rejects) == 4
    fixed = fix_rejects(rejects)
    again = run_import(fixed)

    assert (again.created, again.rejected) == (4, 0)
    assert set(orders_by_key(db)) == {"#4001", "#4002", "#4003", "#4004", "#4005", "#4006"}


def fix_rejects(path):
    """Mend the four cells the way a merchant would in a spreadsheet."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Name"] for row in rows] == ["", "#4003", "#4004", "#4005"]
    rows[0]["Name"] = "#4002"
    rows[1]["Total"] = "12.50"
    rows[2]["Created at"] = "2024-06-30 09:00:00 -0400"
    rows[3]["Lineitem quantity"] = "1"
    fixed = path.with_name("fixed.csv")
    with fixed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return fixed


def test_rejects_of_a_json_export_are_written_back_as_json(db, run_import, tmp_path):
    source = (FIXTURES / "shopify_customers_again.json").read_text(encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text(source.replace('"quantity": 1,', '"quantity": "one",', 1),
                      encoding="utf-8")
    summary = run_import(broken)
    assert (summary.created, summary.rejected) == (1, 1)
    rejects = tmp_path / "rejects.json"

    write_rejects(db, summary.run_id, rejects)
    rejects.write_text(rejects.read_text(encoding="utf-8").replace('"one"', "1"),
                       encoding="utf-8")
    again = run_import(rejects)

    assert (again.created, again.rejected) == (1, 0)
    assert set(orders_by_key(db)) == {"#9001", "#9002"}


def test_a_dry_run_stores_nothing_but_reports_the_same_counts(db, run_import, snapshot):
    before = snapshot()

    summary = run_import(BAD, dry_run=True)

    assert (summary.created, summary.rejected, summary.dry_run) == (2, 4, True)
    assert snapshot() == before
    assert count_rows(db, "import_run") == 0

