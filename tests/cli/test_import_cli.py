"""`oms import`: exit codes, stdout vs stderr, options, and the history/errors/undo commands.

The import rules themselves are tested through the service in
tests/integration/importing; here each behaviour is checked from the command line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from runners import query

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "imports"
SAMPLES = REPO.parent / "shared" / "samples"
ORDERS = FIXTURES / "shopify_orders.csv"
BAD = FIXTURES / "shopify_bad_records.csv"
SUMMARY_KEYS = {"run_id", "file", "channel", "read", "created", "updated", "unchanged",
                "rejected"}
FORMAT_NAMES = ("shopify_csv", "shopify_json", "amazon_tsv", "etsy_orders_csv",
                "etsy_items_csv", "woocommerce_json", "woocommerce_csv", "ebay_csv")


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"real samples not available ({path})")
    return path


def summaries(result) -> list[dict]:
    return json.loads(result.stdout)


# Real exports -------------------------------------------------------------------------

@pytest.mark.parametrize("name, channel, orders, lines", [
    ("shopify__orders_export_1__devstore_INR.csv", "shopify", 51, 121),
    ("shopify__orders_export_1__teststore_bogus_gateway.csv", "shopify", 2, 2),
    ("shopify__api_order_get.json", "shopify", 1, 3),
    ("woocommerce__rest_v3_orders_list__docs_example.json", "woocommerce", 2, 4),
    ("etsy__EtsySoldOrders2020__excel_resaved_no_names.csv", "etsy", 347, 0),
    ("etsy__EtsySoldOrderItems2023__anonymised.csv", "etsy", 4, 4),
])
def test_every_real_export_imports_from_the_command_line(cli, db_path, name, channel, orders,
                                                         lines):
    result = cli("import", sample(name), "-f", "json")

    assert result.exit_code == 0, result.stderr
    [summary] = summaries(result)
    assert (summary["channel"], summary["read"], summary["created"], summary["rejected"]) == (
        channel, orders, orders, 0)
    assert query(db_path, "SELECT count(*) FROM orders")[0][0] == orders
    assert query(db_path, "SELECT count(*) FROM order_line")[0][0] == lines


def test_both_etsy_files_merge_whichever_is_imported_first(cli, db_path):
    items, orders = FIXTURES / "etsy_sold_order_items.csv", FIXTURES / "etsy_sold_orders.csv"

    result = cli("import", items, orders, "-f", "json")

    assert result.exit_code == 0, result.stderr
    assert [(s["created"], s["updated"]) for s in summaries(result)] == [(2, 0), (0, 2)]
    assert query(db_path, "SELECT external_id, total, (SELECT count(*) FROM order_line l "
                          "WHERE l.order_id = o.id) FROM orders o ORDER BY 1") == [
        ("3000000001", 1460, 2), ("3000000002", 425, 1)]


# The summary --------------------------------------------------------------------------

def test_the_json_summary_has_the_documented_fields(cli):
    result = cli("import", ORDERS, "-f", "json")

    [summary] = summaries(result)
    assert SUMMARY_KEYS <= set(summary) <= SUMMARY_KEYS | {"format"}
    assert summary == {"run_id": 1, "file": str(ORDERS), "channel": "shopify",
                       "format": "shopify_csv", "read": 5, "created": 5, "updated": 0,
                       "unchanged": 0, "rejected": 0}


def test_data_goes_to_stdout_and_the_narrative_to_stderr(cli):
    result = cli("import", ORDERS, "-f", "csv")

    assert result.exit_code == 0
    assert next(csv.reader(io.StringIO(result.stdout)))[:3] == ["run_id", "file", "channel"]
    assert "5 created" in result.stderr and "5 created" not in result.stdout


def test_importing_the_same_file_again_says_nothing_changed(cli, db_path):
    cli("import", ORDERS)
    orders = query(db_path, "SELECT * FROM orders ORDER BY id")
    events = query(db_path, "SELECT count(*) FROM order_event")

    result = cli("import", ORDERS, "-f", "json")

    assert result.exit_code == 0
    [summary] = summaries(result)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 5)
    assert "0 created, 0 updated, 5 unchanged" in result.stderr
    assert query(db_path, "SELECT * FROM orders ORDER BY id") == orders
    assert query(db_path, "SELECT count(*) FROM order_event") == events
    digest = hashlib.sha256(ORDERS.read_bytes()).hexdigest()
    assert query(db_path, "SELECT sha256 FROM import_run") == [(digest,), (digest,)]


def test_a_later_export_reports_its_updates(cli):
    cli("import", ORDERS)

    result = cli("import", FIXTURES / "shopify_orders_later.csv", "-f", "json")

    [summary] = summaries(result)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (1, 5, 0)


# Bad records --------------------------------------------------------------------------

def test_rejected_records_exit_3_with_a_summary_on_stderr(cli, db_path):
    result = cli("import", BAD)

    assert result.exit_code == 3
    assert "6 read, 2 created, 0 updated, 0 unchanged, 4 rejected" in result.stderr
    for line, reason in [(3, "missing order id"), (4, "is not an amount"),
                         (5, "is not a real date"), (6, "is not a positive quantity")]:
        assert f"shopify_bad_records.csv:{line}: " in result.stderr
        assert reason in result.stderr
    assert "oms import errors 1" in result.stderr
    assert query(db_path, "SELECT external_id FROM orders ORDER BY 1") == [("#4001",), ("#4006",)]


def test_strict_imports_nothing_and_exits_1(cli, db_path):
    result = cli("import", "--strict", BAD)

    assert result.exit_code == 1
    assert "--strict: nothing was imported" in result.stderr
    assert query(db_path, "SELECT count(*) FROM orders") == [(0,)]
    assert query(db_path, "SELECT count(*) FROM import_run") == [(0,)]


def test_import_errors_lists_each_rejected_record(cli):
    cli("import", BAD)

    result = cli("import", "errors", "1", "-f", "json")

    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(row["line"], row["field"]) for row in rows] == [
        (3, "Name"), (4, "Total"), (5, "Created at"), (6, "Lineitem quantity")]
    assert rows[1]["raw"] == BAD.read_text(encoding="utf-8").splitlines()[3]
    assert {"line", "external_id", "field", "reason", "raw"} == set(rows[0])


def test_rejects_written_to_a_file_import_again_once_fixed(cli, db_path, tmp_path):
    cli("import", BAD)
    rejects = tmp_path / "rejects.csv"

    written = cli("import", "errors", "1", "-o", rejects)

    assert written.exit_code == 0
    assert "wrote 4 rejected record(s)" in written.stderr
    with rejects.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["Name"] = "#4002"
    rows[1]["Total"] = "12.50"
    rows[2]["Created at"] = "2024-06-30 09:00:00 -0400"
    rows[3]["Lineitem quantity"] = "2"
    with rejects.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    again = cli("import", rejects, "-f", "json")

    assert again.exit_code == 0, again.stderr
    assert summaries(again)[0]["created"] == 4
    assert query(db_path, "SELECT count(*) FROM orders") == [(6,)]


def test_only_the_first_five_rejects_are_shown_and_the_rest_counted(cli, tmp_path):
    header, good = ORDERS.read_text(encoding="utf-8").splitlines()[:2]
    bad_rows = [good.replace("#1001", f"#{n}").replace(",2,Blue Mug", ",-1,Blue Mug")
                for n in range(7)]
    path = tmp_path / "many-bad.csv"
    path.write_text("\n".join([header, *bad_rows]) + "\n", encoding="utf-8")

    result = cli("import", path)

    assert result.exit_code == 3
    assert result.stderr.count("is not a positive quantity") == 5
    assert "... and 2 more" in result.stderr


def test_rejects_are_never_written_over_an_existing_file(cli, tmp_path):
    cli("import", BAD)
    target = tmp_path / "keep.csv"
    target.write_text("precious\n", encoding="utf-8")

    result = cli("import", "errors", "1", "-o", target)

    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "precious\n"


def test_errors_of_an_unknown_run_is_not_found(cli):
    result = cli("import", "errors", "42")

    assert result.exit_code == 1
    assert "no import run 42" in result.stderr


# Holds ---------------------------------------------------------------------------------

def test_held_orders_stay_held_until_revalidated_even_after_an_alias(cli, db_path):
    holds = FIXTURES / "shopify_holds.csv"
    result = cli("import", holds, "-f", "json")
    assert (result.exit_code, summaries(result)[0]["rejected"]) == (0, 0)
    hold = "SELECT status, hold_reason FROM orders WHERE external_id = '#2001'"
    assert query(db_path, hold) == [("on_hold", "unknown_sku")]

    assert cli("product", "add", "MUG-01", "--name", "Blue Mug").exit_code == 0
    alias = cli("product", "alias", "add", "shopify", "GHOST-99", "MUG-01")
    again = cli("import", holds, "-f", "json")

    assert alias.exit_code == 0, alias.stderr
    assert query(db_path, "SELECT channel, key FROM product_alias") == [("shopify", "GHOST-99")]
    assert summaries(again)[0]["unchanged"] == 4
    # Import does not re-resolve stored lines: `oms allocate` (or release) will.
    assert query(db_path, hold) == [("on_hold", "unknown_sku")]


# Not an export, missing files ----------------------------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
    ("spreadsheet.xlsx", b"PK\x03\x04\x14\x00\x06\x00", "binary content"),
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\n\r\n  \n", "empty"),
])
def test_a_file_that_is_no_text_export_exits_65(cli, db_path, tmp_path, name, content,
                                                 message):
    path = tmp_path / name
    path.write_bytes(content)

    result = cli("import", path)

    assert result.exit_code == 65
    assert f"oms: error: {name}: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert query(db_path, "SELECT count(*) FROM import_run") == [(0,)]


def test_unknown_columns_exit_65_naming_the_formats_tried(cli, tmp_path):
    path = tmp_path / "inventory.csv"
    path.write_text("sku,qty,bin\nMUG-01,4,A1\n", encoding="utf-8")

    result = cli("import", path)

    assert result.exit_code == 65
    assert "unknown columns (sku, qty, bin)" in result.stderr
    for name in FORMAT_NAMES:
        assert name in result.stderr


def test_json_of_an_unknown_shape_exits_65(cli, tmp_path):
    path = tmp_path / "products.json"
    path.write_text('{"products": [{"id": 1}]}', encoding="utf-8")

    result = cli("import", path)

    assert result.exit_code == 65
    assert "JSON of an unknown shape" in result.stderr


def test_a_missing_file_exits_66(cli, tmp_path):
    result = cli("import", tmp_path / "nowhere.csv")

    assert result.exit_code == 66
    assert "nowhere.csv: no such file" in result.stderr


def test_one_bad_file_among_several_still_lets_the_others_in(cli, db_path, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")

    result = cli("import", ORDERS, bad, FIXTURES / "shopify_jpy_and_usd.csv", "-f", "json")

    assert result.exit_code == 65
    assert [s["created"] for s in summaries(result)] == [5, 2]
    assert "bad.csv" in result.stderr
    assert query(db_path, "SELECT count(*) FROM orders") == [(7,)]


def test_a_missing_file_outranks_rejected_records(cli, tmp_path):
    result = cli("import", BAD, tmp_path / "gone.csv")

    assert result.exit_code == 66
    assert "4 rejected" in result.stderr


def test_a_file_that_breaks_part_way_names_itself_and_stores_nothing(cli, db_path, tmp_path):
    lines = ORDERS.read_bytes().splitlines(keepends=True)
    body = b"".join(line.replace(b"#100", b"#%d-100" % copy, 1)
                    for copy in range(300) for line in lines[1:])
    path = tmp_path / "damaged.csv"
    path.write_bytes(lines[0] + body + b"\x00 tail\n")

    result = cli("import", path)

    assert result.exit_code == 65
    assert f"{path}: line " in result.stderr and "binary content" in result.stderr
    assert query(db_path, "SELECT count(*) FROM orders") == [(0,)]


# Options ------------------------------------------------------------------------------

def test_a_dash_reads_the_export_from_stdin(cli, db_path):
    result = cli("import", "-", "-f", "json", input=ORDERS.read_text(encoding="utf-8"))

    assert result.exit_code == 0, result.stderr
    [summary] = summaries(result)
    assert (summary["file"], summary["created"]) == ("<stdin>", 5)
    digest = hashlib.sha256(ORDERS.read_bytes()).hexdigest()
    assert query(db_path, "SELECT file_name, sha256 FROM import_run") == [("<stdin>", digest)]


def test_an_empty_stdin_is_no_export(cli):
    result = cli("import", "-", input="")

    assert result.exit_code == 65
    assert "<stdin>: the file is empty" in result.stderr


def test_a_dry_run_stores_nothing(cli, db_path):
    result = cli("import", "--dry-run", ORDERS, "-f", "json")

    assert result.exit_code == 0
    assert summaries(result)[0]["created"] == 5
    assert "dry run, nothing stored" in result.stderr
    assert query(db_path, "SELECT count(*) FROM orders") == [(0,)]
    assert query(db_path, "SELECT count(*) FROM import_run") == [(0,)]


def test_a_named_channel_keeps_two_shopify_stores_side_by_side(cli, db_path):
    first = cli("import", ORDERS)
    second = cli("import", "--channel", "eu-store", ORDERS, "-f", "json")

    assert (first.exit_code, second.exit_code) == (0, 0)
    assert summaries(second)[0]["channel"] == "eu-store"
    assert summaries(second)[0]["created"] == 5
    assert query(db_path, "SELECT channel FROM orders WHERE external_id = '#1001' "
                          "ORDER BY 1") == [("eu-store",), ("shopify",)]


def test_format_skips_detection(cli, tmp_path):
    # An extra "Order ID" column makes the file look like Squarespace's, so detection
    # gives up; naming the format reads it as the Shopify export it is.
    text = ORDERS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "with-order-id.csv"
    path.write_text("\n".join([text[0] + ",Order ID", *text[1:]]) + "\n", encoding="utf-8")
    assert cli("import", path).exit_code == 65

    result = cli("import", "--format", "shopify_csv", path, "-f", "json")

    assert result.exit_code == 0, result.stderr
    assert summaries(result)[0]["created"] == 5


def test_a_format_that_does_not_fit_the_file_exits_65(cli):
    result = cli("import", "--format", "etsy_items_csv", ORDERS)

    assert result.exit_code == 65
    assert f"{ORDERS}: " in result.stderr and "Etsy Sold Order Items" in result.stderr


def test_an_unknown_format_name_is_bad_usage(cli, db_path):
    result = cli("import", "--format", "excel", ORDERS)

    assert result.exit_code == 2
    assert "unknown format 'excel'" in result.stderr
    assert "shopify_csv" in result.stderr


# History and undo ---------------------------------------------------------------------

def test_history_lists_every_run_newest_first(cli):
    cli("import", ORDERS)
    cli("import", BAD)

    result = cli("import", "history", "-f", "json")

    assert result.exit_code == 0
    runs = json.loads(result.stdout)
    assert [(run["run_id"], Path(run["file"]).name, run["created"], run["rejected"])
            for run in runs] == [(2, BAD.name, 2, 4), (1, ORDERS.name, 5, 0)]
    assert runs[1]["sha256"] == hashlib.sha256(ORDERS.read_bytes()).hexdigest()


def test_undo_cancels_the_orders_a_run_created_and_keeps_them(cli, db_path):
    cli("import", ORDERS)

    result = cli("import", "undo", "1", "--yes")

    assert result.exit_code == 0, result.stderr
    assert "5 order(s) cancelled" in result.stderr
    assert query(db_path, "SELECT DISTINCT status FROM orders") == [("cancelled",)]
    assert query(db_path, "SELECT count(*) FROM orders") == [(5,)]
    assert query(db_path, "SELECT count(*) FROM order_event WHERE type = 'import_undone'") == [
        (5,)]
    assert query(db_path, "SELECT status FROM import_run WHERE id = 1") == [("undone",)]


def test_undo_sets_back_the_updates_a_run_made(cli, db_path):
    cli("import", ORDERS)
    cli("import", FIXTURES / "shopify_orders_later.csv")

    result = cli("import", "undo", "2", "--yes")

    assert result.exit_code == 0, result.stderr
    assert query(db_path, "SELECT financial_status, ship_line1 FROM orders "
                          "WHERE external_id IN ('#1001', '#1004') ORDER BY external_id") == [
        ("pending", "1 Main St"), ("paid", "4 Pine Ct")]
    assert query(db_path, "SELECT status FROM orders WHERE external_id = '#1006'") == [
        ("cancelled",)]


def test_importing_a_file_again_after_its_undo_brings_its_orders_back(cli, db_path):
    cli("import", ORDERS)
    before = query(db_path, "SELECT external_id, status, hold_reason FROM orders ORDER BY id")
    cli("import", "undo", "1", "--yes")

    result = cli("import", ORDERS, "-f", "json")

    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)[0]
    assert (summary["updated"], summary["created"]) == (5, 0)
    assert query(db_path, "SELECT external_id, status, hold_reason FROM orders "
                          "ORDER BY id") == before
    assert query(db_path, "SELECT sum(cancelled) FROM order_line") == [(0,)]
    assert query(db_path, "SELECT count(*) FROM order_event WHERE type = 'revived'") == [(5,)]
    assert json.loads(cli("import", ORDERS, "-f", "json").stdout)[0]["unchanged"] == 5
    assert cli("db", "check").exit_code == 0


def test_an_order_the_channel_cancelled_stays_cancelled_when_imported_again(cli, db_path):
    cli("import", ORDERS)
    cli("order", "cancel", "shopify:#1001", "--yes")

    cli("import", ORDERS)

    assert query(db_path, "SELECT status FROM orders WHERE external_id = '#1001'") == [
        ("cancelled",)]


def test_undoing_twice_is_refused(cli):
    cli("import", ORDERS)
    cli("import", "undo", "1", "--yes")

    result = cli("import", "undo", "1", "--yes")

    assert result.exit_code == 1
    assert "already undone" in result.stderr


def test_undo_without_yes_and_no_terminal_refuses(cli, db_path):
    cli("import", ORDERS)

    result = cli("import", "undo", "1")

    assert result.exit_code == 1
    assert "--yes" in result.stderr
    assert query(db_path, "SELECT DISTINCT status FROM orders") != [("cancelled",)]
    assert query(db_path, "SELECT status FROM import_run") == [("done",)]


def test_undo_of_an_unknown_run_is_not_found(cli):
    result = cli("import", "undo", "9", "--yes")

    assert result.exit_code == 1
    assert "no import run 9" in result.stderr
