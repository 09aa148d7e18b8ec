"""`oms sync`: the cron entry point. Quiet unless something needs attention."""

from __future__ import annotations

import typer

from oms_cli.cli.context import app_context
from oms_cli.errors import ExitCode


def register(app: typer.Typer) -> None:
    app.command("sync")(sync_command)


def sync_command(ctx: typer.Context) -> None:
    """Import every file in the configured inbox (name order), move each to archive/ (or
    failed/ with a .errors.txt), then allocate. Prints nothing when all went well; exit 3
    when a record was rejected or a file failed, 75 when another sync is running."""
    from oms_cli.cli.allocate_cmd import policy_from
    from oms_cli.services.importing import settings_from
    from oms_cli.services.sync import InboxPlaces, sync

    obj = app_context(ctx)
    inbox = obj.config.inbox
    places = InboxPlaces.of(inbox.path, inbox.archive, inbox.failed)
    result = sync(obj.writer("sync"), places, settings=settings_from(obj.config),
                  policy=policy_from(obj.config), run_id=obj.run_id)
    allocation = result.allocation
    obj.run_counts.update(files=len(result.outcomes),
                          reserved=allocation.units if allocation else 0)
    for outcome in result.outcomes:
        if outcome.error:
            typer.echo(f"oms: {outcome.file}: failed, moved to {outcome.moved_to}: "
                       f"{outcome.error}", err=True)
        elif outcome.summary is not None:
            s = outcome.summary
            line = (f"{outcome.file}: {s.created} created, {s.updated} updated, "
                    f"{s.unchanged} unchanged, {s.rejected} rejected")
            if s.rejected:
                typer.echo(f"oms: {line}: see `oms import errors {s.run_id}`", err=True)
            elif obj.verbose:
                typer.echo(line, err=True)
    if allocation and obj.verbose:
        typer.echo(f"allocated {allocation.units} unit(s) across {allocation.orders} "
                   f"waiting order(s)", err=True)
    if result.needs_attention:
        raise typer.Exit(ExitCode.ATTENTION)
