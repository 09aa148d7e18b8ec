import pytest

from oms_cli.output import guard_formula


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "\n", "\0"])
def test_text_starting_with_a_formula_trigger_gets_a_leading_quote(trigger: str) -> None:
    assert guard_formula(f"{trigger}SUM(A1:A9)") == f"'{trigger}SUM(A1:A9)"


@pytest.mark.parametrize("text", ["WIDGET-1", "a=b", " =x", "#1001", "'quoted", "Köln"])
def test_text_not_starting_with_a_trigger_is_unchanged(text: str) -> None:
    assert guard_formula(text) == text


def test_the_empty_string_is_unchanged() -> None:
    assert guard_formula("") == ""
