"""`oms export`: files to upload to a channel, written in that channel's own format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oms_cli.cli.context import AppContext, app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt

if TYPE_CHECKING:
    from oms_cli.services.exports import AvailabilityExport, ChannelTarget, Deliver

app = typer.Typer(help="Files to upload to a channel: tracking numbers of shipments "
                  "(fulfillments), and the stock it may sell (availability).",
                  no_args_is_help=True)

ChannelOpt = Annotated[str, typer.Option("--channel", "-c", help="The sales channel (shopify, "
                       "amazon, or a name of yours such as eu-store); its platform "
                       "(channels.NAME.platform, else the name) picks the file format.",
                       metavar="NAME")]
UploadFileOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the file "
                          "to FILE (replaced whole, or not at all) instead of stdout.",
                          metavar="FILE", dir_okay=False)]


@app.command("fulfillments")
def fulfillments_command(
    ctx: typer.Context, channel: ChannelOpt, output: UploadFileOpt = None,
    everything: Annotated[bool, typer.Option("--all", help="Include shipments exported "
                          "before (they keep their first export time).")] = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Tracking numbers of the shipments made in oms for CHANNEL's orders, in its upload
    format, so the channel can mark them fulfilled and tell the customer.

    Only shipments not exported yet, and writing them marks them exported (--dry-run
    writes the file but marks nothing). Formats: shopify, a CSV for bulk-fulfilment
    apps (Order Name, Order ID, SKU, Quantity, Tracking Number, Tracking Company,
    Tracking URL, Notify Customer, Location); amazon, the Shipping Confirmation flat
    file (order-id, order-item-id, quantity, ship-date, carrier-code, carrier-name,
    tracking-number, ship-method); any other, a CSV of order, sku, quantity, carrier,
    tracking, shipped_at, location (what `oms ship --from-csv` reads).
    """
    from oms_cli.services.exports import export_fulfillments

    obj = app_context(ctx)
    target = _target(obj, channel)
    db = obj.writer("export fulfillments", dry_run=dry_run)
    result = export_fulfillments(db, target, _deliver(obj, output), everything=everything,
                                 dry_run=dry_run)
    obj.run_counts.update(shipments=result.shipments, lines=result.lines, marked=result.marked)
    if not result.lines:
        before = (f"; {result.exported_before} exported before (--all writes them again)"
                  if result.exported_before and not everything else "")
        obj.info(f"nothing to export for {channel}: no shipments waiting{before}")
        return
    again = f", {result.exported_before} of them exported before" if result.exported_before else ""
    obj.info(f"{dry_prefix(dry_run)}{_count(result.lines, 'shipment line')} exported for "
             f"{channel} ({_count(result.shipments, 'shipment')}{again})")


@app.command("availability")
def availability_command(
    ctx: typer.Context, channel: ChannelOpt, output: UploadFileOpt = None,
    locations: Annotated[list[str] | None, typer.Option("--location", "-l", help="Count "
                         "only this location's stock (repeat for several); default: every "
                         "active location.", metavar="LOC")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="Shopify only: your "
                        "inventory export (Products → Inventory → Export, All quantity "
                        "types), written back with On hand (new) set; the file Shopify "
                        "imports.", metavar="FILE", dir_okay=False)] = None,
    channel_location: Annotated[str | None, typer.Option("--channel-location", help="With "
                                "--template: the Shopify location to set, when the file "
                                "has several.", metavar="NAME")] = None,
) -> None:
    """What each sku may sell on CHANNEL: available units (on hand less reserved, damaged
    and safety stock) summed over the active locations (or those given with -l), less
    the channel's buffer (channels.NAME.buffer), never below zero. A bundle gets the
    whole bundles its components make at each location; an inactive product gets 0.

    Formats: amazon, the Inventory Loader flat file (sku, quantity, handling-time; the
    handling time left blank, so each listing keeps its own); any other, a CSV of sku,
    available. Shopify's own inventory import matches variants by handle, which oms
    does not keep: give it your inventory export with --template, and oms writes that
    file back for one Shopify location with On hand (new) = available + Committed +
    Unavailable, so Shopify's Available becomes oms's; rows of other locations, of skus
    oms does not know, and of variants not stocked there are left out.
    """
    from oms_cli.services.exports import export_availability

    obj = app_context(ctx)
    target = _target(obj, channel)
    result = export_availability(obj.database(), target, _deliver(obj, output),
                                 locations=locations or (), template=template,
                                 channel_location=channel_location)
    _summarise_availability(obj, target, result)


def _target(obj: AppContext, channel: str) -> ChannelTarget:
    from oms_cli.services.exports import channel_target

    return channel_target(obj.database(), channel, obj.config.channels)


def _deliver(obj: AppContext, output: Path | None) -> Deliver:
    """Write the text to stdout, or to FILE atomically and never over the database."""
    from oms_cli.output.destination import open_destination

    protected = [path for path in (obj.database().path,) if path is not None]

    def deliver(text: str) -> None:
        with open_destination(output, sys.stdout, protected) as stream:
            stream.write(text)

    return deliver


def _summarise_availability(obj: AppContext, target: ChannelTarget,
                            result: AvailabilityExport) -> None:
    filled = result.template
    if not result.skus:
        why = ("no row of the template, at its location, is a stocked sku oms knows"
               if filled else "no products yet")
        obj.info(f"nothing to export for {target.name}: {why}")
        return
    where = ", ".join(result.locations) or "no active location"
    at = f" at Shopify location {filled.location!r}" if filled else ""
    obj.info(f"{_count(result.skus, 'sku')} written for {target.name}{at} (stock at "
             f"{where}, less a buffer of {result.buffer})")
    if filled and filled.not_stocked:
        obj.info(f"left out, not stocked at {filled.location!r} in Shopify: "
                 f"{_listed(filled.not_stocked)}")
    if filled and filled.missing:
        obj.info(f"left out, no row in the template: {_listed(filled.missing)}")
    if filled is None and target.writer.inventory_template is not None:
        obj.info("for a file Shopify imports itself, pass your inventory export with "
                 "--template (see --help)")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _listed(skus: tuple[str, ...], shown: int = 10) -> str:
    more = f" and {len(skus) - shown} more" if len(skus) > shown else ""
    return ", ".join(skus[:shown]) + more
