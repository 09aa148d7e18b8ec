"""Reading fixture and sample exports in tests: one call gives the orders and the rejects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from oms_cli.channels import ChannelFormat, ParseOptions, open_export
from oms_cli.domain.orders import ParsedOrder, RejectedRecord

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels"
SAMPLES = (Path(__file__).resolve().parents[3] / ".." / "shared" / "samples").resolve()


@dataclass
class Export:
    format: ChannelFormat
    orders: list[ParsedOrder] = field(default_factory=list)
    rejects: list[RejectedRecord] = field(default_factory=list)

    def order(self, external_id: str) -> ParsedOrder:
        (found,) = [order for order in self.orders if order.external_id == external_id]
        return found

    def reject(self, line: int) -> RejectedRecord:
        (found,) = [reject for reject in self.rejects if reject.line == line]
        return found


def read_export(path: Path, *, format_name: str | None = None, **options: object) -> Export:
    """Detect (or take ``format_name``) and read the whole file."""
    with path.open("rb") as stream:
        chosen, records = open_export(stream, path.name, format_name=format_name,
                                      options=ParseOptions(**options))  # type: ignore[arg-type]
        export = Export(chosen)
        for record in records:
            if isinstance(record, ParsedOrder):
                export.orders.append(record)
            else:
                export.rejects.append(record)
    return export


def fixture(relative: str) -> Path:
    return FIXTURES / relative


def sample(name: str) -> Path:
    """A real export from ../shared/samples; the test is skipped when the folder is absent."""
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"real sample {name} not available (../shared/samples)")
    return path
