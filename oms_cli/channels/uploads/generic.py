"""The upload files of channels without a format of their own (eBay, WooCommerce, Etsy, custom).

Plain CSVs a merchant can map in the channel's bulk tool, or feed to a plugin. The
fulfillments columns are those `oms ship --from-csv` reads, so a file goes round trip.
"""

from __future__ import annotations

from collections.abc import Sequence

from oms_cli.channels.uploads.base import (
    Offer,
    ShippedLine,
    UploadWriter,
    csv_text,
    utc_timestamp,
)

FULFILLMENT_COLUMNS = ("order", "sku", "quantity", "carrier", "tracking", "shipped_at",
                       "location")
AVAILABILITY_COLUMNS = ("sku", "available")


def fulfillments(lines: Sequence[ShippedLine]) -> str:
    """One row per shipment line; ``shipped_at`` in ISO 8601 UTC."""
    return csv_text(FULFILLMENT_COLUMNS, (
        (line.order, line.sku, line.quantity, line.carrier, line.tracking,
         utc_timestamp(line.shipped_at), line.location)
        for line in lines))


def availability(offers: Sequence[Offer]) -> str:
    """One row per sku: the units the channel may sell."""
    return csv_text(AVAILABILITY_COLUMNS, ((offer.sku, offer.available) for offer in offers))


WRITER = UploadWriter(
    platform="generic",
    fulfillments=fulfillments,
    availability=availability,
    fulfillments_file="CSV: order, sku, quantity, carrier, tracking, shipped_at, location",
    availability_file="CSV: sku, available",
)
