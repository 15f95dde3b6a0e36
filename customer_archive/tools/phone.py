"""Phone normalisation to E.164 with the ``phonenumbers`` library."""

import unicodedata

import phonenumbers


def normalize_phone(raw, region=None):
    """Return the E.164 form of ``raw``, or ``None`` when it is not a valid number.

    ``region`` is the ISO 3166 alpha-2 code of the customer's country, used for
    numbers written without an international prefix. Full-width digits, spaces,
    dashes, ``+86`` / ``0086`` prefixes and extensions are accepted; the extension
    is dropped because E.164 has none.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
