"""A throw-away shop filled from the bundled examples, to try oms in a minute."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from oms_cli.errors import NotFound
from oms_cli.services.catalog import import_products
from oms_cli.services.locations import import_locations
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


def build_demo(db: Database, *, currency: str, run_id: int | None = None) -> DemoSummary:
    """Fill an empty database with the example locations, catalog and stock."""
    examples = examples_dir()
    summary = DemoSummary()
    created, _ = import_locations(db, examples / "locations.csv")
    summary.steps.append(f"added {created} locations from locations.csv")
    products = import_products(db, examples / "products.csv", currency=currency)
    summary.steps.append(f"added {products.created} products from products.csv (one is a bundle)")
    stock = import_stock(db, examples / "stock.csv", run_id=run_id)
    summary.steps.append(f"received {stock.received} units in {stock.rows} deliveries "
                         "from stock.csv")
    return summary
