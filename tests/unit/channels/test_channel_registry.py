"""The explicit registry: naming formats, detecting them, refusing what is not an export."""

from __future__ import annotations

import io

import pytest

from oms_cli.channels import FORMATS, ParseOptions, detect, get_format, open_export
from oms_cli.domain.orders import ParsedOrder
from oms_cli.errors import ExitCode, InvalidInput, NotAnExport


def test_every_format_has_a_unique_name_and_a_platform() -> None:
    assert [(fmt.name, fmt.platform) for fmt in FORMATS] == [
        ("shopify_csv", "shopify"),
        ("shopify_json", "shopify"),
        ("amazon_tsv", "amazon"),
        ("etsy_orders_csv", "etsy"),
        ("etsy_items_csv", "etsy"),
        ("woocommerce_json", "woocommerce"),
        ("woocommerce_csv", "woocommerce"),
        ("ebay_csv", "ebay"),
        ("custom", "custom"),
    ]


def test_a_format_is_found_by_name_and_an_unknown_name_lists_the_known_ones() -> None:
    assert get_format("amazon_tsv").platform == "amazon"
    with pytest.raises(InvalidInput, match="unknown format 'shopify'; known formats: shopify_csv"):
        get_format("shopify")


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"Name,Email,Lineitem quantity,Lineitem name\n", "shopify_csv"),
        (b"Name,Lineitem quantity,Lineitem sku\n", "shopify_csv"),
        (b'{"orders": [{"name": "#1", "line_items": [], "total_price": "1.00"}]}', "shopify_json"),
        (b"amazon-order-id\tpurchase-date\tsku\tquantity\n", "amazon_tsv"),
        (b"order-id\torder-item-id\tpurchase-date\tquantity-purchased\n", "amazon_tsv"),
        (b'"Sale Date","Order ID","Number of Items","Order Total"\n', "etsy_orders_csv"),
        (b"Sale Date\tOrder ID\tOrder Value\tOrder Total\r\n", "etsy_orders_csv"),
        (b'"Sale Date","Item Name",Transaction ID,Listing ID,Order ID\n', "etsy_items_csv"),
        (b'[{"id": 1, "order_key": "wc_x", "line_items": []}]', "woocommerce_json"),
        (b'{"orders": [{"id": 1, "date_created_gmt": "x", "line_items": []}]}', "woocommerce_json"),
        (b'"Order Number","Order Status","Order Date","SKU"\n', "woocommerce_csv"),
        (b",,,\nSales Record Number,Order Number,Item Number,Quantity,Sold For\n", "ebay_csv"),
    ],
)
def test_formats_are_detected_from_their_header_or_json_shape(head: bytes, name: str) -> None:
    assert detect(head, "export").name == name


def test_a_squarespace_export_is_not_taken_for_shopify() -> None:
    head = b"Order ID,Email,Lineitem quantity,Lineitem name,Lineitem sku\n"
    with pytest.raises(NotAnExport):
        detect(head, "orders.csv")


@pytest.mark.parametrize("head", [b"", b"\n\r\n  ", b"\xef\xbb\xbf"])
def test_an_empty_file_is_not_an_export(head: bytes) -> None:
    with pytest.raises(NotAnExport, match=r"orders\.csv: the file is empty") as caught:
        detect(head, "orders.csv")
    assert caught.value.exit_code is ExitCode.NOT_AN_EXPORT


def test_a_binary_file_is_not_an_export_and_the_line_is_named() -> None:
    with pytest.raises(NotAnExport, match=r"photo.jpg: line 1: binary content"):
        detect(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "photo.jpg")


def test_unknown_columns_name_the_formats_tried() -> None:
    with pytest.raises(NotAnExport) as caught:
        detect(b"id,when,what\n1,2,3\n", "mystery.csv")
    message = str(caught.value)
    assert message.startswith("mystery.csv: not an export oms recognises: unknown columns (id,")
    assert "tried shopify_csv, shopify_json, amazon_tsv" in message
    assert "ebay_csv" in message and "column" in message


def test_json_of_an_unknown_shape_is_not_an_export() -> None:
    with pytest.raises(NotAnExport, match="JSON of an unknown shape"):
        detect(b'{"hello": "world"}')


def test_a_column_map_lets_an_unknown_file_be_read_as_custom() -> None:
    options = ParseOptions(column_map={"external_id": "id", "placed_at": "when"})
    assert detect(b"id,when,what\n", "mine.csv", options=options).name == "custom"
    with pytest.raises(NotAnExport):
        detect(b"ref,date\n", "other.csv", options=options)


def test_open_export_detects_then_reads_from_the_very_first_byte() -> None:
    data = b"Name,Created at,Lineitem quantity,Lineitem sku\n#1,2024-01-01 10:00:00 +0000,2,MUG\n"
    chosen, records = open_export(io.BytesIO(data), "x.csv")
    (order,) = list(records)
    assert isinstance(order, ParsedOrder)
    assert chosen.name == "shopify_csv"
    assert (order.external_id, order.units, order.source_line) == ("#1", 2, 2)


def test_open_export_takes_an_explicit_format() -> None:
    data = b"Name,Created at,Lineitem quantity,Lineitem sku\n"
    chosen, records = open_export(io.BytesIO(data), format_name="shopify_csv")
    assert (chosen.name, list(records)) == ("shopify_csv", [])


def test_an_unknown_store_time_zone_is_invalid_input() -> None:
    data = b"Name,Created at,Lineitem quantity,Lineitem sku\n#1,2024-01-01,1,A\n"
    _, records = open_export(io.BytesIO(data), options=ParseOptions(timezone="Nowhere/Land"))
    with pytest.raises(InvalidInput, match="timezone: unknown time zone"):
        list(records)
