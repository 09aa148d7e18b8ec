"""How many units a channel is offered: what the locations hold, less the channel's buffer.

A bundle holds no stock of its own: it is offered as many whole bundles as its
components allow at each location, summed, because allocation ships a bundle unit
from one location (all its parts together).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from oms_cli.channels.uploads.base import Offer


@dataclass(frozen=True, slots=True)
class Stocked:
    """A product as availability sees it; ``recipe`` (component sku -> units per bundle)
    is empty for a plain product."""

    sku: str
    name: str
    active: bool = True
    recipe: Mapping[str, int] = field(default_factory=dict)


def offers_for(products: Iterable[Stocked], available: Mapping[tuple[str, str], int], *,
               locations: Iterable[str], buffer: int = 0) -> list[Offer]:
    """One offer per product, in the order given.

    ``available`` maps (sku, location) to the units that location can still promise
    (domain ``StockLevel.available``); only ``locations`` count. An inactive product is
    offered 0; every other is offered its units less ``buffer``, never below zero.
    """
    places = tuple(locations)
    offers = []
    for product in products:
        if not product.active:
            offers.append(Offer(product.sku, product.name, 0))
            continue
        units = sum(_units_at(product, place, available) for place in places)
        offers.append(Offer(product.sku, product.name, max(0, units - buffer)))
    return offers


def whole_bundles(recipe: Mapping[str, int], units: Mapping[str, int]) -> int:
    """Whole bundles the component ``units`` make (0 for an empty recipe)."""
    if not recipe:
        return 0
    return min(max(0, units.get(sku, 0)) // per_bundle for sku, per_bundle in recipe.items())


def _units_at(product: Stocked, place: str, available: Mapping[tuple[str, str], int]) -> int:
    if not product.recipe:
        return max(0, available.get((product.sku, place), 0))
    parts = {sku: available.get((sku, place), 0) for sku in product.recipe}
    return whole_bundles(product.recipe, parts)
