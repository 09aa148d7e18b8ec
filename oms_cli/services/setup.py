"""Setting a database up from the config."""

from __future__ import annotations

from oms_cli.config import Config
from oms_cli.services.locations import LocationChanges, ensure_locations
from oms_cli.store.database import Database


def create_configured_locations(db: Database, config: Config) -> list[str]:
    """Create each location the config lists that the database lacks; returns their codes."""
    wanted = [
        (loc.code, LocationChanges(name=loc.name, kind=loc.kind, priority=loc.priority,
                                   country=loc.country, region=loc.region,
                                   ships_to=list(loc.ships_to), active=loc.active))
        for loc in config.locations
    ]
    with db.write() as session:
        return ensure_locations(session, wanted)
