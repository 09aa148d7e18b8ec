"""The catalog: products, bundles and the aliases channels use for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from oms_cli.domain.money import from_minor, parse_amount, to_minor_exact
from oms_cli.domain.stock import StockLevel, parse_quantity
from oms_cli.errors import Conflict, InvalidInput, NotFound
from oms_cli.services.lookup import product_by_sku
from oms_cli.services.tabular import Record, parse_flag, read_records
from oms_cli.store.database import Database
from oms_cli.store.tables import (
    BundleComponent,
    Location,
    Product,
    ProductAlias,
    utc_now,
)
from oms_cli.store.tables import (
    StockLevel as StockLevelRow,
)


@dataclass
class ProductChanges:
    """Fields to set on a product; None leaves a field as it is."""

    name: str | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    barcode: str | None = None
    weight_grams: int | None = None
    reorder_point: int | None = None
    reorder_qty: int | None = None
    safety_stock: int | None = None
    lead_time_days: int | None = None
    active: bool | None = None
    components: dict[str, int] | None = None  # bundle: component sku -> units per bundle


@dataclass(frozen=True)
class ProductImportResult:
    file: str
    created: int
    updated: int
    unchanged: int


@dataclass
class ProductDetail:
    product: dict[str, Any]
    stock: list[dict[str, Any]] = field(default_factory=list)
    aliases: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)


PRODUCT_COLUMNS = ("sku", "name", "price", "cost", "currency", "barcode", "reorder_point",
                   "reorder_qty", "safety_stock", "active")


def add_product(db: Database, sku: str, changes: ProductChanges, *, currency: str,
                dry_run: bool = False) -> dict[str, Any]:
    """Create a product; raises Conflict if the sku exists, InvalidInput for bad values."""
    sku = _require_sku(sku)
    if not changes.name:
        raise InvalidInput(f"{sku}: a product needs a name (--name)")
    with db.write(dry_run=dry_run) as session:
        if session.execute(select(Product.id).where(Product.sku == sku)).first():
            raise Conflict(f"sku {sku!r} already exists: change it with `oms product update`")
        product = _create(session, sku, changes.name, currency)
        _apply(session, product, changes)
        return _product_row(product)


def update_product(db: Database, sku: str, changes: ProductChanges, *,
                   dry_run: bool = False) -> dict[str, Any]:
    """Change a product's fields; raises NotFound for an unknown sku."""
    with db.write(dry_run=dry_run) as session:
        product = product_by_sku(session, sku)
        _apply(session, product, changes)
        return _product_row(product)


def import_products(db: Database, path: Path, *, currency: str,
                    dry_run: bool = False) -> ProductImportResult:
    """Create or update every product in a CSV/TSV file, all or nothing.

    Columns (case and spacing ignored): sku, name, price, cost, barcode, weight_grams,
    reorder_point, reorder_qty, safety_stock, lead_time_days, active, components
    (``SKU:QTY;SKU:QTY``). Shopify's product export headers are understood too.
    Raises InvalidInput naming the file, line and field of the first bad cell.
    """
    label, records = read_records(path, aliases=PRODUCT_HEADERS, required=("sku", "name"))
    outcomes: dict[str, str] = {}
    bundles: list[tuple[Product, dict[str, int], str]] = []
    with db.write(dry_run=dry_run) as session:
        for record in records:
            sku = record.get("sku")
            if not sku:
                continue  # Shopify exports have image-only rows without a sku
            if sku in outcomes:
                raise InvalidInput(f"{label}:{record.line}: sku: {sku!r} appears twice")
            where = f"{label}:{record.line}"
            outcomes[sku], product, components = _import_product(session, where, record,
                                                                 currency)
            if components is not None:
                bundles.append((product, components, where))
        # Components last, so a bundle may come before its components in the file.
        for product, components, where in bundles:
            changed = _set_components(session, product, components, f"{where}: ")
            if changed and outcomes[product.sku] == "unchanged":
                outcomes[product.sku] = "updated"
        session.flush()
    counts = {outcome: list(outcomes.values()).count(outcome)
              for outcome in ("created", "updated", "unchanged")}
    return ProductImportResult(file=label, **counts)


PRODUCT_HEADERS: dict[str, tuple[str, ...]] = {
    "sku": ("variant sku",),
    "name": ("title", "product name"),
    "price": ("variant price",),
    "cost": ("cost per item", "unit cost"),
    "barcode": ("variant barcode", "ean", "upc", "gtin"),
    "weight_grams": ("variant grams", "weight", "grams"),
    "reorder_point": (),
    "reorder_qty": ("reorder quantity",),
    "safety_stock": (),
    "lead_time_days": ("lead time",),
    "active": ("status", "published"),
    "components": ("bundle",),
}


def _import_product(session: Session, where: str, record: Record,
                    currency: str) -> tuple[str, Product, dict[str, int] | None]:
    """Create or update the record's product, all but its components (returned for later)."""
    try:
        changes = _changes_from_record(record)
        sku = _require_sku(record.get("sku"))
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}") from exc
    components, changes.components = changes.components, None
    product = session.scalars(select(Product).where(Product.sku == sku)).first()
    if product is None:
        product = _create(session, sku, changes.name or sku, currency)
        _apply(session, product, changes, where=where)
        return "created", product, components
    before = _product_row(product)
    _apply(session, product, changes, where=where)
    outcome = "unchanged" if _product_row(product) == before else "updated"
    return outcome, product, components


def _changes_from_record(record: Record) -> ProductChanges:
    def cell(name: str) -> str | None:
        return record.get(name) or None

    def amount(name: str) -> Decimal | None:
        text = cell(name)
        try:
            return None if text is None else parse_amount(text)
        except ValueError as exc:
            raise InvalidInput(f"{name}: {text!r} is not an amount") from exc

    def whole(name: str) -> int | None:
        text = cell(name)
        return None if text is None else parse_quantity(text, name, allow_zero=True)

    active = cell("active")
    return ProductChanges(
        name=cell("name"), price=amount("price"), cost=amount("cost"), barcode=cell("barcode"),
        weight_grams=whole("weight_grams"), reorder_point=whole("reorder_point"),
        reorder_qty=whole("reorder_qty"), safety_stock=whole("safety_stock"),
        lead_time_days=whole("lead_time_days"),
        active=None if active is None else parse_flag(active, "active"),
        components=None if cell("components") is None else parse_components(cell("components")),
    )


def parse_components(text: str | None) -> dict[str, int]:
    """``A:2;B:1`` (or ``A=2,B=1``) -> {"A": 2, "B": 1}."""
    components: dict[str, int] = {}
    for part in (text or "").replace(",", ";").split(";"):
        if not part.strip():
            continue
        sku, sep, qty = part.replace("=", ":").partition(":")
        if not sep or not sku.strip():
            raise InvalidInput(f"components: {part.strip()!r} is not SKU:QTY")
        components[sku.strip()] = parse_quantity(qty, f"components: {sku.strip()}")
    return components


def _require_sku(sku: str) -> str:
    sku = sku.strip()
    if not sku or any(ch.isspace() for ch in sku) or len(sku) > 100:
        raise InvalidInput(f"sku {sku!r}: a sku is 1-100 characters without spaces")
    return sku


def _create(session: Session, sku: str, name: str, currency: str) -> Product:
    now = utc_now()
    product = Product(sku=sku, name=name, currency=currency, created_at=now, updated_at=now)
    session.add(product)
    session.flush()
    return product


def _apply(session: Session, product: Product, changes: ProductChanges, *,
           where: str | None = None) -> None:
    prefix = f"{where}: " if where else f"{product.sku}: "
    try:
        if changes.price is not None:
            product.price = to_minor_exact(changes.price, product.currency, "price")
        if changes.cost is not None:
            product.cost = to_minor_exact(changes.cost, product.currency, "cost")
    except ValueError as exc:
        raise InvalidInput(prefix + str(exc)) from exc
    for name in ("name", "barcode", "weight_grams", "reorder_point", "reorder_qty",
                 "safety_stock", "lead_time_days", "active"):
        value = getattr(changes, name)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise InvalidInput(f"{prefix}{name} must not be negative, not {value}")
        if value is not None and getattr(product, name) != value:
            setattr(product, name, value)
    if changes.components is not None:
        _set_components(session, product, changes.components, prefix)
    if session.is_modified(product):
        product.updated_at = utc_now()
    session.flush()


def _set_components(session: Session, product: Product, components: dict[str, int],
                    prefix: str) -> bool:
    """Make ``components`` the bundle's; returns whether anything changed."""
    assert product.id is not None
    rows = []
    for sku, quantity in components.items():
        try:
            component = product_by_sku(session, sku)
        except NotFound as exc:
            raise NotFound(prefix + exc.message) from exc
        if component.id == product.id:
            raise InvalidInput(f"{prefix}a bundle cannot contain itself")
        if session.execute(select(BundleComponent).where(
                BundleComponent.bundle_id == component.id)).first():
            raise InvalidInput(f"{prefix}{sku} is itself a bundle; bundles do not nest")
        rows.append({"bundle_id": product.id, "component_id": component.id, "quantity": quantity})
    if rows and session.execute(select(BundleComponent).where(
            BundleComponent.component_id == product.id)).first():
        raise InvalidInput(f"{prefix}{product.sku} is a component of a bundle; bundles do not nest")
    # A bundle has no stock of its own: units already on its shelf could never move again.
    held = rows and session.execute(select(func.sum(StockLevelRow.on_hand)).where(
        StockLevelRow.product_id == product.id)).scalar()
    if held:
        raise InvalidInput(f"{prefix}{product.sku} holds {held} units of its own; count them to "
                           "zero (`oms stock count`) before making it a bundle")
    current = set(session.execute(
        select(BundleComponent.component_id, BundleComponent.quantity)
        .where(BundleComponent.bundle_id == product.id)).all())
    if current == {(r["component_id"], r["quantity"]) for r in rows}:
        return False
    session.execute(delete(BundleComponent).where(BundleComponent.bundle_id == product.id))
    if rows:
        session.execute(insert(BundleComponent), rows)
    product.updated_at = utc_now()
    return True


def list_products(db: Database, *, include_inactive: bool = True,
                  search: str | None = None) -> list[dict[str, Any]]:
    with db.read() as session:
        query = select(Product).order_by(Product.sku)
        if not include_inactive:
            query = query.where(Product.active)
        if search:
            pattern = f"%{search}%"
            query = query.where(Product.sku.ilike(pattern) | Product.name.ilike(pattern))
        return [_product_row(p) for p in session.scalars(query)]


def show_product(db: Database, sku: str) -> ProductDetail:
    """The product with its stock per location, aliases and bundle components."""
    with db.read() as session:
        product = product_by_sku(session, sku)
        detail = ProductDetail(product=_product_row(product) | {
            "weight_grams": product.weight_grams, "lead_time_days": product.lead_time_days,
            "created_at": product.created_at, "updated_at": product.updated_at})
        levels = session.execute(
            select(Location.code, StockLevelRow.on_hand, StockLevelRow.reserved,
                   StockLevelRow.damaged)
            .join(Location, Location.id == StockLevelRow.location_id)
            .where(StockLevelRow.product_id == product.id).order_by(Location.code))
        for code, on_hand, reserved, damaged in levels:
            level = StockLevel(on_hand, reserved, damaged)
            detail.stock.append({"location": code, "on_hand": on_hand, "reserved": reserved,
                                 "damaged": damaged,
                                 "available": level.available(product.safety_stock)})
        aliases = session.execute(select(ProductAlias.channel, ProductAlias.key).where(
            ProductAlias.product_id == product.id).order_by(ProductAlias.channel, ProductAlias.key))
        detail.aliases = [{"channel": c, "key": k} for c, k in aliases]
        components = session.execute(
            select(Product.sku, BundleComponent.quantity)
            .join(Product, Product.id == BundleComponent.component_id)
            .where(BundleComponent.bundle_id == product.id).order_by(Product.sku))
        detail.components = [{"sku": s, "quantity": q} for s, q in components]
        return detail


def _product_row(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name": product.name,
        "price": None if product.price is None else from_minor(product.price, product.currency),
        "cost": None if product.cost is None else from_minor(product.cost, product.currency),
        "currency": product.currency,
        "barcode": product.barcode,
        "reorder_point": product.reorder_point,
        "reorder_qty": product.reorder_qty,
        "safety_stock": product.safety_stock,
        "active": product.active,
    }


def add_alias(db: Database, channel: str, key: str, sku: str, *,
              dry_run: bool = False) -> dict[str, Any]:
    """Map a channel's key (listing id, ASIN, title) to one of our skus.

    Raises Conflict if the key already points at another sku.
    """
    channel, key = channel.strip().lower(), key.strip()
    if not channel or not key:
        raise InvalidInput("an alias needs a channel and a key")
    with db.write(dry_run=dry_run) as session:
        product = product_by_sku(session, sku)
        existing = session.execute(
            select(ProductAlias.product_id, Product.sku)
            .join(Product, Product.id == ProductAlias.product_id)
            .where(ProductAlias.channel == channel, ProductAlias.key == key)).first()
        if existing and existing.product_id != product.id:
            raise Conflict(f"{channel} key {key!r} already points at {existing.sku}")
        if not existing:
            session.execute(insert(ProductAlias).values(
                channel=channel, key=key, product_id=product.id, created_at=utc_now()))
        return {"channel": channel, "key": key, "sku": product.sku, "created": not existing}


def remove_alias(db: Database, channel: str, key: str, *, dry_run: bool = False) -> None:
    with db.write(dry_run=dry_run) as session:
        result = session.execute(delete(ProductAlias).where(
            ProductAlias.channel == channel.strip().lower(), ProductAlias.key == key.strip()))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound(f"no alias {key!r} on channel {channel!r}")


def list_aliases(db: Database, channel: str | None = None) -> list[dict[str, Any]]:
    with db.read() as session:
        query = (select(ProductAlias.channel, ProductAlias.key, Product.sku)
                 .join(Product, Product.id == ProductAlias.product_id)
                 .order_by(ProductAlias.channel, ProductAlias.key))
        if channel:
            query = query.where(ProductAlias.channel == channel.strip().lower())
        return [{"channel": c, "key": k, "sku": s} for c, k, s in session.execute(query)]

