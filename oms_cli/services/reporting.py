"""Running a report: one read-only snapshot, one query function, named rows back.

The CLI reaches every report through this module: ``run_report`` opens the
transaction, and the report modules are re-exported here (the CLI may not import
``oms_cli.reports`` or the store itself), e.g.
``run_report(db, reporting.sales.sales_report, period=...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

# One name per report module: a new report adds its module to this line.
from oms_cli.reports import customers, fulfillment, inventory, products, returns, sales, status
from oms_cli.reports.common import ReportRows
from oms_cli.store.database import Database

__all__ = ["ReportRows", "customers", "fulfillment", "inventory", "products", "returns",
           "run_report", "sales", "status"]

T = TypeVar("T")


def run_report(db: Database, fn: Callable[..., T], **kwargs: Any) -> T:
    """Call ``fn(session, **kwargs)`` inside one read transaction and return what it returns.

    Every query of the report sees the same snapshot of the database.
    """
    with db.read() as session:
        return fn(session, **kwargs)
