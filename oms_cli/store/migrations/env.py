"""Alembic's entry point for oms migrations.

oms runs migrations itself (``store.schema.upgrade_schema``) on a connection it
passes in, inside its own write transaction. To write a new migration after
changing ``store/tables.py``: ``python -m oms_cli.store.migrations "what changed"``,
then review the file, append its revision to ``schema.REVISIONS``, and add an
upgrade test with data.
"""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel.sql.sqltypes import AutoString

from oms_cli.store.tables import METADATA
from oms_cli.store.types import UTCDateTime


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types without tying migrations to SQLModel's internals."""
    if kind == "type" and isinstance(item, AutoString):
        return f"sa.String(length={item.length})" if item.length else "sa.String()"
    if kind == "type" and isinstance(item, UTCDateTime):
        return "UTCDateTime()"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=METADATA,
    render_as_batch=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
