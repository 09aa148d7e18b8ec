"""Stock rules on plain values: levels, movements, counts and typed quantities."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms_cli.domain.stock import (
    CountResult,
    StockLevel,
    count_to,
    parse_quantity,
    require_count,
    require_positive,
)
from oms_cli.errors import Conflict, InvalidInput

levels = st.builds(
    lambda on_hand, reserved_share, damaged_share: StockLevel(
        on_hand, reserved_share * on_hand // 100,
        min(damaged_share * on_hand // 100, on_hand - reserved_share * on_hand // 100)),
    st.integers(0, 500), st.integers(0, 100), st.integers(0, 100),
)


def test_a_receipt_adds_to_on_hand() -> None:
    assert StockLevel(5).moved(3) == StockLevel(8)


def test_removing_more_than_is_on_hand_is_refused_and_says_how_many_there_are() -> None:
    with pytest.raises(Conflict, match="only 2 on hand, cannot remove 3"):
        StockLevel(2).moved(-3, what="A at main")


def test_the_refusal_names_what_was_moved() -> None:
    with pytest.raises(Conflict, match=r"^A at main: "):
        StockLevel(2).moved(-3, what="A at main")


def test_reserved_units_cannot_be_taken() -> None:
    with pytest.raises(Conflict, match=r"only 2 units are free \(3 reserved for orders, 0 dama"):
        StockLevel(5, reserved=3).moved(-3)


def test_damaged_units_cannot_be_taken_as_free_ones() -> None:
    with pytest.raises(Conflict, match="1 damaged"):
        StockLevel(5, damaged=1).moved(0, damaged=5)


def test_more_damaged_units_cannot_be_written_off_than_there_are() -> None:
    with pytest.raises(Conflict, match="only 1 damaged, cannot remove 2"):
        StockLevel(5, damaged=1).moved(-2, damaged=-2)


def test_writing_off_damaged_units_lowers_on_hand_and_damaged_together() -> None:
    assert StockLevel(5, damaged=2).moved(-2, damaged=-2) == StockLevel(3, 0, 0)


def test_a_refused_movement_leaves_the_level_as_it_was() -> None:
    level = StockLevel(4, reserved=1, damaged=1)
    with pytest.raises(Conflict):
        level.moved(-3)
    assert level == StockLevel(4, 1, 1)


def test_available_takes_off_reserved_damaged_and_safety_stock() -> None:
    assert StockLevel(10, reserved=3, damaged=2).available(safety_stock=1) == 4


def test_safety_stock_larger_than_free_units_leaves_nothing_available_not_less() -> None:
    assert StockLevel(3).available(safety_stock=5) == 0


@given(levels, st.integers(0, 1000))
def test_available_is_never_negative_and_never_more_than_free(level: StockLevel,
                                                               safety: int) -> None:
    assert 0 <= level.available(safety) <= max(level.free, 0)


@given(levels, st.integers(-600, 600), st.integers(-600, 600))
def test_a_movement_either_keeps_the_books_whole_or_is_refused(level: StockLevel, quantity: int,
                                                                damaged: int) -> None:
    try:
        after = level.moved(quantity, damaged)
    except Conflict:
        return
    assert after.on_hand == level.on_hand + quantity
    assert after.damaged == level.damaged + damaged
    assert after.on_hand >= 0 and after.damaged >= 0 and after.free >= 0


def test_a_count_sets_on_hand_to_what_was_counted() -> None:
    assert count_to(StockLevel(10), 7) == CountResult(quantity=-3, damaged=0, release=0)


def test_a_count_that_confirms_the_level_changes_nothing() -> None:
    assert count_to(StockLevel(4, 1, 1), 4) == CountResult(0, 0, 0)


def test_a_count_below_the_damaged_units_clamps_them_to_what_is_there() -> None:
    assert count_to(StockLevel(10, damaged=5), 3) == CountResult(quantity=-7, damaged=-2,
                                                                 release=0)


def test_a_count_below_the_reserved_units_says_how_many_reservations_to_release() -> None:
    assert count_to(StockLevel(10, reserved=6), 4).release == 2


def test_the_release_counts_damaged_units_as_not_shippable() -> None:
    # 5 counted, 2 of them damaged: 3 can ship, so 1 of 4 reservations must go.
    assert count_to(StockLevel(10, reserved=4, damaged=2), 5).release == 1


def test_a_count_of_zero_releases_every_reservation_and_clears_damaged() -> None:
    assert count_to(StockLevel(6, reserved=2, damaged=1), 0) == CountResult(-6, -1, 2)


@pytest.mark.parametrize("counted", [-1, 1.5, True, "3"])
def test_a_count_must_be_a_whole_number_zero_or_more(counted: object) -> None:
    with pytest.raises(InvalidInput):
        count_to(StockLevel(), counted)  # type: ignore[arg-type]


@given(levels, st.integers(0, 1000))
def test_a_count_applied_with_its_release_leaves_a_sound_level(level: StockLevel,
                                                                counted: int) -> None:
    result = count_to(level, counted)
    released = StockLevel(level.on_hand, level.reserved - result.release, level.damaged)
    after = released.moved(result.quantity, result.damaged)
    assert after.on_hand == counted
    assert after.free >= 0
    assert result.release <= level.reserved


@pytest.mark.parametrize("value", [0, -1, True, 2.0, None])
def test_require_positive_refuses_anything_but_a_whole_number_above_zero(value: object) -> None:
    with pytest.raises(InvalidInput, match="above zero"):
        require_positive(value)  # type: ignore[arg-type]


def test_require_count_accepts_zero() -> None:
    assert require_count(0) == 0


@pytest.mark.parametrize(("text", "expected"), [("12", 12), (" 7 ", 7), ("1_000", 1000)])
def test_a_quantity_is_parsed_as_typed(text: str, expected: int) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["", "x", "1.5", "1e3", "+3", "-3", "0", " ", "3 units"])
def test_an_unsigned_quantity_refuses_signs_fractions_zero_and_words(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_quantity(text)


def test_zero_is_a_quantity_only_when_allowed() -> None:
    assert parse_quantity("0", allow_zero=True) == 0


@pytest.mark.parametrize(("text", "expected"), [("+3", 3), ("-2", -2), ("5", 5)])
def test_a_signed_quantity_takes_either_sign(text: str, expected: int) -> None:
    assert parse_quantity(text, signed=True) == expected


def test_a_signed_quantity_must_not_be_zero() -> None:
    with pytest.raises(InvalidInput, match="must not be zero"):
        parse_quantity("+0", signed=True)


def test_a_refused_quantity_names_the_field_and_the_text() -> None:
    with pytest.raises(InvalidInput, match="on_hand: 'lots' is not a whole number"):
        parse_quantity("lots", "on_hand")


@pytest.mark.parametrize("text", ["²", "3²", "½", "Ⅻ"])
def test_characters_that_only_look_like_digits_are_refused_not_a_crash(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a whole number"):
        parse_quantity(text)


@pytest.mark.parametrize(("text", "expected"), [("١٢", 12), ("１２", 12)])
def test_decimal_digits_of_other_scripts_are_read(text: str, expected: int) -> None:
    assert parse_quantity(text) == expected
