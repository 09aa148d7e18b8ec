"""`oms order`: the order book and each order's tracking view."""

from __future__ import annotations

from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt, FormatOpt, NoHeadersOpt, OutputOpt, RawOpt, YesOpt
from oms_cli.errors import InvalidInput

app = typer.Typer(help="Orders: list, show, hold, release, cancel.", no_args_is_help=True)


def _known_status(status: str | None) -> str | None:
    """A misspelt --status is bad usage, not an empty list."""
    from oms_cli.domain.lifecycle import OrderStatus

    if status is not None and status not in {s.value for s in OrderStatus}:
        raise typer.BadParameter(f"{status!r} is not a status: "
                                 f"{', '.join(s.value for s in OrderStatus)}")
    return status


@app.command("list")
def list_command(ctx: typer.Context,
                 status: Annotated[str | None, typer.Option("--status", "-s", help="Only "
                                   "this status (pending, on_hold, ready, backordered, "
                                   "allocated, shipped, cancelled, ...).",
                                   callback=_known_status)] = None,
                 channel: Annotated[str | None, typer.Option("--channel", "-c",
                                    help="Only this sales channel.")] = None,
                 since: Annotated[str | None, typer.Option("--since", help="Placed on or "
                                  "after DATE (in the configured timezone).",
                                  metavar="DATE")] = None,
                 limit: Annotated[int | None, typer.Option("--limit", "-n", min=1,
                                  help="At most N orders.")] = None,
                 fmt: FormatOpt = None, output: OutputOpt = None,
                 no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """List orders, newest first."""
    from oms_cli.domain.moments import start_of
    from oms_cli.output import Listing
    from oms_cli.services.order_views import ORDER_COLUMNS, list_orders

    obj = app_context(ctx)
    try:
        after = start_of(since, obj.config.timezone) if since else None
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message, param_hint="--since") from None
    rows = list_orders(obj.database(), status=status, channel=channel, since=after,
                       limit=limit)
    obj.emit(Listing(ORDER_COLUMNS, rows), OutputChoice(fmt, output, no_headers, raw))


@app.command("show")
def show_command(ctx: typer.Context,
                 order: Annotated[str, typer.Argument(help="Order id or CHANNEL:EXTERNAL_ID "
                                  "(shopify:#1001).", metavar="ORDER")],
                 fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """One order: its fields, lines (ordered, allocated, shipped, returned, cancelled)
    and the timeline of events."""
    from oms_cli.services.order_views import order_detail

    obj = app_context(ctx)
    obj.emit_document(order_detail(obj.database(), order), OutputChoice(fmt, output))


OrderArg = Annotated[str, typer.Argument(help="Order id or CHANNEL:EXTERNAL_ID "
                     "(shopify:#1001).", metavar="ORDER")]


@app.command("hold")
def hold_command(ctx: typer.Context, order: OrderArg,
                 reason: Annotated[str, typer.Option("--reason", "-r", help="Why (shown with "
                                   "the order), e.g. 'customer asked to wait'.")],
                 dry_run: DryRunOpt = False) -> None:
    """Hold an order: it is not shipped or allocated until released. Its reservations stay."""
    from oms_cli.services.order_actions import hold_order

    obj = app_context(ctx)
    db = obj.writer("order hold", dry_run=dry_run)
    change = hold_order(db, order, note=reason, run_id=obj.run_id, dry_run=dry_run)
    units = "unit stays" if change.reserved == 1 else "units stay"
    kept = f"; its {change.reserved} reserved {units} reserved" if change.reserved else ""
    obj.info(f"{dry_prefix(dry_run)}held {change.order} (was {change.before}){kept}; "
             f"`oms order release {change.order}` lifts the hold")


@app.command("release")
def release_command(ctx: typer.Context, order: OrderArg, dry_run: DryRunOpt = False) -> None:
    """Lift a hold. Releasing a validation hold (awaiting payment, address, risk, test
    order) accepts it: validation will not hold the order for that reason again. An
    unknown sku cannot be accepted: add the product or an alias first. Exit 3 when
    validation still holds the order for another reason."""
    from oms_cli.services.importing import settings_from
    from oms_cli.services.order_actions import release_order

    obj = app_context(ctx)
    db = obj.writer("order release", dry_run=dry_run)
    change = release_order(db, order, policy=settings_from(obj.config).policy,
                           run_id=obj.run_id, dry_run=dry_run)
    if change.still_held:
        from oms_cli.errors import ExitCode

        obj.warn(f"{dry_prefix(dry_run)}{change.order} is still on hold: {change.still_held}")
        raise typer.Exit(ExitCode.ATTENTION)
    obj.info(f"{dry_prefix(dry_run)}released {change.order}: now {change.after}")


@app.command("cancel")
def cancel_command(ctx: typer.Context, order: OrderArg,
                   reason: Annotated[str | None, typer.Option("--reason", "-r", help="Why "
                                     "(kept in the order's timeline).")] = None,
                   yes: YesOpt = False, dry_run: DryRunOpt = False) -> None:
    """Cancel every unit not yet shipped and give back every reservation (it can't be
    undone: asks first, or pass --yes)."""
    from oms_cli.services.order_actions import cancel

    obj = app_context(ctx)
    if not dry_run:
        obj.confirm(f"Cancel order {order}? This can't be undone.", yes=yes)
    db = obj.writer("order cancel", dry_run=dry_run)
    change = cancel(db, order, reason=reason, run_id=obj.run_id, dry_run=dry_run)
    freed = f", {change.released} reserved units released" if change.released else ""
    obj.info(f"{dry_prefix(dry_run)}cancelled {change.cancelled} units of {change.order}"
             f"{freed}; order is now {change.after}")
