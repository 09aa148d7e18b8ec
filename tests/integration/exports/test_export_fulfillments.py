"""Exporting shipments' tracking numbers: which ones, in which format, marked once."""

from __future__ import annotations

import pytest
from exports_support import (
    HERE,
    Collected,
    allocate_all,
    exported_at,
    failing,
    import_orders,
    ship,
    target,
)

from oms_cli.config import ChannelConfig
from oms_cli.services.exports import export_fulfillments
from oms_cli.store.database import Database

SHOPIFY_HEADER = ("Order Name,Order ID,SKU,Quantity,Tracking Number,Tracking Company,"
                  "Tracking URL,Notify Customer,Location")


def test_writes_each_shipment_line_in_shopify_format(shipped: Database) -> None:
    out = Collected()
    result = export_fulfillments(shipped, target(shipped), out)
    assert out.text.splitlines() == [
        SHOPIFY_HEADER,
        "#1001,5001,MUG,2,1Z1,UPS,,true,Main room",
        "#1001,5001,TEA,2,1Z1,UPS,,true,Main room",
        "#1002,5002,KIT,1,D2,DHL,,true,Main room",
    ]
    assert (result.shipments, result.lines, result.marked) == (2, 3, 2)


def test_exporting_marks_the_shipments_so_the_next_run_has_nothing(shipped: Database) -> None:
    export_fulfillments(shipped, target(shipped), Collected())
    assert all(exported_at(shipped).values())
    again = Collected()
    result = export_fulfillments(shipped, target(shipped), again)
    assert again.texts == []
    assert (result.lines, result.exported_before) == (0, 2)


def test_only_shipments_made_since_the_last_export_are_written(shipped: Database) -> None:
    export_fulfillments(shipped, target(shipped), Collected())
    ship(shipped, "shopify:#1003", "USPS", "9400")
    out = Collected()
    export_fulfillments(shipped, target(shipped), out)
    assert out.text.splitlines()[1:] == ["#1003,5003,MUG,1,9400,USPS,,true,Main room"]


def test_a_dry_run_writes_the_file_but_marks_nothing(shipped: Database) -> None:
    out = Collected()
    result = export_fulfillments(shipped, target(shipped), out, dry_run=True)
    assert len(out.text.splitlines()) == 4
    assert result.dry_run
    assert set(exported_at(shipped).values()) == {None}


def test_all_writes_exported_shipments_again_without_moving_their_export_time(
        shipped: Database) -> None:
    export_fulfillments(shipped, target(shipped), Collected())
    first = exported_at(shipped)
    ship(shipped, "shopify:#1003", "USPS", "9400")
    out = Collected()
    result = export_fulfillments(shipped, target(shipped), out, everything=True)
    assert len(out.text.splitlines()) == 5
    assert (result.shipments, result.marked, result.exported_before) == (3, 1, 2)
    after = exported_at(shipped)
    assert after["1Z1"] == first["1Z1"] and after["D2"] == first["D2"]
    assert after["9400"] is not None


def test_nothing_is_marked_when_the_file_cannot_be_written(shipped: Database) -> None:
    with pytest.raises(OSError):
        export_fulfillments(shipped, target(shipped), failing)
    assert set(exported_at(shipped).values()) == {None}


def test_other_channels_shipments_stay_out(shipped: Database) -> None:
    import_orders(shipped, HERE / "eu_orders.csv", channel="eu-store")
    allocate_all(shipped)
    ship(shipped, "eu-store:#2001", "DPD", "EU1")
    out = Collected()
    export_fulfillments(shipped, target(shipped), out)
    assert "EU1" not in out.text
    eu = Collected()
    export_fulfillments(shipped, target(shipped, "eu-store"), eu)
    assert eu.text.splitlines() == [
        "order,sku,quantity,carrier,tracking,shipped_at,location",
        f"#2001,TEA,1,DPD,EU1,{_shipped_at(shipped, 'EU1')},Main room",
    ]


def test_a_channel_configured_as_shopify_gets_the_shopify_file(shipped: Database) -> None:
    import_orders(shipped, HERE / "eu_orders.csv", channel="eu-store")
    allocate_all(shipped)
    ship(shipped, "eu-store:#2001", "DPD", "EU1")
    out = Collected()
    config = {"eu-store": ChannelConfig(platform="shopify")}
    export_fulfillments(shipped, target(shipped, "eu-store", **config), out)
    assert out.text.splitlines() == [SHOPIFY_HEADER, "#2001,7001,TEA,1,EU1,DPD,,true,Main room"]


def test_amazon_confirms_each_order_item_by_its_id(shop: Database) -> None:
    import_orders(shop, HERE / "amazon_unshipped.txt")
    allocate_all(shop)
    ship(shop, "amazon:702-1234567-7654321", "Hermes", "H1")
    out = Collected()
    export_fulfillments(shop, target(shop, "amazon"), out)
    when = _shipped_at(shop, "H1")
    assert out.text.splitlines() == [
        "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\t"
        "tracking-number\tship-method",
        f"702-1234567-7654321\t11111111111111\t2\t{when}\tOther\tHermes\tH1\t",
        f"702-1234567-7654321\t22222222222222\t1\t{when}\tOther\tHermes\tH1\t",
    ]


def _shipped_at(db: Database, tracking: str) -> str:
    from sqlalchemy import select

    from oms_cli.store.tables import Shipment

    with db.read() as session:
        moment = session.scalars(select(Shipment.shipped_at)
                                 .where(Shipment.tracking == tracking)).one()
    return moment.isoformat(timespec="seconds")
