"""Which channel an export is for, and so which writer and buffer."""

from __future__ import annotations

import pytest
from exports_support import target

from oms_cli.config import ChannelConfig
from oms_cli.errors import NotFound
from oms_cli.store.database import Database


def test_the_config_names_the_platform_and_buffer(shop: Database) -> None:
    chosen = target(shop, "eu-store", **{"eu-store": ChannelConfig(platform="amazon",
                                                                   buffer=2)})
    assert (chosen.platform, chosen.buffer, chosen.writer.platform) == ("amazon", 2, "amazon")


def test_a_platform_name_needs_no_config(db: Database) -> None:
    assert target(db, "amazon").writer.platform == "amazon"


def test_a_channel_with_orders_but_no_platform_gets_the_generic_files(shop: Database) -> None:
    from exports_support import HERE, import_orders

    import_orders(shop, HERE / "eu_orders.csv", channel="eu-store")
    chosen = target(shop, "eu-store")
    assert (chosen.platform, chosen.writer.platform) == (None, "generic")


def test_an_unknown_channel_names_the_known_ones(shop: Database) -> None:
    with pytest.raises(NotFound, match=r"unknown channel 'nosuch'.*known channels: "
                                       r"shopify, wholesale"):
        target(shop, "nosuch", wholesale=ChannelConfig(platform="custom",
                                                       columns={"external_id": "Ref"}))
