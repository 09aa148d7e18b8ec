"""Countries, postcodes and phones as channels (and Excel) write them."""

from __future__ import annotations

import pytest

from oms_cli.channels.places import address, country_code, postcode, strip_apostrophe


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("United States", "US"), ("USA", "US"), ("United Kingdom", "GB"), ("UK", "GB"),
        ("uk", "GB"), ("Great Britain", "GB"), ("Canada", "CA"), ("Australia", "AU"),
        ("Germany", "DE"), ("Deutschland", "DE"), ("France", "FR"), ("India", "IN"),
        ("Italy", "IT"), ("Spain", "ES"), ("The Netherlands", "NL"), ("Ireland", "IE"),
        ("New Zealand", "NZ"), ("Japan", "JP"), ("  united   states ", "US"), ("de", "DE"),
    ],
)
def test_country_names_and_codes_become_iso_codes(text: str, code: str) -> None:
    assert country_code(text) == code


def test_an_unknown_country_name_is_kept_as_written() -> None:
    assert country_code("Atlantis") == "Atlantis"
    assert country_code(None) is None


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("2482", "US", "02482"),
        ("'02134", "US", "02134"),
        ("501", "US", "00501"),
        ("2482-1234", "US", "02482-1234"),
        ("93650-1234", "US", "93650-1234"),
        ("1067", "DE", "01067"),
        ("2000", "AU", "2000"),
        ("'560029", "IN", "560029"),
        ("SW1A 1AA", "GB", "SW1A 1AA"),
        ("12", "US", "12"),
    ],
)
def test_postcodes_lose_excels_apostrophe_and_get_their_zeros_back(
    text: str, country: str, expected: str
) -> None:
    assert postcode(text, country) == expected


def test_one_leading_apostrophe_is_stripped_from_phones() -> None:
    assert strip_apostrophe("'+351 912 345 678") == "+351 912 345 678"
    assert strip_apostrophe("'") is None


def test_an_address_cleans_country_postcode_and_phone_together() -> None:
    built = address(line1="12 Elm St", city="Boston", postcode_text="2134",
                    country="United States", phone_text="'617 555 0100")
    assert (built.country, built.postcode, built.phone) == ("US", "02134", "617 555 0100")
    assert built.is_shippable()
