"""Report periods: the spans of days a merchant names, and their exact UTC bounds.

A period is a run of whole local days, ``start`` inclusive and ``end`` exclusive,
with a label that names it the way a report prints it: ``2026-03-01`` (a day),
``2026-W09`` (an ISO week, Monday first), ``2026-03`` (a month), ``2026Q1``, ``2026``,
or ``2026-03-05..2026-04-11`` for any other span (both days included, as people say it).
Days become UTC instants only in ``utc_bounds``, in the shop's IANA time zone, so a
day of 23 or 25 hours across a clock change is still exactly one day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oms_cli.errors import InvalidInput

PERIOD_FORMS = ("today", "yesterday", "this-week", "last-week", "this-month", "last-month",
                "this-quarter", "last-quarter", "this-year", "last-year",
                "YYYY", "YYYY-MM", "YYYYQn", "YYYY-Www", "YYYY-MM-DD")
BUCKET_UNITS = ("day", "week", "month", "quarter", "year")

_YEAR = re.compile(r"(\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class Period:
    """Whole local days from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def span(start: date, end: date) -> Period:
    """The period from ``start`` to ``end`` (exclusive), labelled by what it is."""
    return Period(start, end, _label(start, end))


def parse_period(text: str, today: date) -> Period:
    """The period a ``-p`` expression names, relative to ``today`` where it says so.

    Raises InvalidInput naming the accepted forms.
    """
    word = text.strip().lower()
    relative = _relative(word, today)
    if relative is not None:
        return relative
    absolute = _absolute(word)
    if absolute is None:
        raise InvalidInput(f"{text!r} is not a period: give one of {', '.join(PERIOD_FORMS)}")
    return absolute


def resolve_period(period: str | None, begin: str | None, end: str | None, today: date,
                   default: str = "this-month") -> Period:
    """The period of ``-p``, or of ``-b``/``-e`` (end exclusive), or ``default``.

    ``-b`` and ``-e`` take a date or any period expression, meaning its first day
    (``-b 2026-01 -e 2026-04`` is the first quarter). ``-b`` alone runs through today;
    ``-e`` alone, ``-p`` with ``-b``/``-e``, and an empty span raise InvalidInput.
    """
    if period is not None and (begin is not None or end is not None):
        raise InvalidInput("give either -p/--period or -b/--begin and -e/--end, not both")
    if period is not None:
        return parse_period(period, today)
    if begin is None and end is None:
        return parse_period(default, today)
    if begin is None:
        raise InvalidInput("-e/--end needs -b/--begin (or use -p/--period)")
    first = parse_period(begin, today).start
    last = parse_period(end, today).start if end is not None else today + timedelta(days=1)
    if last <= first:
        raise InvalidInput(f"the period is empty: -e {last} is not after -b {first} "
                           "(the end is exclusive)")
    return span(first, last)


def buckets(period: Period, by: str) -> list[Period]:
    """``period`` cut at every ``by`` boundary (day|week|month|quarter|year).

    Buckets at either edge are clipped to the period but keep their unit's label.
    Raises InvalidInput for an unknown unit.
    """
    if by not in BUCKET_UNITS:
        raise InvalidInput(f"cannot group by {by!r}: give one of {', '.join(BUCKET_UNITS)}")
    result = []
    cursor = period.start
    while cursor < period.end:
        unit_start = _unit_start(cursor, by)
        unit_end = _unit_after(unit_start, by)
        result.append(Period(cursor, min(unit_end, period.end), _unit_label(unit_start, by)))
        cursor = unit_end
    return result


def previous(period: Period) -> Period:
    """The same span just before ``period``, to measure growth against.

    A calendar week, month, quarter or year is preceded by the one before it (March by
    February, whatever their lengths); any other span by as many days.
    """
    for unit in ("year", "quarter", "month", "week"):
        if _is_unit(period, unit):
            start = _unit_start(period.start - timedelta(days=1), unit)
            return span(start, period.start)
    return span(period.start - timedelta(days=period.days), period.start)


def utc_bounds(period: Period, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants of the local midnights that begin and end ``period`` in ``timezone``.

    A midnight skipped by a clock change resolves to the first instant of that day.
    """
    zone = ZoneInfo(timezone)
    return _midnight(period.start, zone), _midnight(period.end, zone)


def today_in(timezone: str, now: datetime | None = None) -> date:
    """The local date in ``timezone`` at ``now`` (default: this moment)."""
    moment = now if now is not None else datetime.now(UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _relative(word: str, today: date) -> Period | None:
    steps = {"today": ("day", 0), "yesterday": ("day", -1)}
    for unit in ("week", "month", "quarter", "year"):
        steps[f"this-{unit}"] = (unit, 0)
        steps[f"last-{unit}"] = (unit, -1)
    if word not in steps:
        return None
    unit, step = steps[word]
    start = _unit_start(today, unit)
    if step:
        start = _unit_start(start - timedelta(days=1), unit)
    return span(start, _unit_after(start, unit))


def _absolute(word: str) -> Period | None:
    try:
        if match := _DAY.fullmatch(word):
            return _unit(date(*map(int, match.groups())), "day")
        if match := _WEEK.fullmatch(word):
            return _unit(date.fromisocalendar(int(match[1]), int(match[2]), 1), "week")
        if match := _MONTH.fullmatch(word):
            return _unit(date(int(match[1]), int(match[2]), 1), "month")
        if match := _QUARTER.fullmatch(word):
            return _unit(date(int(match[1]), 3 * int(match[2]) - 2, 1), "quarter")
        if match := _YEAR.fullmatch(word):
            return _unit(date(int(match[1]), 1, 1), "year")
    except ValueError:
        return None
    return None


def _unit(start: date, unit: str) -> Period:
    return Period(start, _unit_after(start, unit), _unit_label(start, unit))


def _unit_start(day: date, unit: str) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _unit_after(start: date, unit: str) -> date:
    """The first day of the next unit, for ``start`` the first day of a unit."""
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _unit_label(start: date, unit: str) -> str:
    if unit == "day":
        return start.isoformat()
    if unit == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "month":
        return f"{start.year}-{start.month:02d}"
    if unit == "quarter":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def _is_unit(period: Period, unit: str) -> bool:
    return (_unit_start(period.start, unit) == period.start
            and _unit_after(period.start, unit) == period.end)


def _label(start: date, end: date) -> str:
    for unit in BUCKET_UNITS:
        if _unit_start(start, unit) == start and _unit_after(start, unit) == end:
            return _unit_label(start, unit)
    return f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}"
