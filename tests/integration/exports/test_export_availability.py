"""Exporting what each sku may sell on a channel: stock, reservations, bundles, buffers."""

from __future__ import annotations

from pathlib import Path

import pytest
from exports_support import Collected, build_shop, stock, target

from oms_cli.config import ChannelConfig
from oms_cli.errors import InputMissing, InvalidInput, NotFound
from oms_cli.services.catalog import ProductChanges, update_product
from oms_cli.services.exports import export_availability
from oms_cli.services.locations import LocationChanges, update_location
from oms_cli.store.database import Database


def offered(db: Database, channel: str = "shopify", **options: object) -> dict[str, int]:
    """sku -> available, read back from the generic file the channel is given."""
    out = Collected()
    export_availability(db, target(db, channel, **options.pop("config", {})),  # type: ignore[arg-type]
                        out, **options)  # type: ignore[arg-type]
    rows = [line.split(",") for line in out.text.splitlines()]
    assert rows[0] == ["sku", "available"]
    return {sku: int(units) for sku, units in rows[1:]}


def test_every_active_location_counts_less_what_orders_hold(shop: Database) -> None:
    # MUG: 10 + 3 on hand, 3 reserved by #1001 and #1003; TEA: 10, 2 reserved by #1001,
    # 2 more by the KIT of #1002 (which also holds a MUG).
    assert offered(shop) == {"KIT": 3, "MUG": 9, "OLD": 0, "TEA": 6}


def test_a_bundle_counts_only_whole_bundles_at_one_location(db: Database) -> None:
    build_shop(db)
    stock(db, "MUG", 5)
    stock(db, "TEA", 3)
    stock(db, "TEA", 8, "annex")  # no MUG at annex: its tea makes no kit
    assert offered(db)["KIT"] == 1


def test_the_channel_buffer_is_held_back_but_never_below_zero(shop: Database) -> None:
    config = {"shopify": ChannelConfig(platform="shopify", buffer=7)}
    assert offered(shop, config=config) == {"KIT": 0, "MUG": 2, "OLD": 0, "TEA": 0}


def test_safety_stock_is_not_offered(shop: Database) -> None:
    update_product(shop, "TEA", ProductChanges(safety_stock=4))
    assert offered(shop)["TEA"] == 2


def test_inactive_products_are_offered_nothing(shop: Database) -> None:
    stock(shop, "OLD", 4)
    update_product(shop, "MUG", ProductChanges(active=False))
    result = offered(shop)
    assert (result["OLD"], result["MUG"]) == (0, 0)


def test_inactive_locations_do_not_count(shop: Database) -> None:
    update_location(shop, "annex", LocationChanges(active=False))
    assert offered(shop)["MUG"] == 6


def test_locations_can_be_chosen(shop: Database) -> None:
    assert offered(shop, locations=["annex"]) == {"KIT": 0, "MUG": 3, "OLD": 0, "TEA": 0}


def test_choosing_an_inactive_or_unknown_location_is_an_error(shop: Database) -> None:
    update_location(shop, "annex", LocationChanges(active=False))
    with pytest.raises(InvalidInput, match="inactive"):
        offered(shop, locations=["annex"])
    with pytest.raises(NotFound, match="unknown location 'attic'"):
        offered(shop, locations=["attic"])


def test_amazon_gets_its_inventory_loader_file(shop: Database) -> None:
    out = Collected()
    export_availability(shop, target(shop, "amazon"), out)
    assert out.text.splitlines() == ["sku\tquantity\thandling-time", "KIT\t3\t", "MUG\t9\t",
                                     "OLD\t0\t", "TEA\t6\t"]


def test_no_products_means_nothing_is_delivered(db: Database) -> None:
    out = Collected()
    result = export_availability(db, target(db), out)
    assert (out.texts, result.skus) == ([], 0)


INVENTORY_HEADER = ("Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,"
                    "Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Bin name,"
                    "Incoming (not editable),Unavailable (not editable),"
                    "Committed (not editable),Available (not editable),On hand (current),"
                    "On hand (new)")


def inventory_export(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "inventory_export.csv"
    path.write_text("\ufeff" + "\n".join((INVENTORY_HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def test_a_shopify_inventory_export_is_written_back_with_on_hand_set(
        shop: Database, tmp_path: Path) -> None:
    template = inventory_export(
        tmp_path,
        'mug,"Mug, stoneware",Title,Default Title,,,,,MUG,,,Shop location,,0,1,2,5,8,8',
        "tea,Earl Grey,Title,Default Title,,,,,TEA,,,Shop location,,0,0,0,0,0,0",
        "kit,Tea Kit,Title,Default Title,,,,,KIT,,,Shop location,,0,0,0,not stocked,"
        "not stocked,not stocked",
        "hat,Hat,Title,Default Title,,,,,HAT,,,Shop location,,0,0,0,1,1,1")
    out = Collected()
    result = export_availability(shop, target(shop), out, template=template)
    assert out.text.splitlines() == [
        INVENTORY_HEADER,
        'mug,"Mug, stoneware",Title,Default Title,,,,,MUG,,,Shop location,,0,1,2,5,8,12',
        "tea,Earl Grey,Title,Default Title,,,,,TEA,,,Shop location,,0,0,0,0,0,6",
    ]
    filled = result.template
    assert filled is not None
    assert (filled.location, filled.rows, filled.not_stocked, filled.unknown,
            filled.missing) == ("Shop location", 2, ("KIT",), 1, ("OLD",))


def test_a_template_is_read_only_for_shopify(shop: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="only for Shopify"):
        export_availability(shop, target(shop, "amazon"), Collected(),
                            template=inventory_export(tmp_path))


def test_a_missing_template_is_reported(shop: Database, tmp_path: Path) -> None:
    with pytest.raises(InputMissing):
        export_availability(shop, target(shop), Collected(), template=tmp_path / "nope.csv")
