"""Whatever bytes arrive, reading them ends in orders, rejects, or one of two clean errors."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oms_cli.channels import FORMATS, ParseOptions, open_export
from oms_cli.domain.orders import ParsedOrder, RejectedRecord
from oms_cli.errors import InvalidInput, NotAnExport

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels"
FIXTURE_FILES = sorted(path for path in FIXTURES.rglob("*")
                       if path.is_file() and path.name != "README.md")
OPTIONS = ParseOptions(
    column_map={"external_id": "Order Ref", "placed_at": "Date", "sku": "Item Code",
                "quantity": "Qty", "unit_price": "Each"},
)


def read_all(data: bytes, format_name: str | None = None) -> None:
    """Parse ``data`` to the end; only NotAnExport and InvalidInput may escape."""
    try:
        _, records = open_export(io.BytesIO(data), "fuzz", format_name=format_name,
                                 options=OPTIONS)
        for record in records:
            assert isinstance(record, ParsedOrder | RejectedRecord)
    except (NotAnExport, InvalidInput):
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise_anything_but_clean_errors(data: bytes) -> None:
    read_all(data)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(FIXTURE_FILES),
    st.floats(min_value=0, max_value=1),
    st.sampled_from([None, *(fmt.name for fmt in FORMATS)]),
)
def test_truncated_or_misread_exports_never_raise_anything_but_clean_errors(
    path: Path, keep: float, format_name: str | None
) -> None:
    data = path.read_bytes()
    read_all(data[: int(len(data) * keep)], format_name)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(FIXTURE_FILES),
    st.integers(min_value=0, max_value=10_000),
    st.binary(min_size=1, max_size=8),
)
def test_corrupted_exports_never_raise_anything_but_clean_errors(
    path: Path, position: int, garbage: bytes
) -> None:
    data = path.read_bytes()
    at = position % (len(data) + 1)
    read_all(data[:at] + garbage + data[at + len(garbage):])


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(',\t;"\n\r{}[]:0123456789.-abAB \'#$£')),
               max_size=400))
def test_csv_and_json_like_text_never_raise_anything_but_clean_errors(text: str) -> None:
    for header in ("Name,Lineitem quantity,Lineitem name,Created at\n",
                   "amazon-order-id\tquantity\tpurchase-date\n",
                   '{"orders": [{"line_items": [], "total_price": '):
        read_all((header + text).encode())
