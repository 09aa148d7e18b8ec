"""Write a new migration from the difference between the models and the last revision.

Usage: ``python -m oms_cli.store.migrations "add carrier service"``. It builds a
scratch SQLite database at the current head by running every migration, then asks
alembic to compare it with ``store/tables.py``.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from oms_cli.store.schema import REVISIONS


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(Path(__file__).parent))
            config.attributes["connection"] = connection
            if REVISIONS:
                command.upgrade(config, "head")
            slug = message.lower().replace(" ", "_")[:40]
            command.revision(config, message=message, autogenerate=True,
                             rev_id=f"{len(REVISIONS) + 1:04d}_{slug}")


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "change")
