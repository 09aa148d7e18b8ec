"""Bytes to lines: encodings, line endings, binary content, Excel's mojibake."""

from __future__ import annotations

import io

import pytest

from oms_cli.channels.text import MAX_LINE_BYTES, repair_mojibake, replay, text_lines
from oms_cli.errors import NotAnExport


def lines_of(data: bytes) -> list[tuple[str, bool]]:
    return list(text_lines(io.BytesIO(data)))


def test_a_utf8_bom_is_dropped_and_crlf_lf_and_cr_all_end_lines() -> None:
    assert lines_of(b"\xef\xbb\xbfa,b\r\nc\nd\re") == [
        ("a,b", True), ("c", True), ("d", True), ("e", False)
    ]


def test_a_crlf_split_across_read_blocks_is_one_line_ending() -> None:
    data = b"x" * (64 * 1024 - 1) + b"\r\nnext\n"
    assert [text for text, _ in lines_of(data)] == ["x" * (64 * 1024 - 1), "next"]


def test_a_line_that_is_not_utf8_is_read_as_cp1252() -> None:
    assert lines_of("Café – £5\n".encode("cp1252")) == [("Café – £5", True)]


def test_utf16_with_a_bom_is_read_like_any_other_text() -> None:
    assert lines_of("a\tb\r\nMontréal\r\n".encode("utf-16")) == [("a\tb", True), ("Montréal", True)]


def test_a_nul_byte_stops_the_read_naming_the_line() -> None:
    with pytest.raises(NotAnExport, match=r"line 3: binary content \(byte 0x00\)"):
        lines_of(b"a\nb\nc\x00d\n")


def test_a_line_longer_than_the_limit_is_not_text() -> None:
    with pytest.raises(NotAnExport, match="line 2 is longer than 1 MiB"):
        lines_of(b"header\n" + b"x" * (MAX_LINE_BYTES + 10))


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("MontrÃ©al", "Montréal"),
        ("â‚¬5", "€5"),
        ("ZoÃ« BrontÃ«", "Zoë Brontë"),
        ("MontrÃƒÂ©al", "Montréal"),  # damaged twice
    ],
)
def test_utf8_read_as_cp1252_and_saved_again_is_repaired(damaged: str, repaired: str) -> None:
    assert repair_mojibake(damaged) == repaired


@pytest.mark.parametrize("text", ["Café", "Straße", "plain", "Ãx", "日本"])
def test_correct_text_is_left_alone(text: str) -> None:
    assert repair_mojibake(text) == text


def test_replay_gives_back_the_head_then_the_rest() -> None:
    rest = io.BytesIO(b"0123456789")
    head = rest.read(4)
    assert replay(head, rest).read() == b"0123456789"
