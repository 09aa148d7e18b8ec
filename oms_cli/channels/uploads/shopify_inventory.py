"""Shopify's inventory CSV, written back from the merchant's own export.

Shopify's inventory import finds each variant by Handle and option values, which oms
does not keep. So the merchant exports Products → Inventory → Export ("All quantity
types"), and oms returns that file with ``On hand (new)`` set so that Shopify's
Available becomes what oms offers: Shopify counts Available = On hand - Committed -
Unavailable, hence On hand (new) = offered + Committed + Unavailable.

Shopify overwrites every row it is given ("rows for a location you don't want to
change must be removed"), so only rows of one Shopify location and of skus oms knows
are kept; variants marked ``not stocked`` there are left out too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from oms_cli.channels.uploads.base import FilledInventory, Offer, csv_text
from oms_cli.errors import InvalidInput

NOT_STOCKED = "not stocked"
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class _Columns:
    sku: int
    location: int
    new: int
    committed: int | None
    unavailable: int | None
    current: tuple[int, ...]  # cells that say `not stocked` for an unstocked variant


def fill_inventory(template: str, offers: Sequence[Offer], *, location: str | None = None,
                   where: str = "template") -> FilledInventory:
    """The template (an inventory export's text) with On hand (new) set from ``offers``.

    ``location`` names the Shopify location to set; it may be left out when the
    template holds only one. Raises InvalidInput (``where`` leading the message) for a
    file that is not an inventory export with a Location column, or an unknown or
    ambiguous location.
    """
    rows = [row for row in csv.reader(io.StringIO(template.lstrip("\ufeff"))) if any(row)]
    if not rows:
        raise InvalidInput("empty file: export it from Shopify: Products → Inventory → Export",
                           where=where)
    header, body = rows[0], [_padded(row, len(rows[0])) for row in rows[1:]]
    columns = _columns(header, where)
    chosen = _location(body, columns, location, where)
    offered = {offer.sku: offer.available for offer in offers}
    kept: list[list[str]] = []
    seen: set[str] = set()
    not_stocked: list[str] = []
    unknown = 0
    for row in body:
        if row[columns.location] != chosen:
            continue
        sku = row[columns.sku].strip()
        if sku not in offered:
            unknown += 1
            continue
        seen.add(sku)
        if any(row[i].strip().lower() == NOT_STOCKED for i in columns.current):
            not_stocked.append(sku)
            continue
        held = _number(row, columns.committed) + _number(row, columns.unavailable)
        row[columns.new] = str(offered[sku] + held)
        kept.append(row)
    missing = tuple(offer.sku for offer in offers if offer.sku not in seen)
    return FilledInventory(csv_text(header, kept), chosen, len(kept), tuple(not_stocked),
                           unknown, missing)


def _columns(header: Sequence[str], where: str) -> _Columns:
    names = {" ".join(name.split()).lower(): i for i, name in enumerate(header)}

    def find(*candidates: str) -> int | None:
        return next((names[c] for c in candidates if c in names), None)

    sku, place, new = find("sku"), find("location"), find("on hand (new)")
    if sku is None or place is None or new is None:
        raise InvalidInput(
            "not a Shopify inventory export with SKU, Location and On hand (new) columns: "
            "export it from Products → Inventory → Export, with \"All quantity types\"",
            where=where)
    current = tuple(i for i in (find("on hand (current)"), find("available (not editable)"),
                                find("available")) if i is not None)
    return _Columns(sku, place, new, find("committed (not editable)", "committed"),
                    find("unavailable (not editable)", "unavailable"), current)


def _location(body: Sequence[Sequence[str]], columns: _Columns, wanted: str | None,
              where: str) -> str:
    present = list(dict.fromkeys(row[columns.location] for row in body
                                 if row[columns.location].strip()))
    if wanted is not None:
        match = next((name for name in present if name == wanted), None) or next(
            (name for name in present if name.strip().lower() == wanted.strip().lower()), None)
        if match is None:
            raise InvalidInput(f"no rows for the Shopify location {wanted!r}; the file has: "
                               f"{', '.join(present) or 'none'}", where=where)
        return match
    if len(present) == 1:
        return present[0]
    if not present:
        raise InvalidInput("no inventory rows with a Location", where=where)
    raise InvalidInput(f"rows for several Shopify locations ({', '.join(present)}): say which "
                       "one to set with --channel-location", where=where)


def _number(row: Sequence[str], index: int | None) -> int:
    text = row[index].strip() if index is not None else ""
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else 0


def _padded(row: list[str], width: int) -> list[str]:
    return row + [""] * (width - len(row)) if len(row) < width else row
