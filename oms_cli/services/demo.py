"""A throw-away shop filled from the bundled examples, to try oms in a minute."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from oms_cli.domain.allocation import Policy
from oms_cli.errors import NotFound
from oms_cli.services.allocation import allocate
from oms_cli.services.catalog import import_products
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.services.locations import import_locations
from oms_cli.services.returns import return_units
from oms_cli.services.stock import import_stock
from oms_cli.store.database import Database


def examples_dir() -> Path:
    """The bundled examples: inside the installed package, or beside it in a checkout."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "examples", package.parent / "examples"):
        if (candidate / "products.csv").exists():
            return candidate
    raise NotFound("the bundled examples are missing from this installation")


@dataclass
class DemoSummary:
    steps: list[str] = field(default_factory=list)


def build_demo(db: Database, *, settings: ImportSettings, policy: Policy,
               run_id: int | None = None) -> DemoSummary:
    """Fill an empty database from the examples: locations, catalog, stock, orders; then
    allocate every order and ship the two oldest, as a merchant's first morning would."""
    currency = settings.currency
    examples = examples_dir()
    summary = DemoSummary()
    created, _ = import_locations(db, examples / "locations.csv")
    summary.steps.append(f"added {created} locations from locations.csv")
    products = import_products(db, examples / "products.csv", currency=currency)
    summary.steps.append(f"added {products.created} products from products.csv (one is a bundle)")
    stock = import_stock(db, examples / "stock.csv", run_id=run_id)
    summary.steps.append(f"received {stock.received} units in {stock.rows} deliveries "
                         "from stock.csv")
    imported = import_file(db, str(examples / "orders" / "shopify_orders_export.csv"),
                           settings=settings, run_id=run_id)
    summary.steps.append(f"imported {imported.created} Shopify orders (some held: an unknown "
                         "sku, no address, awaiting payment; one already shipped, one cancelled)")
    allocated = allocate(db, policy=policy, validation=settings.policy, run_id=run_id)
    summary.steps.append(f"allocated {allocated.units} units: {allocated.allocated} orders "
                         f"fully, {allocated.partial} partially, {allocated.backordered} "
                         "backordered")
    for reference, tracking in DEMO_SHIPMENTS:
        ship_order(db, reference, carrier="UPS", tracking=tracking, run_id=run_id)
        summary.steps.append(f"shipped {reference} with UPS {tracking}")
    reference, sku, reason = DEMO_RETURN
    return_units(db, reference, [(sku, 1)], reason=reason, condition="resaleable",
                 run_id=run_id)
    summary.steps.append(f"took back one {sku} of {reference} ({reason}): back in stock")
    return summary


# The demo's reports are as of the day after the newest example order, so the tour
# shows the same figures whenever it runs (unless --today says otherwise).
DEMO_TODAY = date(2026, 11, 26)
DEMO_RETURN = ("shopify:#1002", "CB-ETH-500", "changed mind")
DEMO_SHIPMENTS = (("shopify:#1002", "1Z999AA10123456784"), ("shopify:#1003", "1Z999AA10123456791"))
