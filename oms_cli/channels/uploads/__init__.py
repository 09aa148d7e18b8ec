"""Upload files: what oms writes for a channel to take back (fulfillments, availability).

The registry is explicit: :data:`WRITERS` maps a platform to its writer; a platform
without one (eBay, WooCommerce, Etsy, custom) gets :data:`GENERIC`, plain CSVs. Writers
are pure: rows in, the file's text out.
"""

from __future__ import annotations

from oms_cli.channels.uploads import amazon, generic, shopify
from oms_cli.channels.uploads.base import FilledInventory, Offer, ShippedLine, UploadWriter
from oms_cli.channels.uploads.quantities import Stocked, offers_for

__all__ = [
    "GENERIC",
    "WRITERS",
    "FilledInventory",
    "Offer",
    "ShippedLine",
    "Stocked",
    "UploadWriter",
    "offers_for",
    "writer_for",
]

GENERIC = generic.WRITER
WRITERS: dict[str, UploadWriter] = {writer.platform: writer for writer in (
    shopify.WRITER,
    amazon.WRITER,
)}


def writer_for(platform: str | None) -> UploadWriter:
    """The writer of ``platform``; the generic CSVs for any other (or None)."""
    return WRITERS.get(platform or "", GENERIC)
