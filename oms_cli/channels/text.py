"""Turning an export's bytes into lines of text, one physical line at a time.

Exports arrive as UTF-8 with or without a BOM, as cp1252 from older Windows tools,
as UTF-16 after Excel's "Unicode Text", with LF, CRLF or a bare CR. Reading is
streamed in blocks, so memory stays flat however large the file. Bytes that are not
text (NUL and other control characters) stop the read with an error naming the line.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from oms_cli.errors import NotAnExport

BLOCK_BYTES = 64 * 1024
MAX_LINE_BYTES = 1024 * 1024

_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Characters a UTF-8 lead byte turns into when the bytes are misread as cp1252.
# cp1252 differs from Latin-1 only in 0x80-0x9F; its five gaps keep their Latin-1 meaning.
_CP1252 = {
    byte: bytes([byte]).decode("cp1252")
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_MOJIBAKE_HINT = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178"
                            r"\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")


class ReplayStream(io.RawIOBase):
    """A binary stream that gives back ``head`` (already read, to detect the format) first."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        if self._head:
            data, self._head = self._head[:size], self._head[size:]
        else:
            data = self._rest.read(size) or b""
        buffer[: len(data)] = data
        return len(data)


def replay(head: bytes, rest: BinaryIO) -> BinaryIO:
    """A buffered stream reading ``head`` and then the rest of ``rest``."""
    return io.BufferedReader(ReplayStream(head, rest))


def text_lines(stream: BinaryIO) -> Iterator[tuple[str, bool]]:
    """Each physical line of ``stream`` as ``(text, terminated)``, without its line ending.

    ``terminated`` is False only for a last line that ends without a newline, which
    tells a truncated file apart. Raises NotAnExport for binary content, naming the line.
    """
    head = stream.read(4) or b""
    blocks = _blocks(head, stream)
    if head.startswith(_UTF16_BOMS):
        blocks = _utf16_as_utf8(blocks)
    number = 0
    for lines, terminated in _split_lines(blocks):
        if number == 0 and lines:
            lines[0] = lines[0].removeprefix(_UTF8_BOM)
        for raw in lines:
            number += 1
            yield decode_line(raw, number), terminated


def decode_line(raw: bytes, number: int) -> str:
    """One line's bytes as text: UTF-8 when valid, else cp1252 (then Latin-1 for its gaps)."""
    # Control bytes are the same in UTF-8, cp1252 and Latin-1, so the bytes can be checked
    # before decoding; deleting them is much faster than a regex search of every line.
    if len(raw.translate(None, _CONTROL_BYTES)) != len(raw):
        code = next(byte for byte in raw if byte in _CONTROL_BYTES)
        raise NotAnExport(f"line {number}: binary content (byte 0x{code:02x}): not a text export")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1").translate(_CP1252)


def printable(text: str) -> str:
    """``text`` with every character that is not printable (a control character, or one
    ``str.splitlines`` breaks at such as NEL or U+2028) written as its escape: a value
    quoted in a message keeps the message on one line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as cp1252 and saved again (``MontrÃ©al`` -> ``Montréal``).

    Only a text that re-encodes to valid UTF-8 is changed, so correct accented text
    (``Café``) is left alone. Applied twice at most, for files damaged twice.
    """
    for _ in range(2):
        if text.isascii() or not _MOJIBAKE_HINT.search(text):
            return text
        repaired = _undo_cp1252(text)
        if repaired is None:
            return text
        text = repaired
    return text


def _undo_cp1252(text: str) -> str | None:
    encoded = bytearray()
    for char in text:
        try:
            encoded += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            encoded.append(ord(char))
    try:
        return encoded.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _blocks(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    if head:
        yield head
    while block := stream.read(BLOCK_BYTES):
        yield block


def _utf16_as_utf8(blocks: Iterable[bytes]) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder("utf-16")()
    try:
        for block in blocks:
            yield decoder.decode(block).encode("utf-8")
        yield decoder.decode(b"", final=True).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotAnExport(f"not valid UTF-16 text ({exc.reason})") from exc


def _split_lines(blocks: Iterable[bytes]) -> Iterator[tuple[list[bytes], bool]]:
    """The physical lines of each block that end in it (``True``); last, an unterminated one.

    Only CR, LF and CRLF end a line: ``bytes.splitlines`` breaks at nothing else.
    """
    pending = b""
    count = 0
    for block in blocks:
        pending += block
        # A CR at the end of a block may be the first half of a CRLF: keep it for later.
        cut = len(pending) - 1 if pending.endswith(b"\r") else len(pending)
        complete = pending[:cut]
        lines = complete.splitlines()
        ends_a_line = complete.endswith((b"\n", b"\r"))
        tail = b"" if ends_a_line or not lines else lines.pop()
        pending = tail + pending[cut:]
        count += len(lines)
        yield lines, True
        if len(pending) > MAX_LINE_BYTES:
            raise NotAnExport(f"line {count + 1} is longer than 1 MiB: not a text export")
    if pending.endswith(b"\r"):
        yield [pending[:-1]], True
    elif pending:
        yield [pending], False
