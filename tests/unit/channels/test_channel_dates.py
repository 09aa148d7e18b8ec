"""Dates as channels write them, read into UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oms_cli.domain.dates import parse_datetime, zone_named

NEW_YORK = zone_named("America/New_York")
LONDON = zone_named("Europe/London")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
        microsecond: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-06 10:37:33 -0500", utc(2025, 12, 6, 15, 37, 33)),  # Shopify CSV
        ("2008-01-10T11:00:00-05:00", utc(2008, 1, 10, 16)),  # Shopify API
        ("2020-02-18T05:05:21+00:00", utc(2020, 2, 18, 5, 5, 21)),  # Amazon
        ("2024-01-01T00:00:00Z", utc(2024, 1, 1)),
        ("2024-01-01T00:00:00.123456Z", utc(2024, 1, 1, 0, 0, 0, 123456)),
        ("Mar-12-23 10:00:00 PDT", utc(2023, 3, 12, 17)),
    ],
)
def test_timestamps_with_an_offset_ignore_the_local_zone(text: str, expected: datetime) -> None:
    assert parse_datetime(text, NEW_YORK) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-03-22T16:28:02", utc(2017, 3, 22, 20, 28, 2)),  # WooCommerce date_created
        ("06/22/23", utc(2023, 6, 22, 4)),  # Etsy Sale Date
        ("6/4/2020", utc(2020, 6, 4, 4)),  # Etsy after Excel
        ("2020-11-21", utc(2020, 11, 21, 5)),  # Etsy after Excel, ISO
        ("Mar-12-23", utc(2023, 3, 12, 5)),  # eBay
        ("Sep-30-26 23:45:00", utc(2026, 10, 1, 3, 45)),  # eBay with a time
        ("12-Mar-23", utc(2023, 3, 12, 5)),  # eBay UK
        ("Mar 12, 2023", utc(2023, 3, 12, 5)),
        ("7/25/2018 9:06 PM", utc(2018, 7, 26, 1, 6)),
    ],
)
def test_values_without_an_offset_are_local_time(text: str, expected: datetime) -> None:
    assert parse_datetime(text, NEW_YORK) == expected


def test_an_offset_that_changes_with_daylight_saving_is_honoured_row_by_row() -> None:
    before = parse_datetime("2024-03-30 18:00:00 +0000", LONDON)
    after = parse_datetime("2024-03-31 09:15:00 +0100", LONDON)
    assert (before, after) == (utc(2024, 3, 30, 18), utc(2024, 3, 31, 8, 15))


def test_a_month_above_twelve_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="day and month swapped"):
        parse_datetime("13/06/2020", NEW_YORK)


def test_day_first_reads_european_slashed_dates() -> None:
    assert parse_datetime("13/06/2020", UTC, day_first=True) == utc(2020, 6, 13)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("yesterday", "is not a date"),
        ("2020-02-30", "is not a real date"),
        ("1899-01-01", "is out of range"),
        ("Foo-12-23", "unknown month name"),
        ("2020-01-01T10:00:00+2500", "impossible UTC offset"),
        ("06.04.2020", "is not a date"),
    ],
)
def test_unreadable_dates_raise_a_short_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_datetime(text, UTC)


def test_a_strptime_pattern_replaces_the_known_shapes() -> None:
    berlin = zone_named("Europe/Berlin")
    assert parse_datetime("03.04.2024 14:05", berlin, pattern="%d.%m.%Y %H:%M") == utc(
        2024, 4, 3, 12, 5
    )
    with pytest.raises(ValueError, match="does not match the date format"):
        parse_datetime("2024-04-03", berlin, pattern="%d.%m.%Y %H:%M")


def test_a_bare_date_starts_at_local_midnight() -> None:
    assert parse_datetime("07/01/2024", LONDON) == utc(2024, 6, 30, 23)


def test_an_unknown_zone_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        zone_named("Mars/Olympus")
    assert zone_named("utc") is UTC
