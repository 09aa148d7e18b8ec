"""Addresses as channels write them: country names, postcodes and phones cleaned up.

Excel damages these the most: it drops the leading zeros of US zip codes
(``02482`` -> ``2482``), so exporters prefix them with ``'`` (``'560029``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from oms_cli.domain.orders import Address

_COUNTRY_CODES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.a.": "US",
    "u.s.": "US", "america": "US",
    "united kingdom": "GB", "uk": "GB", "u.k.": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "britain": "GB",
    "canada": "CA", "australia": "AU", "germany": "DE", "deutschland": "DE",
    "france": "FR", "india": "IN", "italy": "IT", "italia": "IT", "spain": "ES", "españa": "ES",
    "netherlands": "NL", "the netherlands": "NL", "holland": "NL", "nederland": "NL",
    "ireland": "IE", "republic of ireland": "IE", "new zealand": "NZ", "japan": "JP",
    "brazil": "BR", "brasil": "BR", "mexico": "MX", "méxico": "MX", "belgium": "BE",
    "austria": "AT", "österreich": "AT", "switzerland": "CH", "schweiz": "CH", "sweden": "SE",
    "norway": "NO", "denmark": "DK", "finland": "FI", "poland": "PL", "portugal": "PT",
    "greece": "GR", "czech republic": "CZ", "czechia": "CZ", "singapore": "SG",
    "hong kong": "HK", "china": "CN", "south korea": "KR", "korea, republic of": "KR",
    "taiwan": "TW", "israel": "IL", "south africa": "ZA", "united arab emirates": "AE",
    "luxembourg": "LU", "puerto rico": "PR",
}

# Countries whose postcodes are all digits of a fixed length, so lost zeros can be restored.
_POSTCODE_DIGITS = {"US": 5, "PR": 5, "DE": 5, "FR": 5, "IT": 5, "ES": 5}
_ZIP = re.compile(r"(\d{1,5})(-\d{4})?")


# Cached, as the two below: a file names the same countries and postcodes again and again.
@lru_cache(maxsize=1024)
def country_code(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country code or name; unknown names are kept as given."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    if len(cleaned) == 2 and cleaned.isalpha():
        code = cleaned.upper()
        return "GB" if code == "UK" else code
    return _COUNTRY_CODES.get(cleaned.lower(), cleaned)


@lru_cache(maxsize=4096)
def postcode(text: str | None, country: str | None) -> str | None:
    """A postcode without Excel's leading ``'``, with the zeros Excel dropped put back.

    Only all-digit postcodes of countries whose codes have a fixed length are padded
    (``2482`` in the US is ``02482``); anything else is kept as written.
    """
    cleaned = strip_apostrophe(text)
    length = _POSTCODE_DIGITS.get(country or "")
    if cleaned is None or length is None:
        return cleaned
    match = _ZIP.fullmatch(cleaned)
    if match is None or len(match.group(1)) < 3:
        return cleaned
    return match.group(1).zfill(length) + (match.group(2) or "")


def phone(text: str | None) -> str | None:
    return strip_apostrophe(text)


def strip_apostrophe(text: str | None) -> str | None:
    """``'560029`` -> ``560029``: the one leading apostrophe Excel users add to keep zeros."""
    if text is None:
        return None
    cleaned = text[1:].strip() if text.startswith("'") else text
    return cleaned or None


def address(
    *,
    name: str | None = None,
    company: str | None = None,
    line1: str | None = None,
    line2: str | None = None,
    city: str | None = None,
    region: str | None = None,
    postcode_text: str | None = None,
    country: str | None = None,
    phone_text: str | None = None,
) -> Address:
    """An :class:`Address` with the country as a code and the postcode and phone cleaned."""
    code = country_code(country)
    return Address(
        name=name,
        company=company,
        line1=line1,
        line2=line2,
        city=city,
        region=region,
        postcode=postcode(postcode_text, code),
        country=code,
        phone=phone(phone_text),
    )
