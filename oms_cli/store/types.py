"""Column types that keep the database honest on every dialect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type, so values are stored naive in UTC there; PostgreSQL
    gets ``timestamptz``. A naive datetime handed in is refused: every time oms
    stores has a known zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = _checked(value).astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # SQLite keeps the text SQLAlchemy's DATETIME writes ("2025-01-31 09:30:00.000000");
        # it is made here in one step, not by DATETIME formatting a naive datetime field
        # by field: a bulk import binds several timestamps per order.
        def to_text(value: Any) -> str | None:
            return None if value is None else _sqlite_text(_checked(value))

        return to_text

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text, e.g. from a hand-written query
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _checked(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} has no timezone")
    return value


@lru_cache(maxsize=256)
def _sqlite_text(value: datetime) -> str:
    """The UTC text SQLite stores for an aware datetime.

    Cached (equal instants give equal text): most timestamps of an import are its
    own start time, bound on every order, event and customer row.
    """
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
