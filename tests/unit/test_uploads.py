"""The channel upload writers: exact columns, escaping, and the availability arithmetic."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from oms_cli.channels.uploads import (
    GENERIC,
    WRITERS,
    Offer,
    ShippedLine,
    Stocked,
    amazon,
    generic,
    shopify,
    writer_for,
)
from oms_cli.channels.uploads.quantities import offers_for, whole_bundles
from oms_cli.channels.uploads.shopify_inventory import fill_inventory
from oms_cli.errors import InvalidInput

SHIPPED = datetime(2024, 3, 2, 15, 4, 5, tzinfo=UTC)


def line(**fields: object) -> ShippedLine:
    values: dict[str, object] = dict(
        order="#1001", channel_order_id="5001", line_key="1", sku="MUG", quantity=2,
        carrier="UPS", tracking="1Z999", shipped_at=SHIPPED, location="Main room")
    values.update(fields)
    return ShippedLine(**values)  # type: ignore[arg-type]


# The registry


def test_each_platform_with_its_own_files_has_a_writer() -> None:
    assert sorted(WRITERS) == ["amazon", "shopify"]
    assert writer_for("shopify") is shopify.WRITER
    assert writer_for("amazon") is amazon.WRITER


@pytest.mark.parametrize("platform", ["ebay", "woocommerce", "etsy", "custom", None])
def test_other_platforms_get_the_generic_files(platform: str | None) -> None:
    assert writer_for(platform) is GENERIC


# Shopify


def test_shopify_fulfillments_have_the_bulk_fulfilment_columns() -> None:
    text = shopify.fulfillments([line(), line(sku="TEA", quantity=1, channel_order_id=None,
                                          carrier=None, tracking=None)])
    assert text == (
        "Order Name,Order ID,SKU,Quantity,Tracking Number,Tracking Company,Tracking URL,"
        "Notify Customer,Location\n"
        "#1001,5001,MUG,2,1Z999,UPS,,true,Main room\n"
        "#1001,,TEA,1,,,,true,Main room\n")


def test_shopify_cells_with_commas_quotes_and_line_breaks_are_quoted() -> None:
    text = shopify.fulfillments([line(location='Shed, "north"', tracking="A\nB")])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][4] == "A\nB"
    assert rows[1][8] == 'Shed, "north"'
    assert '"Shed, ""north"""' in text


def test_shopify_availability_without_a_template_is_the_plain_csv() -> None:
    assert shopify.WRITER.availability([Offer("MUG", "Mug", 3)]) == "sku,available\nMUG,3\n"


# Amazon


def test_amazon_shipping_confirmation_is_tab_separated_with_item_ids() -> None:
    text = amazon.fulfillments([line(order="114-4892924-3377867", line_key="11111111111111",
                                     quantity=2, carrier="UPS", tracking="1Z9")])
    assert text == (
        "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\t"
        "tracking-number\tship-method\n"
        "114-4892924-3377867\t11111111111111\t2\t2024-03-02T15:04:05+00:00\tUPS\t\t1Z9\t\n")


@pytest.mark.parametrize(("carrier", "expected"), [
    ("ups", ("UPS", "")), ("FedEx", ("FedEx", "")), ("royal  mail", ("Royal Mail", "")),
    ("DHL Express", ("DHL", "")), ("Evri", ("Other", "Evri")), (None, ("Other", "")),
])
def test_amazon_knows_common_carriers_by_code_and_others_by_name(
        carrier: str | None, expected: tuple[str, str]) -> None:
    assert amazon.carrier_code(carrier) == expected


def test_amazon_lines_without_an_item_id_confirm_the_whole_order_once() -> None:
    text = amazon.fulfillments([
        line(order="114-1", line_key="MUG", sku="MUG"),
        line(order="114-1", line_key="MUG#2", sku="MUG"),
        line(order="114-1", line_key="TEA", sku="TEA"),
    ])
    assert text.splitlines()[1:] == [
        "114-1\t\t\t2024-03-02T15:04:05+00:00\tUPS\t\t1Z999\t"]


def test_amazon_does_not_take_a_long_numeric_sku_for_an_item_id() -> None:
    text = amazon.fulfillments([line(order="114-1", line_key="4006381333931",
                                     sku="4006381333931")])
    assert text.splitlines()[1].split("\t")[1:3] == ["", ""]


def test_amazon_cells_lose_their_tabs_and_line_breaks() -> None:
    text = amazon.fulfillments([line(line_key="11111111111111", carrier="Hermes\tUK",
                                     tracking="H1\nH2")])
    assert text.splitlines()[1].split("\t")[4:7] == ["Other", "Hermes UK", "H1 H2"]


def test_amazon_inventory_loader_leaves_handling_time_blank() -> None:
    text = amazon.availability([Offer("MUG", "Mug", 3), Offer("TEA", "Tea", 0)])
    assert text == "sku\tquantity\thandling-time\nMUG\t3\t\nTEA\t0\t\n"


# Generic


def test_generic_fulfillments_can_be_read_back_by_ship_from_csv() -> None:
    berlin = timezone(timedelta(hours=1))
    text = generic.fulfillments([line(shipped_at=datetime(2024, 3, 2, 16, 4, 5,
                                                          tzinfo=berlin))])
    assert text == ("order,sku,quantity,carrier,tracking,shipped_at,location\n"
                    "#1001,MUG,2,UPS,1Z999,2024-03-02T15:04:05+00:00,Main room\n")


def test_generic_availability_is_sku_and_available() -> None:
    assert generic.availability([Offer("=MUG", "Mug", 3)]) == "sku,available\n=MUG,3\n"


# What each channel is offered


def test_offers_sum_the_chosen_locations_less_the_buffer() -> None:
    available = {("MUG", "main"): 5, ("MUG", "annex"): 4, ("MUG", "shop"): 100}
    offers = offers_for([Stocked("MUG", "Mug")], available, locations=["main", "annex"],
                        buffer=2)
    assert offers == [Offer("MUG", "Mug", 7)]


def test_offers_never_go_below_zero() -> None:
    offers = offers_for([Stocked("MUG", "Mug")], {("MUG", "main"): 1}, locations=["main"],
                        buffer=5)
    assert offers[0].available == 0


def test_an_inactive_product_is_offered_nothing() -> None:
    offers = offers_for([Stocked("OLD", "Old", active=False)], {("OLD", "main"): 9},
                        locations=["main"])
    assert offers[0].available == 0


def test_a_bundle_is_offered_the_whole_bundles_each_location_can_make() -> None:
    kit = Stocked("KIT", "Kit", recipe={"MUG": 1, "TEA": 2})
    available = {("MUG", "main"): 3, ("TEA", "main"): 5, ("MUG", "annex"): 0,
                 ("TEA", "annex"): 9}
    assert offers_for([kit], available, locations=["main", "annex"])[0].available == 2


def test_whole_bundles_need_every_component() -> None:
    assert whole_bundles({"MUG": 1, "TEA": 2}, {"MUG": 4, "TEA": 7}) == 3
    assert whole_bundles({"MUG": 1, "TEA": 2}, {"MUG": 4}) == 0
    assert whole_bundles({}, {"MUG": 4}) == 0


# Shopify's inventory export, written back

HEADER = ("Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,"
          "Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),"
          "Unavailable (not editable),Committed (not editable),Available (not editable),"
          "On hand (current),On hand (new)")


def export(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


def row(sku: str, location: str = "Shop location", unavailable: int = 0, committed: int = 0,
        on_hand: str = "5") -> str:
    return (f"h-{sku.lower()},T {sku},Size,M,,,,,{sku},,,{location},,0,{unavailable},"
            f"{committed},0,{on_hand},{on_hand}")


def test_on_hand_is_set_so_that_shopify_shows_the_offered_units() -> None:
    filled = fill_inventory(export(row("MUG", unavailable=1, committed=2)),
                            [Offer("MUG", "Mug", 4)])
    assert filled.text.splitlines()[1].split(",")[-1] == "7"
    assert (filled.location, filled.rows) == ("Shop location", 1)


def test_the_header_and_untouched_cells_are_kept_byte_for_byte() -> None:
    template = "\ufeff" + export('h,"Mug, big",Size,M,,,,,MUG,,,Shop location,,0,0,0,0,1,1')
    filled = fill_inventory(template, [Offer("MUG", "Mug", 4)])
    assert filled.text == f'{HEADER}\nh,"Mug, big",Size,M,,,,,MUG,,,Shop location,,0,0,0,0,1,4\n'


def test_rows_oms_cannot_set_are_left_out() -> None:
    template = export(row("MUG"), row("HAT"), row(""), row("TEA", on_hand="not stocked"))
    filled = fill_inventory(template, [Offer("MUG", "Mug", 1), Offer("TEA", "Tea", 1),
                                       Offer("KIT", "Kit", 1)])
    assert [line.split(",")[8] for line in filled.text.splitlines()[1:]] == ["MUG"]
    assert (filled.unknown, filled.not_stocked, filled.missing) == (2, ("TEA",), ("KIT",))


def test_several_shopify_locations_need_one_chosen() -> None:
    template = export(row("MUG", "Shop location"), row("MUG", "Warehouse"))
    with pytest.raises(InvalidInput, match=r"several Shopify locations \(Shop location, "
                                           r"Warehouse\).*--channel-location"):
        fill_inventory(template, [Offer("MUG", "Mug", 1)])
    filled = fill_inventory(template, [Offer("MUG", "Mug", 1)], location="warehouse")
    assert filled.location == "Warehouse"
    assert [line.split(",")[11] for line in filled.text.splitlines()[1:]] == ["Warehouse"]


def test_an_unknown_shopify_location_names_the_ones_in_the_file() -> None:
    with pytest.raises(InvalidInput, match="no rows for the Shopify location 'Attic'; the "
                                           "file has: Shop location"):
        fill_inventory(export(row("MUG")), [Offer("MUG", "Mug", 1)], location="Attic")


@pytest.mark.parametrize("template", [
    "Handle,Title,SKU,Shop location\nh,T,MUG,5\n",  # the old one-column-per-location layout
    "Name,Email\n#1001,a@b.c\n",
    "",
])
def test_a_file_that_is_not_an_inventory_export_is_refused(template: str) -> None:
    with pytest.raises(InvalidInput, match=r"inventory\.csv: .*Products → Inventory → Export"):
        fill_inventory(template, [Offer("MUG", "Mug", 1)], where="inventory.csv")
