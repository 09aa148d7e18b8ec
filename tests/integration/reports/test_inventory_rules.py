"""The inventory report's arithmetic: days of cover and the suggested reorder, exactly."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from oms_cli.reports.inventory import days_of_cover, suggested_reorder


def reorder(**changes: int | bool) -> int:
    settings = {"units_shipped": 30, "days": 30, "lead_time_days": 10, "cover_days": 20,
                "safety_stock": 0, "free": 0, "below_reorder_point": False, "reorder_qty": 0}
    return suggested_reorder(**{**settings, **changes})


def test_one_a_day_for_thirty_days_of_lead_time_and_cover():
    assert reorder() == 30
    assert reorder(free=12) == 18
    assert reorder(free=12, safety_stock=5) == 23


def test_a_fraction_of_a_unit_is_rounded_up():
    assert reorder(units_shipped=1, days=30, lead_time_days=0, cover_days=1) == 1


def test_enough_stock_means_nothing_to_order_unless_below_the_reorder_point():
    assert reorder(free=100) == 0
    assert reorder(free=100, below_reorder_point=True, reorder_qty=12) == 12
    assert reorder(below_reorder_point=True, reorder_qty=12) == 30


def test_days_of_cover():
    assert days_of_cover(10, 30, 30) == Decimal("10.0")
    assert days_of_cover(1, 3, 7) == Decimal("2.3")
    assert days_of_cover(5, 0, 30) is None
    assert days_of_cover(0, 4, 30) == Decimal("0.0")


@given(shipped=st.integers(0, 10_000), days=st.integers(1, 365), lead=st.integers(0, 120),
       cover=st.integers(1, 120), safety=st.integers(0, 500), free=st.integers(0, 20_000),
       below=st.booleans(), minimum=st.integers(0, 500))
def test_the_reorder_is_the_least_whole_number_reaching_the_target(shipped, days, lead, cover,
                                                                   safety, free, below,
                                                                   minimum):
    quantity = suggested_reorder(units_shipped=shipped, days=days, lead_time_days=lead,
                                 cover_days=cover, safety_stock=safety, free=free,
                                 below_reorder_point=below, reorder_qty=minimum)
    target = Fraction(shipped, days) * (lead + cover) + safety

    assert quantity >= 0
    assert free + quantity >= target
    if below:
        assert quantity >= minimum
    if quantity > (minimum if below else 0):
        assert free + quantity - 1 < target
