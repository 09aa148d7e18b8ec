"""The `oms` command: global options, the command groups, and errors made plain.

Every OmsError becomes one line on stderr and the exit code DESIGN.md names; a
closed pipe is silent; a traceback appears only with -v.
"""

from __future__ import annotations

import importlib
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer
from typer.core import TyperGroup

from oms_cli import __version__
from oms_cli.cli.context import AppContext
from oms_cli.errors import ExitCode, OmsError


class LazyCommand(NamedTuple):
    """A command whose module is imported only when it runs or shows its own help."""

    module: str
    summary: str  # its line in `oms --help`


# In the order `oms --help` lists them. Importing every command module (and what they
# import) would double the start-up of `oms --help` and of every single command.
COMMANDS: dict[str, LazyCommand] = {
    "init": LazyCommand("setup_cmd", "Create the database (and the locations the config "
                        "lists)."),
    "demo": LazyCommand("setup_cmd", "Try oms on a throw-away database of the bundled "
                        "examples."),
    "sync": LazyCommand("sync_cmd", "Import every file in the inbox, then allocate (for "
                        "cron)."),
    "picklist": LazyCommand("picklist_cmd", "What to pick and pack at each location, by "
                            "sku and by order."),
    "ship": LazyCommand("ship_cmd", "Ship an order's reserved units, or a 3PL's file of "
                        "shipments."),
    "return": LazyCommand("return_cmd", "Take back shipped units: restocked or damaged, "
                          "refund recorded."),
    "allocate": LazyCommand("allocate_cmd", "Reserve stock for waiting orders and route "
                            "each to a location."),
    "config": LazyCommand("config_cmd", "The configuration: path, show, check."),
    "db": LazyCommand("db_cmd", "The database: path, check, backup, copy, upgrade, "
                      "summarize."),
    "product": LazyCommand("product_cmd", "Products: add, import, list, show, update, "
                           "alias."),
    "location": LazyCommand("location_cmd", "Locations: add, list, update."),
    "stock": LazyCommand("stock_cmd", "Stock: receive, adjust, count, damage, transfer, "
                         "import, show."),
    "import": LazyCommand("import_cmd", "Import channel exports: FILE..., history, errors, "
                          "undo."),
    "order": LazyCommand("order_cmd", "Orders: list, show, hold, release, cancel."),
    "report": LazyCommand("reports", "Reports: what is stuck, what sold, what is running "
                          "out."),
    "export": LazyCommand("export_cmd", "Files to upload to a channel: tracking and "
                          "availability."),
}


ROOT_SETTINGS: dict[str, Any] = {
    "add_completion": False, "rich_markup_mode": None, "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}


def load_command(name: str) -> Any:
    """The click command ``name``, built from its module's Typer app or ``register``.

    It is built under a scratch root with the real root's settings, so it renders and
    parses exactly as it would had it been added to the root up front.
    """
    module = importlib.import_module(f"oms_cli.cli.{COMMANDS[name].module}")
    scratch = typer.Typer(**ROOT_SETTINGS)
    if hasattr(module, "register"):  # top-level commands register themselves
        module.register(scratch)
    else:
        scratch.add_typer(module.app, name=name)
    command = typer.main.get_group(scratch).commands[name]
    command.short_help = COMMANDS[name].summary
    return command


class OmsGroup(TyperGroup):
    """The root group: runs a command and turns whatever it raises into an exit code.

    Its commands are loaded on first use (see COMMANDS), and listed without loading them.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        width = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, command.summary if len(command.summary) <= width
                 else command.summary[:width - 3] + "...")
                for name, command in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, args: Any = None, *pargs: Any, **kwargs: Any) -> Any:
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().main(args, *pargs, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        ctx.obj = AppContext(argv=getattr(self, "_argv", []))
        code: int = ExitCode.FAILED
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
    **ROOT_SETTINGS,
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


def main() -> None:
    app(prog_name="oms")
