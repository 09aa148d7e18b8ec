"""Turning the dates a merchant types into exact UTC moments, in the shop's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oms_cli.errors import InvalidInput


def end_of(text: str, timezone: str) -> datetime:
    """The UTC moment just after ``text`` ends: a date means the whole day in ``timezone``.

    ``2026-03-31`` -> the next local midnight; a date-time (``2026-03-31T12:00``,
    local unless it carries an offset) is taken as it is. Raises InvalidInput.
    """
    zone = ZoneInfo(timezone)
    try:
        day = date.fromisoformat(text.strip())  # any ISO date form, 2026-03-31 or 20260331
    except ValueError:
        day = None
    if day is not None:
        return datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD) or date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def start_of(text: str, timezone: str) -> datetime:
    """The UTC moment ``text`` begins: a date means its local midnight in ``timezone``."""
    zone = ZoneInfo(timezone)
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(), zone).astimezone(UTC)
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD) or date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
