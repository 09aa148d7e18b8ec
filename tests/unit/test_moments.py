"""The end of a day a merchant names, as an exact UTC moment, across clock changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oms_cli.domain.moments import end_of, start_of
from oms_cli.errors import InvalidInput


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(("day", "timezone", "moment"), [
    # London springs forward on 2026-03-29: the next midnight is already BST.
    ("2026-03-28", "Europe/London", utc(2026, 3, 29, 0, 0)),
    ("2026-03-29", "Europe/London", utc(2026, 3, 29, 23, 0)),
    # ...and falls back on 2026-10-25: that day has 25 hours.
    ("2026-10-24", "Europe/London", utc(2026, 10, 24, 23, 0)),
    ("2026-10-25", "Europe/London", utc(2026, 10, 26, 0, 0)),
    # New York springs forward on 2026-03-08 and falls back on 2026-11-01.
    ("2026-03-07", "America/New_York", utc(2026, 3, 8, 5, 0)),
    ("2026-03-08", "America/New_York", utc(2026, 3, 9, 4, 0)),
    ("2026-10-31", "America/New_York", utc(2026, 11, 1, 4, 0)),
    ("2026-11-01", "America/New_York", utc(2026, 11, 2, 5, 0)),
    ("2026-03-29", "UTC", utc(2026, 3, 30, 0, 0)),
])
def test_a_date_ends_at_the_next_local_midnight(day: str, timezone: str,
                                               moment: datetime) -> None:
    assert end_of(day, timezone) == moment


def test_the_day_of_a_spring_change_is_23_hours_long() -> None:
    length = end_of("2026-03-29", "Europe/London") - end_of("2026-03-28", "Europe/London")
    assert length.total_seconds() == 23 * 3600


def test_the_day_of_an_autumn_change_is_25_hours_long() -> None:
    length = end_of("2026-11-01", "America/New_York") - end_of("2026-10-31", "America/New_York")
    assert length.total_seconds() == 25 * 3600


def test_the_compact_iso_date_means_the_whole_day_too() -> None:
    assert end_of("20260329", "Europe/London") == end_of("2026-03-29", "Europe/London")


def test_a_local_date_time_is_taken_in_the_shop_timezone() -> None:
    assert end_of("2026-07-01T12:00", "America/New_York") == utc(2026, 7, 1, 16, 0)


def test_a_date_time_with_an_offset_is_taken_as_it_is() -> None:
    assert end_of("2026-07-01T12:00+02:00", "America/New_York") == utc(2026, 7, 1, 10, 0)


def test_the_moment_is_in_utc() -> None:
    assert end_of("2026-07-01", "Asia/Tokyo").tzinfo is UTC


@pytest.mark.parametrize("text", ["", "junk", "2026-02-30", "31/03/2026", "2026-13-01"])
def test_what_is_not_a_date_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"is not a date \(YYYY-MM-DD\)"):
        end_of(text, "UTC")


@pytest.mark.parametrize(("day", "timezone", "moment"), [
    ("2026-03-29", "Europe/London", utc(2026, 3, 29, 0, 0)),
    ("2026-03-30", "Europe/London", utc(2026, 3, 29, 23, 0)),
    ("2026-11-01", "America/New_York", utc(2026, 11, 1, 4, 0)),
    ("20261102", "America/New_York", utc(2026, 11, 2, 5, 0)),
])
def test_a_date_starts_at_its_local_midnight(day: str, timezone: str, moment: datetime) -> None:
    assert start_of(day, timezone) == moment


def test_a_day_starts_where_the_day_before_ends() -> None:
    for day, before in (("2026-03-30", "2026-03-29"), ("2026-10-26", "2026-10-25")):
        assert start_of(day, "Europe/London") == end_of(before, "Europe/London")


def test_start_of_refuses_what_is_not_a_date() -> None:
    with pytest.raises(InvalidInput):
        start_of("soon", "UTC")
