"""`oms order`: the order book and each order's tracking view."""

from __future__ import annotations

from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context
from oms_cli.cli.options import FormatOpt, NoHeadersOpt, OutputOpt, RawOpt
from oms_cli.errors import InvalidInput

app = typer.Typer(help="Orders: list, show.", no_args_is_help=True)


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
