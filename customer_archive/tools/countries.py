"""Country names as written in customer files, mapped to ISO 3166 alpha-2 codes."""

# Names that Odoo's country list does not spell this way; everything else is
# matched on the country's name or code.
COUNTRY_ALIASES = {
    "usa": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "us": "US",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "holland": "NL",
    "the netherlands": "NL",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "czech republic": "CZ",
    "prc": "CN",
    "中国": "CN",
    "中华人民共和国": "CN",
    "香港": "HK",
    "台湾": "TW",
}


def country_code_from_alias(name):
    """Return the ISO code for a known alias of a country name, else ``None``."""
    return COUNTRY_ALIASES.get((name or "").strip().lower())
