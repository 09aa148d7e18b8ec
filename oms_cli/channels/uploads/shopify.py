"""Shopify's upload files.

Fulfillments: the CSV bulk-fulfilment apps accept (one row per shipment line, order
matched by its name ``#1001`` or numeric id). Availability: without a template, the
plain ``sku, available`` CSV; with the merchant's own inventory export as a template,
Shopify's inventory CSV itself (see :mod:`~oms_cli.channels.uploads.shopify_inventory`),
because Shopify matches variants by handle and options, which oms does not keep.
"""

from __future__ import annotations

from collections.abc import Sequence

from oms_cli.channels.uploads import generic
from oms_cli.channels.uploads.base import ShippedLine, UploadWriter, csv_text
from oms_cli.channels.uploads.shopify_inventory import fill_inventory

FULFILLMENT_COLUMNS = ("Order Name", "Order ID", "SKU", "Quantity", "Tracking Number",
                       "Tracking Company", "Tracking URL", "Notify Customer", "Location")


def fulfillments(lines: Sequence[ShippedLine]) -> str:
    """One row per shipment line; the customer is notified; no tracking URL (Shopify
    builds one for the carriers it knows)."""
    return csv_text(FULFILLMENT_COLUMNS, (
        (line.order, line.channel_order_id, line.sku, line.quantity, line.tracking,
         line.carrier, "", "true", line.location)
        for line in lines))


WRITER = UploadWriter(
    platform="shopify",
    fulfillments=fulfillments,
    availability=generic.availability,
    fulfillments_file="CSV for Shopify bulk-fulfilment apps: Order Name, Order ID, SKU, "
                      "Quantity, Tracking Number, Tracking Company, Tracking URL, "
                      "Notify Customer, Location",
    availability_file="CSV: sku, available; with --template, Shopify's own inventory CSV",
    inventory_template=fill_inventory,
)
