"""Shopify's orders export CSV: every header generation and every trap in FORMATS.md."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from channel_exports import Export, fixture, read_export

from oms_cli.domain.orders import ChannelFulfillment, FinancialStatus


@pytest.fixture(scope="module")
def current() -> Export:
    return read_export(fixture("shopify/orders_export_79_columns.csv"), timezone="Europe/London")


def test_the_79_column_export_gives_one_order_per_name(current: Export) -> None:
    assert current.format.name == "shopify_csv"
    assert [order.external_id for order in current.orders] == ["#2001", "#2000", "#1999", "#1998"]
    assert current.rejects == []


def test_continuation_rows_become_lines_and_order_fields_come_from_the_first_row(
    current: Export,
) -> None:
    order = current.order("#2001")
    assert [(line.line_key, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("1", "SCARF-RED", 1, Decimal("60.00")), ("2", None, 1, Decimal("40.00"))
    ]
    assert (order.currency, order.total, order.subtotal, order.shipping) == (
        "GBP", Decimal("105.00"), Decimal("100.00"), Decimal("5.00")
    )
    assert order.source_line == 2
    assert order.raw.count("\n#2001,") == 1  # both rows of the order, as written


def test_a_tax_inclusive_order_is_marked_so_vat_is_not_counted_twice(current: Export) -> None:
    inclusive, exclusive = current.order("#2001"), current.order("#2000")
    assert (inclusive.taxes_included, inclusive.tax) == (True, Decimal("17.50"))
    assert inclusive.total == inclusive.subtotal + inclusive.shipping
    assert exclusive.taxes_included is False


def test_a_line_without_a_sku_is_keyed_by_its_name(current: Export) -> None:
    wrap = current.order("#2001").lines[1]
    assert (wrap.sku, wrap.channel_key, wrap.name, wrap.requires_shipping) == (
        None, "Gift wrap", "Gift wrap", False
    )


def test_apostrophes_excel_needed_are_stripped_from_zips_and_phones(current: Export) -> None:
    order = current.order("#2001")
    assert (order.ship_to.postcode, order.ship_to.phone, order.phone) == (
        "SW1A 1AA", "+44 20 7946 0000", "+44 20 7946 0000"
    )
    assert current.order("#2000").ship_to.postcode == "02134"


def test_multi_line_notes_are_kept_whole(current: Export) -> None:
    assert current.order("#2001").note == "Please leave it\nwith the neighbour, thanks"


def test_offsets_changing_with_daylight_saving_give_correct_utc(current: Export) -> None:
    assert current.order("#2001").placed_at == datetime(2024, 3, 31, 8, 15, tzinfo=UTC)
    assert current.order("#2000").placed_at == datetime(2024, 3, 30, 18, 0, tzinfo=UTC)


def test_refunded_amount_becomes_an_undated_refund(current: Export) -> None:
    (refund,) = current.order("#2001").refunds
    assert (refund.amount, refund.at) == (Decimal("15.00"), None)
    assert current.order("#2000").refunds == []


def test_statuses_map_to_ours_and_the_raw_words_are_kept(current: Export) -> None:
    assert [(o.financial_status, o.fulfillment) for o in current.orders] == [
        (FinancialStatus.PARTIALLY_REFUNDED, ChannelFulfillment.PARTIAL),
        (FinancialStatus.PAID, ChannelFulfillment.FULFILLED),
        (FinancialStatus.VOIDED, ChannelFulfillment.UNFULFILLED),
        (FinancialStatus.PAID, ChannelFulfillment.UNFULFILLED),
    ]
    assert current.order("#2001").raw_status == "partially_refunded/partial"


def test_line_fulfillment_status_gives_fulfilled_quantities(current: Export) -> None:
    assert [line.fulfilled_quantity for line in current.order("#2001").lines] == [1, 0]
    assert current.order("#2000").lines[0].fulfilled_quantity == 2
    assert current.order("#2000").fulfilled_at == datetime(2024, 3, 31, 9, 0, tzinfo=UTC)


def test_cancelled_at_marks_a_cancelled_order(current: Export) -> None:
    assert current.order("#1999").cancelled_at == datetime(2024, 3, 29, 12, tzinfo=UTC)
    assert current.order("#2000").cancelled_at is None


def test_order_details_are_read_by_name(current: Export) -> None:
    order = current.order("#2001")
    assert (order.channel_order_id, order.source, order.risk_level, order.payment_method) == (
        "5550002001", "web", "low", "Shopify Payments"
    )
    assert (order.discount, order.tags, order.email, order.customer_name) == (
        Decimal("10.00"), "vip, repeat", "ann@example.co.uk", "Ann Example"
    )
    assert [line.discount for line in order.lines] == [Decimal("6.00"), Decimal("4.00")]
    assert current.order("#1999").risk_level == "high"


def test_quoted_empty_cells_are_missing_like_empty_ones(current: Export) -> None:
    cancelled = current.order("#1999")
    assert (cancelled.ship_to.name, cancelled.ship_to.line1, cancelled.note) == (None, None, None)


def test_a_test_tag_marks_a_test_order(current: Export) -> None:
    assert [order.is_test for order in current.orders] == [False, False, False, True]


def test_the_2021_export_with_72_columns_reads_the_same_way() -> None:
    export = read_export(fixture("shopify/orders_export_2021_72_columns.csv"))
    (order,) = export.orders
    assert (order.external_id, order.units, order.total) == ("#101", 4, Decimal("37.10"))
    assert order.placed_at == datetime(2021, 5, 1, 19, 30, tzinfo=UTC)


def test_the_2012_export_with_47_columns_takes_line_fulfilment_from_the_order() -> None:
    export = read_export(fixture("shopify/orders_export_2012_47_columns.csv"))
    (order,) = export.orders
    assert (order.external_id, order.currency, order.fulfillment) == (
        "#1001", "CAD", ChannelFulfillment.FULFILLED
    )
    assert order.lines[0].fulfilled_quantity == 2
    assert order.channel_order_id is None


def test_an_excel_resave_with_bom_and_crlf_reads_the_same() -> None:
    plain = read_export(fixture("shopify/orders_export_79_columns.csv"))
    excel = read_export(fixture("shopify/orders_export_excel_bom_crlf.csv"))
    assert [o.external_id for o in excel.orders] == ["#2001", "#2000"]
    assert excel.order("#2001").note == plain.order("#2001").note
    assert excel.order("#2001").lines == plain.order("#2001").lines


@pytest.fixture(scope="module")
def malformed() -> Export:
    return read_export(fixture("shopify/orders_export_malformed.csv"))


def test_bad_records_are_rejected_with_line_field_and_value_and_the_rest_go_in(
    malformed: Export,
) -> None:
    assert [order.external_id for order in malformed.orders] == ["#3001", "#3011"]
    assert [(reject.line, reject.reason) for reject in malformed.rejects] == [
        (4, 'Lineitem quantity: "abc" is not a whole number'),
        (5, "Name: missing order id"),
        (6, 'Created at: "yesterday" is not a date'),
        (7, 'Subtotal: "NaN" is not an amount'),
        (8, 'Lineitem quantity: "0" is not a positive quantity'),
        (9, 'Lineitem quantity: "1.5" is not a whole number'),
        (10, 'Subtotal: "99999999999999" is out of range'),
        (11, 'Lineitem quantity: "-2" is not a positive quantity'),
        (12, 'Currency: "dollars" is not a currency code'),
        (13, "Lineitem name: is missing (and so is Lineitem sku)"),
    ]


def test_a_bad_row_rejects_its_whole_order_with_every_row_kept(malformed: Export) -> None:
    reject = malformed.reject(4)
    assert (reject.external_id, reject.field) == ("#3002", "Lineitem quantity")
    assert reject.raw.splitlines()[0].startswith("#3002,") and len(reject.raw.splitlines()) == 2


def test_rows_of_an_order_that_are_apart_are_rejected_not_half_imported() -> None:
    export = read_export(fixture("shopify/orders_export_split_order.csv"))
    assert [order.external_id for order in export.orders] == ["#4001", "#4002"]
    (late,) = export.rejects
    assert (late.line, late.external_id) == (4, "#4001")
    assert "not together" in late.reason


def test_a_file_cut_off_in_the_middle_of_a_record_rejects_that_order(tmp_path: Path) -> None:
    data = fixture("shopify/orders_export_79_columns.csv").read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(data[: data.rindex(b"Sample") + 6])
    export = read_export(path)
    assert [order.external_id for order in export.orders] == ["#2001", "#2000", "#1999"]
    (reject,) = export.rejects
    assert (reject.line, reject.external_id) == (8, "#1998")
    assert reject.reason.startswith("the file ends in the middle of this record")
