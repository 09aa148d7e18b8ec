"""`oms product`: the catalog, bundles and channel aliases."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt, FormatOpt, NoHeadersOpt, OutputOpt, RawOpt

app = typer.Typer(help="Products: add, import, list, show, update, alias.", no_args_is_help=True)
alias_app = typer.Typer(help="Channel keys (listing id, ASIN, title) that stand for a sku.",
                        no_args_is_help=True)
app.add_typer(alias_app, name="alias")


def _money(value: str | None, option: str) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0:
        raise typer.BadParameter(f"{value!r} is not an amount such as 12.50",
                                 param_hint=option)
    return amount


NameOpt = Annotated[str | None, typer.Option("--name", help="Product name.")]
PriceOpt = Annotated[str | None, typer.Option("--price", help="Selling price, e.g. 12.50.")]
CostOpt = Annotated[str | None, typer.Option("--cost", help="Unit cost, for margins and "
                    "stock value.")]
BarcodeOpt = Annotated[str | None, typer.Option("--barcode", help="EAN/UPC/GTIN.")]
WeightOpt = Annotated[int | None, typer.Option("--weight", min=0, help="Weight in grams.")]
ReorderPointOpt = Annotated[int | None, typer.Option("--reorder-point", min=0, help="Flag the "
                            "sku as low when available units fall to this.")]
ReorderQtyOpt = Annotated[int | None, typer.Option("--reorder-qty", min=0, help="Usual "
                          "quantity to reorder.")]
SafetyOpt = Annotated[int | None, typer.Option("--safety-stock", min=0, help="Units per "
                      "location never promised to orders.")]
LeadTimeOpt = Annotated[int | None, typer.Option("--lead-time", min=0, help="Supplier lead "
                        "time in days.")]
ComponentOpt = Annotated[list[str] | None, typer.Option("--component", help="Make it a "
                         "bundle: SKU=QTY of a component per bundle (repeat).",
                         metavar="SKU=QTY")]


def _changes(name: str | None, price: str | None, cost: str | None, barcode: str | None,
             weight: int | None, reorder_point: int | None, reorder_qty: int | None,
             safety_stock: int | None, lead_time: int | None, active: bool | None,
             components: list[str] | None):  # type: ignore[no-untyped-def]
    from oms_cli.services.catalog import ProductChanges, parse_components

    return ProductChanges(
        name=name, price=_money(price, "--price"), cost=_money(cost, "--cost"), barcode=barcode,
        weight_grams=weight,
        reorder_point=reorder_point, reorder_qty=reorder_qty, safety_stock=safety_stock,
        lead_time_days=lead_time, active=active,
        components=None if components is None else parse_components(";".join(components)))


@app.command("add")
def add_command(ctx: typer.Context, sku: Annotated[str, typer.Argument(help="Your sku.")],
                name: NameOpt = None, price: PriceOpt = None, cost: CostOpt = None,
                barcode: BarcodeOpt = None, weight: WeightOpt = None,
                reorder_point: ReorderPointOpt = None, reorder_qty: ReorderQtyOpt = None,
                safety_stock: SafetyOpt = None, lead_time: LeadTimeOpt = None,
                component: ComponentOpt = None, dry_run: DryRunOpt = False) -> None:
    """Add a product (money in the configured currency)."""
    from oms_cli.services.catalog import add_product

    obj = app_context(ctx)
    changes = _changes(name, price, cost, barcode, weight, reorder_point, reorder_qty,
                       safety_stock, lead_time, None, component)
    row = add_product(obj.writer("product add", dry_run=dry_run), sku, changes,
                      currency=obj.config.currency, dry_run=dry_run)
    obj.info(f"{dry_prefix(dry_run)}added {row['sku']} ({row['name']})")


@app.command("update")
def update_command(ctx: typer.Context, sku: Annotated[str, typer.Argument(help="The sku.")],
                   name: NameOpt = None, price: PriceOpt = None, cost: CostOpt = None,
                   barcode: BarcodeOpt = None, weight: WeightOpt = None,
                   reorder_point: ReorderPointOpt = None, reorder_qty: ReorderQtyOpt = None,
                   safety_stock: SafetyOpt = None, lead_time: LeadTimeOpt = None,
                   active: Annotated[bool | None, typer.Option("--active/--inactive",
                                     help="Sell it, or retire it.")] = None,
                   component: ComponentOpt = None, dry_run: DryRunOpt = False) -> None:
    """Change a product's fields (only those given)."""
    from oms_cli.services.catalog import update_product

    obj = app_context(ctx)
    changes = _changes(name, price, cost, barcode, weight, reorder_point, reorder_qty,
                       safety_stock, lead_time, active, component)
    row = update_product(obj.writer("product update", dry_run=dry_run), sku, changes,
                         dry_run=dry_run)
    obj.info(f"{dry_prefix(dry_run)}updated {row['sku']}")


@app.command("import")
def import_command(ctx: typer.Context, file: Annotated[Path, typer.Argument(
                   help="CSV/TSV with sku, name and optional price, cost, barcode, "
                   "weight_grams, reorder_point, reorder_qty, safety_stock, lead_time_days, "
                   "active, components (SKU:QTY;...). Shopify product exports work too.")],
                   dry_run: DryRunOpt = False) -> None:
    """Create or update products from a file, all or nothing."""
    from oms_cli.services.catalog import import_products

    obj = app_context(ctx)
    result = import_products(obj.writer("product import", dry_run=dry_run), file,
                             currency=obj.config.currency, dry_run=dry_run)
    obj.run_counts.update(created=result.created, updated=result.updated,
                          unchanged=result.unchanged)
    obj.info(f"{dry_prefix(dry_run)}{result.file}: {result.created} created, {result.updated} "
             f"updated, {result.unchanged} unchanged")


@app.command("list")
def list_command(ctx: typer.Context, search: Annotated[str | None, typer.Option(
                 "--search", "-s", help="Only skus or names containing this.")] = None,
                 active_only: Annotated[bool, typer.Option("--active", help="Only products "
                                        "still sold.")] = False,
                 fmt: FormatOpt = None, output: OutputOpt = None,
                 no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """List products."""
    from oms_cli.output import Listing
    from oms_cli.services.catalog import PRODUCT_COLUMNS, list_products

    obj = app_context(ctx)
    rows = list_products(obj.database(), include_inactive=not active_only, search=search)
    listing = Listing(PRODUCT_COLUMNS, [tuple(r[c] for c in PRODUCT_COLUMNS) for r in rows])
    obj.emit(listing, OutputChoice(fmt, output, no_headers, raw))


@app.command("show")
def show_command(ctx: typer.Context, sku: Annotated[str, typer.Argument(help="The sku.")],
                 fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Show a product with its stock per location, aliases and bundle components."""
    from oms_cli.services.catalog import show_product

    obj = app_context(ctx)
    detail = show_product(obj.database(), sku)
    document = detail.product | {"stock": detail.stock, "aliases": detail.aliases,
                                 "components": detail.components}
    obj.emit_document(document, OutputChoice(fmt, output))


@alias_app.command("add")
def alias_add_command(ctx: typer.Context,
                      channel: Annotated[str, typer.Argument(help="Sales channel, e.g. etsy.")],
                      key: Annotated[str, typer.Argument(help="The channel's key: listing id, "
                                     "ASIN, item number or title.")],
                      sku: Annotated[str, typer.Argument(help="Our sku.")],
                      dry_run: DryRunOpt = False) -> None:
    """Let lines that arrive with the channel's KEY resolve to SKU."""
    from oms_cli.services.catalog import add_alias

    obj = app_context(ctx)
    row = add_alias(obj.writer("product alias add", dry_run=dry_run), channel, key, sku,
                    dry_run=dry_run)
    verb = "added" if row["created"] else "already there:"
    obj.info(f"{dry_prefix(dry_run)}{verb} {row['channel']} {row['key']!r} -> {row['sku']}")


@alias_app.command("remove")
def alias_remove_command(ctx: typer.Context, channel: Annotated[str, typer.Argument()],
                         key: Annotated[str, typer.Argument()],
                         dry_run: DryRunOpt = False) -> None:
    """Forget a channel key."""
    from oms_cli.services.catalog import remove_alias

    obj = app_context(ctx)
    remove_alias(obj.writer("product alias remove", dry_run=dry_run), channel, key,
                 dry_run=dry_run)
    obj.info(f"{dry_prefix(dry_run)}removed {channel} {key!r}")


@alias_app.command("list")
def alias_list_command(ctx: typer.Context, channel: Annotated[str | None, typer.Option(
                       "--channel", "-c", help="Only this channel.")] = None,
                       fmt: FormatOpt = None, output: OutputOpt = None,
                       no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """List channel aliases."""
    from oms_cli.output import Listing
    from oms_cli.services.catalog import list_aliases

    obj = app_context(ctx)
    rows = list_aliases(obj.database(), channel)
    columns = ("channel", "key", "sku")
    obj.emit(Listing(columns, [tuple(r[c] for c in columns) for r in rows]),
             OutputChoice(fmt, output, no_headers, raw))
