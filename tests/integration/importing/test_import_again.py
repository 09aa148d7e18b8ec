"""Importing the same file again is a no-op that says so, and every run keeps the file's sha256."""

from __future__ import annotations

import hashlib

import pytest
from importing_support import FIXTURES, sample
from sqlalchemy import select

from oms_cli.store.database import Database
from oms_cli.store.tables import ImportRun

FILES = [
    "shopify_orders.csv", "shopify_history.csv", "shopify_holds.csv",
    "shopify_jpy_and_usd.csv", "shopify_customers_again.json", "etsy_sold_orders.csv",
    "etsy_sold_order_items.csv",
]
SAMPLES = [
    "shopify__orders_export_1__devstore_INR.csv",
    "shopify__orders_export_1__teststore_bogus_gateway.csv",
    "shopify__api_order_get.json",
    "woocommerce__rest_v3_orders_list__docs_example.json",
    "etsy__EtsySoldOrders2020__excel_resaved_no_names.csv",
    "etsy__EtsySoldOrderItems2023__anonymised.csv",
]


def import_runs(db: Database) -> list[ImportRun]:
    with db.read() as session:
        return list(session.scalars(select(ImportRun).order_by(ImportRun.id)))


@pytest.mark.parametrize("name", FILES)
def test_the_same_fixture_twice_changes_nothing_the_second_time(name, run_import, snapshot):
    first = run_import(FIXTURES / name)
    before = snapshot()

    second = run_import(FIXTURES / name)

    assert (second.read, second.created, second.updated, second.rejected) == (
        first.read, 0, 0, 0)
    assert second.unchanged == first.created
    assert snapshot() == before


@pytest.mark.parametrize("name", SAMPLES)
def test_the_same_real_export_twice_changes_nothing_the_second_time(name, run_import,
                                                                     snapshot):
    path = sample(name)
    first = run_import(path)
    before = snapshot()

    second = run_import(path)

    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    assert snapshot() == before


def test_every_run_records_the_file_sha256_and_its_counts(db, run_import):
    path = FIXTURES / "shopify_orders.csv"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    run_import(path)
    run_import(path)

    runs = import_runs(db)
    assert [(run.sha256, run.status, run.size) for run in runs] == [
        (digest, "done", path.stat().st_size)] * 2
    assert [(run.read, run.created, run.updated, run.unchanged, run.rejected)
            for run in runs] == [(5, 5, 0, 0, 0), (5, 0, 0, 5, 0)]
    assert [(run.channel, run.format) for run in runs] == [("shopify", "shopify_csv")] * 2


def test_the_sha256_covers_the_whole_of_a_large_file(db, run_import, tmp_path):
    """Past the first 64 KiB read for detection, the hash still sees every byte."""
    source = (FIXTURES / "shopify_orders.csv").read_text(encoding="utf-8").splitlines()
    header, body = source[0], source[1:]
    rows = [header]
    for copy in range(200):
        rows += [line.replace("#100", f"#{copy}-100", 1) for line in body]
    path = tmp_path / "large.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > 128 * 1024

    summary = run_import(path)

    assert summary.created == 200 * 5
    assert import_runs(db)[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
