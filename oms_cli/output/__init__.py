"""Rows -> table | csv | tsv | json | jsonl, and the CSV formula guard.

Importing this package does not import Rich; only drawing a Rich table does.
"""

from oms_cli.output.cells import guard_formula
from oms_cli.output.formats import OutputFormat, resolve_format
from oms_cli.output.json_text import to_json
from oms_cli.output.listing import Listing
from oms_cli.output.render import render, render_document

__all__ = [
    "Listing",
    "OutputFormat",
    "guard_formula",
    "render",
    "render_document",
    "resolve_format",
    "to_json",
]
