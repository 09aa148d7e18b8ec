"""Channel exports: recognise a file's format and read it into domain orders.

The registry is explicit: :data:`FORMATS` lists every format, in the order
detection tries them. A new channel is one module with a ``FORMAT`` plus a line
here. Parsing is pure: no database, no printing; bad records come back as
:class:`~oms_cli.domain.orders.RejectedRecord` values beside the orders.

Typical use by the import service::

    fmt, records = open_export(stream, filename, options=ParseOptions(timezone=tz))
    for record in records:  # ParsedOrder | RejectedRecord, streamed
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from oms_cli.channels import (
    amazon,
    custom,
    ebay,
    etsy,
    shopify_csv,
    shopify_json,
    woocommerce_csv,
    woocommerce_json,
)
from oms_cli.channels.base import ChannelFormat, Head, Parsed, ParseOptions
from oms_cli.channels.text import replay
from oms_cli.errors import InvalidInput, NotAnExport

__all__ = [
    "FORMATS",
    "HEAD_BYTES",
    "ChannelFormat",
    "ParseOptions",
    "Parsed",
    "detect",
    "get_format",
    "open_export",
]

# Enough for any header line and the opening of a JSON document.
HEAD_BYTES = 64 * 1024

FORMATS: tuple[ChannelFormat, ...] = (
    shopify_csv.FORMAT,
    shopify_json.FORMAT,
    amazon.FORMAT,
    etsy.ORDERS_FORMAT,
    etsy.ITEMS_FORMAT,
    woocommerce_json.FORMAT,
    woocommerce_csv.FORMAT,
    ebay.FORMAT,
    custom.FORMAT,
)


def get_format(name: str) -> ChannelFormat:
    """The format called ``name`` (``--format``); raises InvalidInput listing the known ones."""
    for channel_format in FORMATS:
        if channel_format.name == name:
            return channel_format
    known = ", ".join(channel_format.name for channel_format in FORMATS)
    raise InvalidInput(f"unknown format {name!r}; known formats: {known}")


def detect(
    head: bytes, filename: str | None = None, *, options: ParseOptions | None = None
) -> ChannelFormat:
    """The format of a file, from its first bytes (up to :data:`HEAD_BYTES`).

    With ``options`` carrying a column map, a file no built-in format claims is read
    as ``custom`` when the map fits it. Raises NotAnExport for an empty or binary
    file, or one no format recognises (the message names the formats tried).
    """
    where = filename or None
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise NotAnExport("the file is empty", where=where)
    try:
        seen = Head.of(head, filename)
    except NotAnExport as exc:
        raise NotAnExport(exc.message, where=where) from exc
    for channel_format in FORMATS:
        if channel_format.detects(seen):
            return channel_format
    if options is not None and custom.matches(seen, options):
        return custom.FORMAT
    raise NotAnExport(_unrecognised(seen), where=where)


def open_export(
    stream: BinaryIO,
    filename: str | None = None,
    *,
    format_name: str | None = None,
    options: ParseOptions | None = None,
) -> tuple[ChannelFormat, Iterator[Parsed]]:
    """Detect (or take ``format_name``) and start reading ``stream``.

    Returns the format and a lazy iterator of ParsedOrder and RejectedRecord values.
    Detection errors are raised here; NotAnExport or InvalidInput can also be raised
    while iterating, when the file turns out unreadable further on.
    """
    options = options or ParseOptions()
    head = stream.read(HEAD_BYTES) or b""
    if format_name is not None:
        channel_format = get_format(format_name)
    else:
        channel_format = detect(head, filename, options=options)
    return channel_format, channel_format.parse(replay(head, stream), options)


def _unrecognised(head: Head) -> str:
    tried = ", ".join(fmt.name for fmt in FORMATS if fmt is not custom.FORMAT)
    if head.is_json:
        shape = "JSON of an unknown shape"
    else:
        shown = ", ".join(name.strip() for name in head.names[:8])
        shape = f"unknown columns ({shown}{', ...' if len(head.names) > 8 else ''})"
    return (
        f"not an export oms recognises: {shape}; tried {tried}. "
        "Use --format, or map the columns in the config (custom format)."
    )
