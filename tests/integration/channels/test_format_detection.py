"""Every fixture file is recognised as the format it was written in."""

from __future__ import annotations

import pytest
from channel_exports import FIXTURES, fixture

from oms_cli.channels import HEAD_BYTES, detect
from oms_cli.errors import NotAnExport

EXPECTED = {
    "shopify/orders_export_79_columns.csv": "shopify_csv",
    "shopify/orders_export_2021_72_columns.csv": "shopify_csv",
    "shopify/orders_export_2012_47_columns.csv": "shopify_csv",
    "shopify/orders_export_excel_bom_crlf.csv": "shopify_csv",
    "shopify/orders_export_malformed.csv": "shopify_csv",
    "shopify/orders_export_split_order.csv": "shopify_csv",
    "amazon/all_orders_report.txt": "amazon_tsv",
    "amazon/all_orders_report_malformed.txt": "amazon_tsv",
    "amazon/unshipped_orders_report.txt": "amazon_tsv",
    "etsy/EtsySoldOrderItems2024_uk.csv": "etsy_items_csv",
    "etsy/EtsySoldOrderItems_cp1252.csv": "etsy_items_csv",
    "etsy/EtsySoldOrders2023_us.csv": "etsy_orders_csv",
    "etsy/EtsySoldOrders2020_excel_resaved.tsv": "etsy_orders_csv",
    "woocommerce/orders_every_status.json": "woocommerce_json",
    "woocommerce/order_single_prices_include_tax.json": "woocommerce_json",
    "woocommerce/advanced_order_export.csv": "woocommerce_csv",
    "ebay/orders_report_us.csv": "ebay_csv",
    "ebay/orders_report_uk.csv": "ebay_csv",
}
NOT_DETECTED = [
    "shopify/squarespace_orders.csv",
    "custom/shop_orders_semicolon.csv",
    "custom/shop_orders_nested.json",
]


@pytest.mark.parametrize(("relative", "name"), sorted(EXPECTED.items()))
def test_each_fixture_is_detected_as_its_format(relative: str, name: str) -> None:
    path = fixture(relative)
    assert detect(path.read_bytes()[:HEAD_BYTES], path.name).name == name


@pytest.mark.parametrize("relative", NOT_DETECTED)
def test_files_of_other_shops_are_not_claimed_by_any_format(relative: str) -> None:
    path = fixture(relative)
    with pytest.raises(NotAnExport, match="not an export oms recognises"):
        detect(path.read_bytes(), path.name)


def test_every_fixture_is_covered_by_a_detection_test() -> None:
    present = {str(path.relative_to(FIXTURES)) for path in FIXTURES.rglob("*")
               if path.is_file() and path.name != "README.md"}
    assert present == set(EXPECTED) | set(NOT_DETECTED)
