"""Phone normalisation to E.164 with the ``phonenumbers`` library."""

import re
import unicodedata

import phonenumbers

# Extension markers used on Chinese business cards, read like "ext.".
_CHINESE_EXTENSION = re.compile(r"\s*(?:转|轉|分机|分機|内线|內線)\s*")


def normalize_phone(raw, region=None):
    """Return the E.164 form of ``raw``, or ``None`` when it is not a valid number.

    ``region`` is the ISO 3166 alpha-2 code of the customer's country, used for
    numbers written without an international prefix. Full-width digits, spaces,
    dashes, ``+86`` / ``0086`` prefixes, area codes and extensions (``ext.``,
    ``x``, ``转``, ``分机``) are accepted; the extension is dropped because E.164
    has none.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = _CHINESE_EXTENSION.sub(" ext. ", text)
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
