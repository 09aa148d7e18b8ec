"""Reading the dates and times channels write, into timezone-aware UTC datetimes.

Channels write dates in many shapes: ISO 8601 with or without an offset,
Shopify's ``2025-12-06 10:37:33 -0500``, Etsy's ``06/22/23`` (or Excel's ``6/4/2020``
after a re-save), eBay's ``Mar-12-23``. A value without an offset is the seller's
local time: the caller passes that zone, and a date without a time means local
midnight. Everything returned is UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EARLIEST_YEAR = 1990
LATEST_YEAR = 2100

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}

# Zone abbreviations seen after eBay and US-made timestamps; fixed offsets, no DST logic.
_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}

_TIME = (
    r"(?:[T ]+(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?\s*(?P<ampm>[AaPp][Mm])?)?"
)
_ZONE = r"\s*(?P<zone>[+-]\d{2}:?\d{2}|[+-]\d{2}|[A-Za-z]{1,4})?"

# The shape most channels write (Shopify, Amazon, WooCommerce): read by fromisoformat.
_PLAIN_ISO = re.compile(r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}) ?([+-]\d{2}:?\d{2}|Z)?")
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})" + _TIME + _ZONE)
_SLASHED = re.compile(
    r"(?P<first>\d{1,2})/(?P<second_part>\d{1,2})/(?P<year>\d{4}|\d{2})" + _TIME + _ZONE
)
_MONTH_FIRST = re.compile(
    r"(?P<month_name>[A-Za-z]{3})[A-Za-z]*\.?[- ](?P<day>\d{1,2}),?[- ](?P<year>\d{4}|\d{2})"
    + _TIME + _ZONE
)
_DAY_FIRST = re.compile(
    r"(?P<day>\d{1,2})[- ](?P<month_name>[A-Za-z]{3})[A-Za-z]*\.?,?[- ](?P<year>\d{4}|\d{2})"
    + _TIME + _ZONE
)


def zone_named(name: str) -> tzinfo:
    """The IANA time zone ``name`` (``Europe/London``); raises ValueError when unknown."""
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def parse_datetime(
    text: str, local: tzinfo, *, day_first: bool = False, pattern: str | None = None
) -> datetime:
    """Parse a channel's date or timestamp into an aware UTC datetime.

    ``local`` is the zone of values written without an offset; a bare date is local
    midnight. Slashed dates are month first (``06/22/23``) unless ``day_first``; a
    month-first date whose month is above 12 is refused rather than guessed, because
    a spreadsheet has probably swapped day and month. ``pattern`` is a strptime format
    tried instead of the known shapes. Raises ValueError with a short reason.
    """
    cleaned = " ".join(text.split())
    if pattern is not None:
        return _from_pattern(cleaned, pattern, local)
    plain = _PLAIN_ISO.fullmatch(cleaned)
    if plain:
        moment = _from_plain_iso(plain[1], plain[2], local)
        if moment is not None:
            return moment
    for shape in (_ISO, _SLASHED, _MONTH_FIRST, _DAY_FIRST):
        match = shape.fullmatch(cleaned)
        if match:
            return _from_match(match.groupdict(), local, day_first=day_first)
    raise ValueError("is not a date")


def _from_plain_iso(clock: str, zone: str | None, local: tzinfo) -> datetime | None:
    """A plain ISO timestamp, many times faster than the general shapes below.

    None when fromisoformat refuses the date or time, so the general path words
    the error exactly as for any other shape.
    """
    try:
        moment = datetime.fromisoformat(clock)
    except ValueError:
        return None
    _check_year(moment.year)
    return moment.replace(tzinfo=_offset(zone, local)).astimezone(UTC)


def _from_pattern(text: str, pattern: str, local: tzinfo) -> datetime:
    try:
        parsed = datetime.strptime(text, pattern)
    except ValueError as exc:
        raise ValueError(f"does not match the date format {pattern!r}") from exc
    _check_year(parsed.year)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local)
    return parsed.astimezone(UTC)


def _from_match(parts: dict[str, str | None], local: tzinfo, *, day_first: bool) -> datetime:
    year, month, day = _calendar_parts(parts, day_first=day_first)
    _check_year(year)
    try:
        moment = datetime(year, month, day, *_clock(parts))
    except ValueError as exc:
        raise ValueError("is not a real date") from exc
    zone = _offset(parts.get("zone"), local)
    return moment.replace(tzinfo=zone).astimezone(UTC)


def _calendar_parts(parts: dict[str, str | None], *, day_first: bool) -> tuple[int, int, int]:
    year = int(parts["year"] or 0)
    if year < 100:
        year += 2000
    if parts.get("month_name") is not None:
        month = _MONTHS.get(str(parts["month_name"]).lower())
        if month is None:
            raise ValueError("has an unknown month name")
        return year, month, int(parts["day"] or 0)
    if parts.get("first") is not None:
        first, second = int(parts["first"] or 0), int(parts["second_part"] or 0)
        if day_first:
            first, second = second, first
        if first > 12 and second <= 12:
            raise ValueError("has day and month swapped (a spreadsheet re-saved it?)")
        return year, first, second
    return year, int(parts["month"] or 0), int(parts["day"] or 0)


def _clock(parts: dict[str, str | None]) -> tuple[int, int, int, int]:
    if parts.get("hour") is None:
        return 0, 0, 0, 0
    hour = int(parts["hour"] or 0)
    ampm = (parts.get("ampm") or "").lower()
    if ampm and not 1 <= hour <= 12:
        raise ValueError("has an hour that does not fit AM/PM")
    if ampm == "pm" and hour != 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    fraction = parts.get("fraction")
    microsecond = int(fraction[:6].ljust(6, "0")) if fraction else 0
    return hour, int(parts["minute"] or 0), int(parts["second"] or 0), microsecond


def _offset(zone: str | None, local: tzinfo) -> tzinfo:
    return _fixed_zone(zone) if zone else local


@lru_cache(maxsize=256)
def _fixed_zone(zone: str) -> tzinfo:
    """The zone of an offset (``-0500``) or abbreviation (``PST``).

    Cached: a file repeats a handful of offsets, and building one costs more than
    the rest of the timestamp. Bad zones raise ValueError (never cached).
    """
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "").ljust(4, "0")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 14 or minutes > 59:
            raise ValueError("has an impossible UTC offset")
        sign = -1 if zone[0] == "-" else 1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    hours_east = _ABBREVIATIONS.get(zone.upper())
    if hours_east is None:
        raise ValueError("has an unknown time zone")
    return timezone(timedelta(hours=hours_east))


def _check_year(year: int) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValueError(f"is out of range (years {EARLIEST_YEAR}-{LATEST_YEAR})")
