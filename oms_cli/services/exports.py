"""`oms export`: the files a merchant uploads to a channel.

Fulfillments are the tracking numbers of shipments made in oms, so the channel can
mark its orders fulfilled; availability is what each sku may still sell there. The
queries live here; the files' columns live in ``channels.uploads``, one writer per
platform. The text goes to a ``deliver`` callback (the CLI's stdout or -o file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlmodel import Session

from oms_cli.channels.uploads import (
    FilledInventory,
    ShippedLine,
    Stocked,
    UploadWriter,
    offers_for,
    writer_for,
)
from oms_cli.config import PLATFORMS, ChannelConfig
from oms_cli.domain.stock import StockLevel
from oms_cli.errors import InputMissing, InvalidInput, NotAnExport, NotFound
from oms_cli.services.lookup import location_by_code
from oms_cli.store.database import Database
from oms_cli.store.tables import (
    BundleComponent,
    Location,
    Order,
    OrderLine,
    Product,
    Shipment,
    ShipmentLine,
    utc_now,
)
from oms_cli.store.tables import StockLevel as StockLevelRow

Deliver = Callable[[str], None]


@dataclass(frozen=True)
class ChannelTarget:
    """A sales channel as the export sees it: its platform picks the writer."""

    name: str
    platform: str | None  # shopify, amazon, ...; None: no platform known (generic files)
    buffer: int = 0  # units held back from it in availability

    @property
    def writer(self) -> UploadWriter:
        return writer_for(self.platform)


def channel_target(db: Database, channel: str,
                   configured: Mapping[str, ChannelConfig]) -> ChannelTarget:
    """The channel's platform and buffer: from ``channels.NAME`` in the config, else the
    name itself when it is a platform's (``shopify``), else none (generic files).

    Raises NotFound, listing the known channels, for a name that has no orders, no
    config entry and is no platform's.
    """
    entry = configured.get(channel)
    if entry is not None:
        return ChannelTarget(channel, entry.platform, entry.buffer)
    if channel not in PLATFORMS:
        with db.read() as session:
            ordered = set(session.scalars(select(Order.channel).distinct()))
        if channel not in ordered:
            known = ", ".join(sorted(ordered | set(configured))) or "none yet"
            raise NotFound(f"unknown channel {channel!r}: it has no orders and no "
                           f"channels.{channel} entry in the config (known channels: {known})")
    return ChannelTarget(channel, channel if channel in PLATFORMS else None)


@dataclass
class FulfillmentExport:
    channel: str
    file: str  # what was written, in words
    shipments: int = 0
    lines: int = 0
    marked: int = 0  # shipments this run marked exported
    exported_before: int = 0  # shipments in the file (--all), or left out, sent before
    dry_run: bool = False


def export_fulfillments(db: Database, target: ChannelTarget, deliver: Deliver, *,
                        everything: bool = False, dry_run: bool = False) -> FulfillmentExport:
    """Write the channel's shipment lines in its upload format and mark them exported.

    By default only shipments not exported yet; with ``everything`` all of them (those
    exported before keep their first export time). One write transaction: ``deliver``
    runs inside it, so if writing the file fails nothing is marked; ``dry_run``
    delivers the file and marks nothing. With nothing to export ``deliver`` is not called.
    """
    result = FulfillmentExport(target.name, target.writer.fulfillments_file, dry_run=dry_run)
    with db.write(dry_run=dry_run) as session:
        rows = session.execute(_shipped_lines(target.name, everything)).all()
        if not rows:
            result.exported_before = _exported_count(session, target.name)
            return result
        lines = [ShippedLine(order=row.external_id, channel_order_id=row.channel_order_id,
                             line_key=row.line_key, sku=row.sku or "", quantity=row.quantity,
                             carrier=row.carrier, tracking=row.tracking,
                             shipped_at=row.shipped_at, location=row.location or "")
                 for row in rows]
        exported = {row.id: row.exported_at is not None for row in rows}
        fresh = [shipment for shipment, before in exported.items() if not before]
        deliver(target.writer.fulfillments(lines))
        now = utc_now()
        for chunk in _chunks(fresh):
            session.execute(update(Shipment).where(Shipment.id.in_(chunk))
                            .values(exported_at=now))
        result.shipments, result.lines = len(exported), len(lines)
        result.marked = len(fresh)
        result.exported_before = len(exported) - len(fresh)
    return result


def _shipped_lines(channel: str, everything: bool) -> Select[Any]:
    query = (
        select(Shipment.id, Shipment.exported_at, Shipment.carrier, Shipment.tracking,
               Shipment.shipped_at, Order.external_id, Order.channel_order_id,
               OrderLine.line_key,
               # The channel knows the sku it sent; a line matched through an alias has ours.
               func.coalesce(OrderLine.sku, Product.sku).label("sku"),
               ShipmentLine.quantity, Location.name.label("location"))
        .join(Order, Order.id == Shipment.order_id)
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .outerjoin(Location, Location.id == Shipment.location_id)
        .where(Order.channel == channel)
        .order_by(Shipment.shipped_at, Shipment.id, ShipmentLine.id))
    return query if everything else query.where(Shipment.exported_at.is_(None))


def _exported_count(session: Session, channel: str) -> int:
    return int(session.execute(
        select(func.count(Shipment.id)).join(Order, Order.id == Shipment.order_id)
        .where(Order.channel == channel, Shipment.exported_at.is_not(None))).scalar_one())


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


@dataclass
class AvailabilityExport:
    channel: str
    file: str  # what was written, in words
    buffer: int
    locations: list[str] = field(default_factory=list)  # the oms locations counted
    skus: int = 0  # rows written
    template: FilledInventory | None = None


def export_availability(db: Database, target: ChannelTarget, deliver: Deliver, *,
                        locations: Sequence[str] = (), template: Path | None = None,
                        channel_location: str | None = None) -> AvailabilityExport:
    """Write what each sku may sell on the channel, in its upload format.

    Per sku: the available units (on hand less reserved, damaged and safety stock) at
    every active location, or just ``locations``, less the channel's buffer, never
    below zero; a bundle counts the whole bundles its components make at each
    location; an inactive product is 0. With ``template`` (the platform's own
    inventory export, Shopify only) that file is written back with these quantities.
    Raises NotFound (unknown location), InvalidInput (inactive location, a template
    for a platform without one), InputMissing / NotAnExport (unreadable template).
    """
    writer = target.writer
    if channel_location is not None and template is None:
        raise InvalidInput("--channel-location is read only with --template")
    if template is not None and writer.inventory_template is None:
        raise InvalidInput(f"--template is read only for Shopify channels; {target.name} "
                           f"writes {writer.availability_file}")
    with db.read() as session:
        places = _locations(session, locations)
        offers = offers_for(_stocked(session), _available(session, places),
                            locations=places, buffer=target.buffer)
    result = AvailabilityExport(target.name, writer.availability_file, target.buffer, places)
    if template is not None and writer.inventory_template is not None:
        filled = writer.inventory_template(_template_text(template), offers,
                                           location=channel_location, where=str(template))
        result.template, result.skus = filled, filled.rows
        if filled.rows:
            deliver(filled.text)
    elif offers:
        result.skus = len(offers)
        deliver(writer.availability(offers))
    return result


def _locations(session: Session, codes: Sequence[str]) -> list[str]:
    if not codes:
        return list(session.scalars(select(Location.code).where(Location.active)
                                    .order_by(Location.code)))
    chosen = [location_by_code(session, code) for code in dict.fromkeys(codes)]
    for place in chosen:
        if not place.active:
            raise InvalidInput(f"location {place.code!r} is inactive: it ships nothing, so "
                               "its stock is not offered")
    return [place.code for place in chosen]


def _stocked(session: Session) -> list[Stocked]:
    component = Product.__table__.alias("component")  # type: ignore[attr-defined]
    recipes: dict[int, dict[str, int]] = {}
    for bundle_id, sku, quantity in session.execute(
            select(BundleComponent.bundle_id, component.c.sku, BundleComponent.quantity)
            .join(component, component.c.id == BundleComponent.component_id)):
        recipes.setdefault(bundle_id, {})[sku] = quantity
    return [Stocked(sku, name, active, recipes.get(product_id, {}))
            for product_id, sku, name, active in session.execute(
                select(Product.id, Product.sku, Product.name, Product.active)
                .order_by(Product.sku))]


def _available(session: Session, places: Sequence[str]) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(Product.sku, Location.code, StockLevelRow.on_hand, StockLevelRow.reserved,
               StockLevelRow.damaged, Product.safety_stock)
        .join(Product, Product.id == StockLevelRow.product_id)
        .join(Location, Location.id == StockLevelRow.location_id)
        .where(Location.code.in_(places)))
    return {(sku, code): StockLevel(on_hand, reserved, damaged).available(safety)
            for sku, code, on_hand, reserved, damaged, safety in rows}


def _template_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputMissing(f"{path}: no such file (the template is Shopify's inventory "
                           "export: Products → Inventory → Export)") from None
    except OSError as exc:
        raise InputMissing(f"{path}: cannot read it: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotAnExport(f"not UTF-8 text (byte {exc.start}): use the file as Shopify "
                          "exported it", where=str(path)) from None

