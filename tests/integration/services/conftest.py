"""A small shop to run the services against: two locations and a few products."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from runners import WriteFile
from small_shop import location, product

from oms_cli.store.database import Database


@pytest.fixture
def shop(db: Database) -> Database:
    """Locations `main` and `annex`; products MUG (safety stock 1), TEA, and KIT (MUG + TEA)."""
    location(db, "main", priority=10, country="US")
    location(db, "annex", priority=20, country="US")
    product(db, "MUG", name="Stoneware Mug", price=Decimal("14.00"), reorder_point=5,
            safety_stock=1)
    product(db, "TEA", name="Earl Grey", price=Decimal("9.50"))
    product(db, "KIT", name="Tea Kit", components={"MUG": 1, "TEA": 2})
    return db


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write ``lines`` (or raw ``data`` bytes) to a file in the test's folder; returns its path."""

    def write(name: str, *lines: str, data: bytes | None = None) -> Path:
        path = tmp_path / name
        if data is None:
            path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    return write
