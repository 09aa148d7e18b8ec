"""The `oms` command: global options, the command groups, and errors made plain.

Every OmsError becomes one line on stderr and the exit code DESIGN.md names; a
closed pipe is silent; a traceback appears only with -v.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from oms_cli import __version__
from oms_cli.cli import (
    allocate_cmd,
    config_cmd,
    db_cmd,
    export_cmd,
    import_cmd,
    location_cmd,
    order_cmd,
    picklist_cmd,
    product_cmd,
    return_cmd,
    setup_cmd,
    ship_cmd,
    stock_cmd,
    sync_cmd,
)
from oms_cli.cli.context import AppContext
from oms_cli.cli.reports import app as report_app
from oms_cli.errors import ExitCode, OmsError


class OmsGroup(TyperGroup):
    """The root group: runs a command and turns whatever it raises into an exit code."""

    def main(self, args: Any = None, *pargs: Any, **kwargs: Any) -> Any:
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().main(args, *pargs, **kwargs)

    def invoke(self, ctx: typer.Context) -> Any:
        ctx.obj = AppContext(argv=getattr(self, "_argv", []))
        code = ExitCode.FAILED
        try:
            result = super().invoke(ctx)
            code = ExitCode.OK
            return result
        except OmsError as exc:
            code = exc.exit_code
            _report(exc, ctx.obj)
            raise typer.Exit(code) from None
        except typer.Exit as exc:
            code = exc.exit_code
            raise
        except (typer.Abort, typer.exceptions.TyperException):
            raise
        except BrokenPipeError:
            _silence_stdout()
            code = ExitCode.OK
            raise typer.Exit(code) from None
        except KeyboardInterrupt:
            typer.echo("oms: interrupted: the current transaction was rolled back", err=True)
            code = 130
            raise typer.Exit(code) from None
        except Exception as exc:
            if ctx.obj.verbose:
                import traceback

                traceback.print_exc()
            typer.echo(f"oms: internal error: {type(exc).__name__}: {exc} "
                       "(run with -v for the traceback, and please report it)", err=True)
            raise typer.Exit(ExitCode.FAILED) from None
        finally:
            _finish(ctx.obj, int(code))


def _report(exc: OmsError, obj: AppContext) -> None:
    if obj.verbose:
        import traceback

        traceback.print_exc()
    typer.echo(f"oms: error: {exc}", err=True)


def _finish(obj: AppContext, code: int) -> None:
    try:
        obj.finish(code)
    except OmsError as exc:  # recording the run must never hide the command's own outcome
        typer.echo(f"oms: warning: could not record the run: {exc}", err=True)


def _silence_stdout() -> None:
    """After a reader closed the pipe, let Python exit without another EPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (CliRunner): nothing to silence
        pass
    finally:
        os.close(devnull)


app = typer.Typer(
    cls=OmsGroup,
    name="oms",
    help="Order management for small merchants: import every channel's orders, see stock "
    "across locations, allocate, ship, return, and report. Data goes to stdout, messages to "
    "stderr.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"oms {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database file or URL "
                  "(env OMS_DB; default: the user data folder).", metavar="PATH_OR_URL")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Config file "
                      "(env OMS_CONFIG; default ./oms.yaml, then the user config folder).",
                      dir_okay=False)] = None,
    no_config: Annotated[bool, typer.Option("--no-config", help="Ignore every config "
                         "file: defaults, environment and flags only.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and data.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Tracebacks and "
                       "details.")] = False,
    today: Annotated[str | None, typer.Option("--today", help="Take this date (YYYY-MM-DD) "
                     "as today, for reproducible reports.", metavar="DATE")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                       help="Show the version and exit.")] = False,
) -> None:
    obj: AppContext = ctx.obj
    obj.db_option, obj.config_option, obj.no_config = db, config, no_config
    obj.quiet, obj.verbose = quiet, verbose
    if today is not None:
        try:
            obj.today = date.fromisoformat(today)
        except ValueError:
            raise typer.BadParameter(f"{today!r} is not a date (YYYY-MM-DD)",
                                     param_hint="--today") from None


setup_cmd.register(app)
sync_cmd.register(app)
picklist_cmd.register(app)
ship_cmd.register(app)
return_cmd.register(app)
allocate_cmd.register(app)
app.add_typer(config_cmd.app, name="config")
app.add_typer(db_cmd.app, name="db")
app.add_typer(product_cmd.app, name="product")
app.add_typer(location_cmd.app, name="location")
app.add_typer(stock_cmd.app, name="stock")
app.add_typer(import_cmd.app, name="import")
app.add_typer(order_cmd.app, name="order")
app.add_typer(report_app, name="report")
app.add_typer(export_cmd.app, name="export")


def main() -> None:
    app(prog_name="oms")
