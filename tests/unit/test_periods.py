"""Report periods: what each expression names, how periods split, and their UTC bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from oms_cli.domain.periods import (
    Period,
    buckets,
    parse_period,
    previous,
    resolve_period,
    span,
    today_in,
    utc_bounds,
)
from oms_cli.errors import InvalidInput

TODAY = date(2026, 3, 4)  # a Wednesday in ISO week 10


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("today", date(2026, 3, 4), date(2026, 3, 5), "2026-03-04"),
    ("yesterday", date(2026, 3, 3), date(2026, 3, 4), "2026-03-03"),
    ("this-week", date(2026, 3, 2), date(2026, 3, 9), "2026-W10"),
    ("last-week", date(2026, 2, 23), date(2026, 3, 2), "2026-W09"),
    ("this-month", date(2026, 3, 1), date(2026, 4, 1), "2026-03"),
    ("last-month", date(2026, 2, 1), date(2026, 3, 1), "2026-02"),
    ("this-quarter", date(2026, 1, 1), date(2026, 4, 1), "2026Q1"),
    ("last-quarter", date(2025, 10, 1), date(2026, 1, 1), "2025Q4"),
    ("this-year", date(2026, 1, 1), date(2027, 1, 1), "2026"),
    ("last-year", date(2025, 1, 1), date(2026, 1, 1), "2025"),
    ("2024", date(2024, 1, 1), date(2025, 1, 1), "2024"),
    ("2024-02", date(2024, 2, 1), date(2024, 3, 1), "2024-02"),
    ("2025-12", date(2025, 12, 1), date(2026, 1, 1), "2025-12"),
    ("2026Q4", date(2026, 10, 1), date(2027, 1, 1), "2026Q4"),
    ("2026q2", date(2026, 4, 1), date(2026, 7, 1), "2026Q2"),
    ("2026-W01", date(2025, 12, 29), date(2026, 1, 5), "2026-W01"),
    ("2024-02-29", date(2024, 2, 29), date(2024, 3, 1), "2024-02-29"),
    (" This-Month ", date(2026, 3, 1), date(2026, 4, 1), "2026-03"),
])
def test_each_period_expression_names_its_days(text: str, start: date, end: date,
                                                label: str) -> None:
    assert parse_period(text, TODAY) == Period(start, end, label)


def test_last_month_in_january_is_last_years_december() -> None:
    assert parse_period("last-month", date(2026, 1, 15)) == Period(
        date(2025, 12, 1), date(2026, 1, 1), "2025-12")


def test_this_week_across_a_year_end_is_the_iso_week_of_the_next_year() -> None:
    assert parse_period("this-week", date(2024, 12, 31)) == Period(
        date(2024, 12, 30), date(2025, 1, 6), "2025-W01")


@pytest.mark.parametrize("text", ["", "march", "2026-13", "2026Q5", "2025-02-29", "2026-W54",
                                  "next-month", "26"])
def test_an_unreadable_period_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidInput, match="YYYYQn"):
        parse_period(text, TODAY)


def test_resolve_takes_the_period_option() -> None:
    assert resolve_period("2026-02", None, None, TODAY).label == "2026-02"


def test_resolve_defaults_to_this_month_or_the_given_default() -> None:
    assert resolve_period(None, None, None, TODAY).label == "2026-03"
    assert resolve_period(None, None, None, TODAY, default="today").label == "2026-03-04"


def test_begin_and_end_make_a_span_with_the_end_excluded() -> None:
    period = resolve_period(None, "2026-01-05", "2026-02-10", TODAY)
    assert (period.start, period.end) == (date(2026, 1, 5), date(2026, 2, 10))
    assert period.label == "2026-01-05..2026-02-09"


def test_begin_and_end_spanning_a_quarter_are_labelled_as_the_quarter() -> None:
    assert resolve_period(None, "2026-01", "2026-04", TODAY) == parse_period("2026Q1", TODAY)


def test_begin_alone_runs_through_today() -> None:
    period = resolve_period(None, "2026-03-01", None, TODAY)
    assert (period.start, period.end) == (date(2026, 3, 1), date(2026, 3, 5))


@pytest.mark.parametrize(("period", "begin", "end", "message"), [
    (None, None, "2026-03-01", "needs -b"),
    ("2026", "2026-01-01", None, "not both"),
    (None, "2026-03-01", "2026-03-01", "empty"),
    (None, "2026-03-02", "2026-03-01", "empty"),
])
def test_resolve_refuses_what_it_cannot_mean(period: str | None, begin: str | None,
                                             end: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        resolve_period(period, begin, end, TODAY)


def test_monthly_buckets_of_a_year_are_its_twelve_months() -> None:
    months = buckets(parse_period("2024", TODAY), "month")
    assert [month.label for month in months] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert months[1] == Period(date(2024, 2, 1), date(2024, 3, 1), "2024-02")  # a leap February


def test_daily_buckets_of_a_leap_february_are_29_days() -> None:
    days = buckets(parse_period("2024-02", TODAY), "day")
    assert len(days) == 29
    assert days[-1].label == "2024-02-29"


def test_weekly_buckets_are_clipped_to_the_period_but_keep_the_week_label() -> None:
    weeks = buckets(parse_period("2026-03", TODAY), "week")
    assert weeks[0] == Period(date(2026, 3, 1), date(2026, 3, 2), "2026-W09")
    assert weeks[-1] == Period(date(2026, 3, 30), date(2026, 4, 1), "2026-W14")
    assert sum(week.days for week in weeks) == 31


def test_quarterly_and_yearly_buckets_cross_a_year_end() -> None:
    period = resolve_period(None, "2025-11-15", "2026-02-01", TODAY)
    assert [q.label for q in buckets(period, "quarter")] == ["2025Q4", "2026Q1"]
    assert [y.label for y in buckets(period, "year")] == ["2025", "2026"]
    assert buckets(period, "quarter")[0].start == date(2025, 11, 15)


def test_bucketing_by_an_unknown_unit_is_refused() -> None:
    with pytest.raises(InvalidInput, match="day, week, month"):
        buckets(parse_period("2026", TODAY), "fortnight")


@pytest.mark.parametrize(("text", "before"), [
    ("2026-03", "2026-02"),
    ("2026-01", "2025-12"),
    ("2024-03", "2024-02"),
    ("2026Q1", "2025Q4"),
    ("2026", "2025"),
    ("2026-W01", "2025-W52"),
    ("2026-03-01", "2026-02-28"),
    ("2024-03-01", "2024-02-29"),
])
def test_previous_of_a_calendar_unit_is_the_unit_before(text: str, before: str) -> None:
    assert previous(parse_period(text, TODAY)).label == before


def test_previous_of_any_other_span_is_as_many_days_before() -> None:
    period = span(date(2026, 3, 10), date(2026, 3, 20))
    assert previous(period) == span(date(2026, 2, 28), date(2026, 3, 10))


@pytest.mark.parametrize(("text", "timezone", "start", "end"), [
    # London springs forward on 2026-03-29 (a 23-hour day) and falls back on 2026-10-25.
    ("2026-03-29", "Europe/London", utc(2026, 3, 29, 0), utc(2026, 3, 29, 23)),
    ("2026-10-25", "Europe/London", utc(2026, 10, 24, 23), utc(2026, 10, 26, 0)),
    ("2026-03", "Europe/London", utc(2026, 3, 1, 0), utc(2026, 3, 31, 23)),
    # New York springs forward on 2026-03-08 and falls back on 2026-11-01.
    ("2026-03-08", "America/New_York", utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)),
    ("2026-11-01", "America/New_York", utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)),
    ("2026", "America/New_York", utc(2026, 1, 1, 5), utc(2027, 1, 1, 5)),
    ("2026-03", "UTC", utc(2026, 3, 1), utc(2026, 4, 1)),
])
def test_utc_bounds_are_the_local_midnights(text: str, timezone: str, start: datetime,
                                            end: datetime) -> None:
    assert utc_bounds(parse_period(text, TODAY), timezone) == (start, end)


def test_a_skipped_midnight_starts_the_day_at_its_first_instant() -> None:
    # Santiago moved its clocks from 00:00 to 01:00 on 2024-09-08: that day began at 04:00 UTC.
    start, _ = utc_bounds(parse_period("2024-09-08", TODAY), "America/Santiago")
    assert start == utc(2024, 9, 8, 4)


def test_consecutive_buckets_share_their_bounds_across_a_clock_change() -> None:
    days = buckets(parse_period("2026-03", TODAY), "day")
    bounds = [utc_bounds(day, "Europe/London") for day in days]
    assert all(left[1] == right[0] for left, right in pairwise(bounds))
    assert bounds[28][1] - bounds[28][0] == utc(2026, 1, 1, 23) - utc(2026, 1, 1, 0)


def test_today_in_a_timezone_is_the_local_date() -> None:
    late_evening_in_new_york = utc(2026, 3, 5, 3, 30)
    assert today_in("America/New_York", late_evening_in_new_york) == date(2026, 3, 4)
    assert today_in("UTC", late_evening_in_new_york) == date(2026, 3, 5)
