"""`oms location`: the places stock is kept and orders ship from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oms_cli.cli.context import OutputChoice, app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt, FormatOpt, NoHeadersOpt, OutputOpt, RawOpt

app = typer.Typer(help="Locations: add, list, update.", no_args_is_help=True)

NameOpt = Annotated[str | None, typer.Option("--name", help="Display name.")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="warehouse, store, 3pl or "
                    "dropship.")]
PriorityOpt = Annotated[int | None, typer.Option("--priority", help="Lower ships first "
                        "(default 100).")]
CountryOpt = Annotated[str | None, typer.Option("--country", help="ISO country code, e.g. US.",
                       metavar="CC")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="State or region, for "
                      "nearest-location routing.")]
ShipsToOpt = Annotated[str | None, typer.Option("--ships-to", help="Countries it ships to, "
                       "comma-separated (default: its own country).", metavar="CC,CC")]


def _changes(name: str | None, kind: str | None, priority: int | None, country: str | None,
             region: str | None, ships_to: str | None, active: bool | None):  # type: ignore[no-untyped-def]
    from oms_cli.services.locations import LocationChanges

    return LocationChanges(name=name, kind=kind, priority=priority, country=country,
                           region=region, active=active,
                           ships_to=None if ships_to is None else ships_to.split(","))


@app.command("add")
def add_command(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Short code, "
                "e.g. backroom.")], name: NameOpt = None, kind: KindOpt = None,
                priority: PriorityOpt = None, country: CountryOpt = None,
                region: RegionOpt = None, ships_to: ShipsToOpt = None,
                dry_run: DryRunOpt = False) -> None:
    """Add a location."""
    from oms_cli.services.locations import add_location

    obj = app_context(ctx)
    row = add_location(obj.writer("location add", dry_run=dry_run), code,
                       _changes(name, kind, priority, country, region, ships_to, None),
                       dry_run=dry_run)
    obj.info(f"{dry_prefix(dry_run)}added location {row['code']} ({row['kind']})")


@app.command("update")
def update_command(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Its code.")],
                   name: NameOpt = None, kind: KindOpt = None, priority: PriorityOpt = None,
                   country: CountryOpt = None, region: RegionOpt = None,
                   ships_to: ShipsToOpt = None,
                   active: Annotated[bool | None, typer.Option("--active/--inactive",
                                     help="Ship from it, or stop.")] = None,
                   dry_run: DryRunOpt = False) -> None:
    """Change a location (only the fields given)."""
    from oms_cli.services.locations import update_location

    obj = app_context(ctx)
    row = update_location(obj.writer("location update", dry_run=dry_run), code,
                          _changes(name, kind, priority, country, region, ships_to, active),
                          dry_run=dry_run)
    obj.info(f"{dry_prefix(dry_run)}updated location {row['code']}")


@app.command("list")
def list_command(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None,
                 no_headers: NoHeadersOpt = False, raw: RawOpt = False) -> None:
    """List locations, in the order they ship (priority, then code)."""
    from oms_cli.output import Listing
    from oms_cli.services.locations import list_locations

    obj = app_context(ctx)
    rows = list_locations(obj.database())
    columns = ("code", "name", "kind", "priority", "country", "region", "ships_to", "active")
    obj.emit(Listing(columns, [tuple(r[c] for c in columns) for r in rows]),
             OutputChoice(fmt, output, no_headers, raw))


@app.command("import")
def import_command(ctx: typer.Context, file: Annotated[Path, typer.Argument(
                   help="CSV/TSV: code, and optional name, kind, priority, country, region, "
                   "ships_to (CC;CC), active.")], dry_run: DryRunOpt = False) -> None:
    """Create or update locations from a file, all or nothing."""
    from oms_cli.services.locations import import_locations

    obj = app_context(ctx)
    created, updated = import_locations(obj.writer("location import", dry_run=dry_run), file,
                                        dry_run=dry_run)
    obj.info(f"{dry_prefix(dry_run)}{file}: {created} created, {updated} updated")
