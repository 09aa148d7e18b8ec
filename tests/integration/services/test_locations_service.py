"""Locations: adding, changing, listing and importing the places stock is kept."""

from __future__ import annotations

import pytest
from runners import WriteFile
from small_shop import location

from oms_cli.errors import Conflict, InvalidInput, NotFound
from oms_cli.services.locations import (
    LocationChanges,
    add_location,
    import_locations,
    list_locations,
    update_location,
)
from oms_cli.store.database import Database


def codes(db: Database) -> list[str]:
    return [row["code"] for row in list_locations(db)]


def test_a_location_gets_sensible_defaults(db: Database) -> None:
    row = add_location(db, "main", LocationChanges())
    assert row == {"code": "main", "name": "main", "kind": "warehouse", "priority": 100,
                   "country": None, "region": None, "ships_to": "", "active": True}


def test_country_codes_are_normalised(db: Database) -> None:
    row = add_location(db, "uk", LocationChanges(country=" uk ", ships_to=["gb", " ie", ""]))
    assert (row["country"], row["ships_to"]) == ("GB", "GB,IE")


def test_a_location_ships_to_its_own_country_unless_told_more(db: Database) -> None:
    assert add_location(db, "main", LocationChanges(country="US"))["ships_to"] == "US"


@pytest.mark.parametrize("country", ["USA", "1A", "U"])
def test_a_country_must_be_a_two_letter_iso_code(db: Database, country: str) -> None:
    with pytest.raises(InvalidInput, match="two-letter ISO code"):
        add_location(db, "main", LocationChanges(country=country))
    assert codes(db) == []


def test_a_bad_country_in_ships_to_is_refused(db: Database) -> None:
    with pytest.raises(InvalidInput, match="'GERMANY'"):
        add_location(db, "main", LocationChanges(ships_to=["US", "Germany"]))


def test_an_unknown_kind_is_refused_with_the_choices(db: Database) -> None:
    with pytest.raises(InvalidInput, match="one of warehouse, store, 3pl, dropship"):
        add_location(db, "main", LocationChanges(kind="garage"))


@pytest.mark.parametrize("code", ["", "two words", "-dash", "x" * 41, "a/b"])
def test_a_code_is_short_and_plain(db: Database, code: str) -> None:
    with pytest.raises(InvalidInput, match="location code"):
        add_location(db, code, LocationChanges())


def test_a_second_location_with_the_same_code_is_a_conflict(db: Database) -> None:
    location(db, "main")
    with pytest.raises(Conflict, match="location 'main' already exists"):
        location(db, "main")


def test_locations_are_listed_in_shipping_order(db: Database) -> None:
    location(db, "b", priority=5)
    location(db, "a", priority=5)
    location(db, "first", priority=1)
    assert codes(db) == ["first", "a", "b"]


def test_an_update_changes_only_the_fields_given(db: Database) -> None:
    location(db, "main", name="Main", priority=10, country="US")
    row = update_location(db, "main", LocationChanges(priority=1, active=False))
    assert (row["name"], row["priority"], row["country"], row["active"]) == ("Main", 1, "US",
                                                                             False)


def test_an_update_of_an_unknown_location_names_the_known_ones(db: Database) -> None:
    location(db, "main")
    with pytest.raises(NotFound, match=r"unknown location 'nope' \(known: main\)"):
        update_location(db, "nope", LocationChanges(priority=1))


def test_a_refused_update_changes_nothing(db: Database) -> None:
    location(db, "main", kind="store")
    with pytest.raises(InvalidInput):
        update_location(db, "main", LocationChanges(name="New", country="Nowhere"))
    assert list_locations(db)[0]["name"] == "main"


def test_a_dry_run_stores_nothing(db: Database) -> None:
    add_location(db, "main", LocationChanges(), dry_run=True)
    assert codes(db) == []


def test_an_import_creates_and_updates(db: Database, write_file: WriteFile) -> None:
    location(db, "main")
    path = write_file("l.csv", "code,name,kind,priority,country,ships_to",
                      "main,Main room,warehouse,10,US,US;CA", "shop,Shop,store,30,us,")
    assert import_locations(db, path) == (1, 1)
    assert [(r["code"], r["name"], r["ships_to"]) for r in list_locations(db)] == [
        ("main", "Main room", "US,CA"), ("shop", "Shop", "US")]


def test_an_import_with_a_bad_row_names_it_and_stores_nothing(db: Database,
                                                              write_file: WriteFile) -> None:
    path = write_file("l.csv", "code,kind,country", "main,warehouse,US", "shop,store,US",
                      "van,car,US")
    with pytest.raises(InvalidInput, match=r"l.csv:4: kind 'car'"):
        import_locations(db, path)
    assert codes(db) == []


def test_an_import_with_a_bad_priority_names_the_line(db: Database,
                                                      write_file: WriteFile) -> None:
    path = write_file("l.csv", "code,priority", "main,first")
    with pytest.raises(InvalidInput, match=r"l.csv:2: priority: 'first'"):
        import_locations(db, path)


def test_an_import_needs_a_code_column(db: Database, write_file: WriteFile) -> None:
    with pytest.raises(InvalidInput, match=r"l.csv:1: missing column code"):
        import_locations(db, write_file("l.csv", "name", "Main"))
