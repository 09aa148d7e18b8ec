"""`oms init` and `oms demo`: a database of your own, or a throw-away one to try."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from oms_cli.cli.context import AppContext, OutputChoice, app_context


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
    app.command("demo")(demo_command)


def init_command(ctx: typer.Context, with_config: Annotated[bool, typer.Option(
                 "--with-config", help="Also write a commented starter config (to --config, "
                 "else the user config folder).")] = False) -> None:
    """Create the database (and the locations the config lists)."""
    from oms_cli.config import user_config_dir
    from oms_cli.config_example import render_example
    from oms_cli.errors import Conflict
    from oms_cli.services.setup import create_configured_locations

    obj = app_context(ctx)
    if with_config:
        target = obj.config_option or user_config_dir() / "config.yaml"
        if target.exists():
            raise Conflict(f"{target}: a config is already there; edit it, or remove it first")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_example(), encoding="utf-8")
        obj.info(f"wrote a starter config to {target}")
    db = obj.writer("init")
    made = create_configured_locations(db, obj.config)
    if made:
        obj.info(f"added locations from the config: {', '.join(made)}")
    obj.info(f"database ready at {db.location}")


def demo_command(ctx: typer.Context, keep: Annotated[Path | None, typer.Option(
                 "--keep", help="Build the demo database in this folder and keep it "
                 "(default: a temporary folder, removed afterwards).", file_okay=False)] = None,
                 ) -> None:
    """Try oms on a throw-away database filled from the bundled examples."""
    from oms_cli.cli.allocate_cmd import policy_from
    from oms_cli.output import Listing
    from oms_cli.services import order_views, stock_views
    from oms_cli.services.demo import build_demo
    from oms_cli.services.importing import settings_from

    obj = app_context(ctx)
    with tempfile.TemporaryDirectory(prefix="oms-demo-") as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        obj.db_option = str(folder / "demo.db")
        if Path(obj.db_option).exists():
            from oms_cli.errors import Conflict

            raise Conflict(f"{obj.db_option} exists: give --keep an empty folder")
        db = obj.writer("demo")
        obj.info(f"demo database: {db.location}")
        summary = build_demo(db, settings=settings_from(obj.config),
                             policy=policy_from(obj.config), run_id=obj.run_id)
        for step in summary.steps:
            obj.info(f"  - {step}")
        obj.info("stock now (oms stock show):")
        obj.emit(Listing(stock_views.STOCK_COLUMNS, stock_views.stock_levels(db),
                         title="Stock"), OutputChoice())
        obj.info("running low (oms stock show --low):")
        obj.emit(Listing(stock_views.LOW_COLUMNS, stock_views.low_stock(db),
                         title="Low stock"), OutputChoice())
        obj.info("the order book (oms order list):")
        obj.emit(Listing(order_views.ORDER_COLUMNS, order_views.list_orders(db),
                         title="Orders"), OutputChoice())
        _tour_reports(ctx, obj)
        if keep:
            obj.info(f"kept: try `oms --db {obj.db_option} order show shopify:#1003` or "
                     f"`oms --db {obj.db_option} allocate --dry-run --explain`")
        obj.finish(0)


def _tour_reports(ctx: typer.Context, obj: AppContext) -> None:
    """Each report on the demo shop, as the merchant would run it, dated like the examples."""
    from oms_cli.cli.reports import (
        customers,
        fulfillment,
        inventory,
        products,
        returns,
        sales,
        status,
    )
    from oms_cli.services.demo import DEMO_TODAY

    if obj.today is None:
        obj.today = DEMO_TODAY
    obj.info(f"and the reports, as of {obj.today.isoformat()} (oms report ...):")
    for command, run in (
            ("status", lambda: status.status(ctx)),
            ("sales --by week", lambda: sales.sales(ctx, by="week")),
            ("products --top 5", lambda: products.products(ctx, top=5)),
            ("inventory", lambda: inventory.inventory(ctx)),
            ("customers", lambda: customers.customers(ctx)),
            ("fulfillment", lambda: fulfillment.fulfillment(ctx)),
            ("returns", lambda: returns.returns(ctx))):
        obj.info(f"oms report {command}:")
        run()
