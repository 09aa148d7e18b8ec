"""What every upload writer shares: the rows it is given and how its text is written.

Writers are pure: plain rows in, the file's text out. Which shipments and how many
units is the services' business; the writer only knows its channel's columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class ShippedLine:
    """One line of a shipment made in oms, as a channel's upload needs it."""

    order: str  # the channel's order number, the external id (#1001, 114-4892924-3377867)
    channel_order_id: str | None  # the platform's own id when it differs (Shopify's Id)
    line_key: str  # the channel's line id (Amazon's order-item-id), else the line's position
    sku: str  # as the channel sent it, else ours
    quantity: int  # line units in this shipment
    carrier: str | None
    tracking: str | None
    shipped_at: datetime  # UTC
    location: str  # the oms location's name


@dataclass(frozen=True, slots=True)
class Offer:
    """Units of a sku a channel may sell (already less its buffer, never below zero)."""

    sku: str
    name: str
    available: int


@dataclass(frozen=True)
class FilledInventory:
    """A platform's inventory export written back with oms's quantities."""

    text: str
    location: str  # the channel's location set
    rows: int  # variant rows written
    not_stocked: tuple[str, ...]  # our skus the channel does not stock there (left out)
    unknown: int  # rows there whose sku oms does not know, or that have none (left out)
    missing: tuple[str, ...]  # our skus the template has no row for


@dataclass(frozen=True)
class UploadWriter:
    """One platform's upload files; the ``*_file`` fields name them for messages and help."""

    platform: str
    fulfillments: Callable[[Sequence[ShippedLine]], str]
    availability: Callable[[Sequence[Offer]], str]
    fulfillments_file: str
    availability_file: str
    # Fills the platform's own inventory export (text, offers, location=, where=) when
    # its import needs keys oms does not keep; None when the plain file is enough.
    inventory_template: Callable[..., FilledInventory] | None = None


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Comma-separated, quoted only where needed, ``\\n`` line ends, None as empty."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


# Flat files have no quoting: a tab or line break inside a cell would start a new one.
_FLAT_BREAKERS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def tsv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Tab-separated with no quoting, as Amazon's flat files are; None as empty."""
    lines = ["\t".join(_cell(value).translate(_FLAT_BREAKERS) for value in row)
             for row in (header, *rows)]
    return "".join(f"{line}\n" for line in lines)


def utc_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the second: ``2024-03-02T15:04:05+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _cell(value: object) -> str:
    return "" if value is None else str(value)
