"""`oms config`: which file is read, what it amounts to, whether it is valid."""

from __future__ import annotations

import typer

from oms_cli.cli.context import app_context

app = typer.Typer(help="The configuration: path, show, check.", no_args_is_help=True)


@app.command("path")
def path_command(ctx: typer.Context) -> None:
    """Print the config file in use (or where one would be read from)."""
    from oms_cli.config import find_config_file, user_config_dir

    obj = app_context(ctx)
    found = find_config_file(obj.config_option, use_files=not obj.no_config)
    if found is None:
        obj.info("no config file: using defaults; create one with `oms init --with-config`")
        typer.echo(str(user_config_dir() / "config.yaml"))
    else:
        typer.echo(str(found))


@app.command("show")
def show_command(ctx: typer.Context) -> None:
    """Print the effective configuration (defaults < file < OMS_* environment < flags)."""
    from oms_cli.config import dump_config

    typer.echo(dump_config(app_context(ctx).config), nl=False)


@app.command("check")
def check_command(ctx: typer.Context) -> None:
    """Validate the configuration; every problem is listed with its key (exit 78)."""
    obj = app_context(ctx)
    loaded = obj.loaded
    where = loaded.path or "defaults"
    obj.info(f"config ok ({where})")
