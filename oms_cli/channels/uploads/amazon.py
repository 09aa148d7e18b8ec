"""Amazon Seller Central's flat files (tab-separated, no quoting).

Fulfillments: the Shipping Confirmation file (Orders → Upload order related files).
Amazon knows a handful of carriers by code; any other goes as ``Other`` with its
name. Lines imported from a report without ``order-item-id`` (the All Orders report)
cannot name their item: such a shipment is confirmed as one row for the whole order,
with the item and quantity left blank, as Amazon's file allows.

Availability: the Inventory Loader's sku, quantity and handling-time; handling-time
is left blank, so each listing keeps its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from oms_cli.channels.uploads.base import (
    Offer,
    ShippedLine,
    UploadWriter,
    tsv_text,
    utc_timestamp,
)

FULFILLMENT_COLUMNS = ("order-id", "order-item-id", "quantity", "ship-date", "carrier-code",
                       "carrier-name", "tracking-number", "ship-method")
AVAILABILITY_COLUMNS = ("sku", "quantity", "handling-time")

# Our carrier text (lower case) -> Amazon's carrier-code.
CARRIER_CODES = {
    "usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL", "dhl express": "DHL",
    "royal mail": "Royal Mail", "parcelforce": "Parcelforce", "canada post": "Canada Post",
    "dpd": "DPD", "gls": "GLS", "tnt": "TNT", "yodel": "Yodel", "ontrac": "OnTrac",
    "chronopost": "Chronopost", "deutsche post": "Deutsche Post", "la poste": "La Poste",
    "poste italiane": "Poste Italiane",
}


def carrier_code(carrier: str | None) -> tuple[str, str]:
    """(carrier-code, carrier-name): a known carrier by its code, any other as ``Other``."""
    text = (carrier or "").strip()
    code = CARRIER_CODES.get(" ".join(text.lower().split()))
    if code:
        return code, ""
    return "Other", text


def fulfillments(lines: Sequence[ShippedLine]) -> str:
    """One row per shipment line, or per shipment for lines Amazon gave no item id."""
    return tsv_text(FULFILLMENT_COLUMNS, _confirmation_rows(lines))


def _confirmation_rows(lines: Sequence[ShippedLine]) -> Iterator[tuple[object, ...]]:
    whole_orders: set[tuple[object, ...]] = set()
    for line in lines:
        code, name = carrier_code(line.carrier)
        shipment = (utc_timestamp(line.shipped_at), code, name, line.tracking, "")
        if _is_item_id(line):
            yield (line.order, line.line_key, line.quantity, *shipment)
        elif (line.order, *shipment) not in whole_orders:
            whole_orders.add((line.order, *shipment))
            yield (line.order, "", "", *shipment)


def _is_item_id(line: ShippedLine) -> bool:
    # Amazon's order-item-ids are 14-digit numbers. Lines of a report without them are
    # keyed by oms as SKU, SKU#2, ... (or the ASIN): never take those for an item id.
    key = line.line_key
    own_key = key == line.sku or key.startswith(f"{line.sku}#")
    return key.isdigit() and len(key) >= 12 and not own_key


def availability(offers: Sequence[Offer]) -> str:
    """One row per sku: quantity the listing may sell; handling-time blank."""
    return tsv_text(AVAILABILITY_COLUMNS, ((offer.sku, offer.available, "") for offer in offers))


WRITER = UploadWriter(
    platform="amazon",
    fulfillments=fulfillments,
    availability=availability,
    fulfillments_file="Amazon Shipping Confirmation flat file (tab-separated)",
    availability_file="Amazon Inventory Loader flat file (tab-separated): sku, quantity, "
                      "handling-time",
)
