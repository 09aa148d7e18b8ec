"""``oms report ...``: one small module per report, each with a ``register(app)``.

A new report is a module here (its command) plus one in ``oms_cli/reports`` (its
query); add its name to REPORTS, in the order ``oms report --help`` lists them.
"""

from __future__ import annotations

import importlib

import typer

REPORTS = ("status", "sales", "products", "inventory", "customers", "fulfillment", "returns")

app = typer.Typer(
    help="Reports: what is stuck, what sold, what is running out. Each metric's formula is "
    "in the report's --help; periods are local days in the configured timezone.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

for _name in REPORTS:
    importlib.import_module(f"oms_cli.cli.reports.{_name}").register(app)
