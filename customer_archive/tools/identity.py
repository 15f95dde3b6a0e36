"""Chinese resident identity numbers (居民身份证号码), checked with python-stdnum."""

import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

_SEPARATORS = re.compile(r"[\s\-]+")

# Reasons returned by ``check_resident_id``; the model turns them into messages.
REASON_LENGTH = "length"
REASON_FORMAT = "format"
REASON_DATE = "date"
REASON_CHECKSUM = "checksum"


@dataclass(frozen=True)
class ResidentId:
    """Result of checking a resident identity number.

    ``number`` is the compact form (no spaces or dashes, upper-case ``X``);
    ``reason`` is ``None`` for a valid number, else one of the ``REASON_*``
    constants, and ``birth_date`` and ``gender`` are only set when valid.
    """

    number: str
    reason: str | None = None
    birth_date: object = None
    gender: str | None = None

    @property
    def is_valid(self):
        return self.reason is None


def compact_resident_id(raw):
    """Return ``raw`` without spaces or dashes, full-width forms folded, ``x`` as ``X``.

    Decimal digits of other scripts (Arabic-Indic, Devanagari...) become ASCII
    digits and invisible format characters (zero-width spaces, bidirectional
    marks) are dropped, so one number always compacts to one ASCII form and
    the duplicate check compares like with like.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    characters = []
    for character in text:
        if unicodedata.category(character) == "Cf":
            continue
        digit = unicodedata.decimal(character, None)
        characters.append(str(digit) if digit is not None else character)
    return _SEPARATORS.sub("", "".join(characters)).upper()


def check_resident_id(raw):
    """Check an 18-character resident identity number.

    Checks the length, the characters, the birth date it contains and the ISO
    7064 check character (which may be ``X``), but not the region code of the
    first six digits. The 17th digit is odd for men and even for women.
    """
    number = compact_resident_id(raw)
    if len(number) != 18:
        return ResidentId(number, REASON_LENGTH)
    if not number.isascii() or not (
        number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")
    ):
        return ResidentId(number, REASON_FORMAT)
    try:
        birth_date = ric.get_birth_date(number)
    except (InvalidComponent, ValueError):
        return ResidentId(number, REASON_DATE)
    # ``ric.validate`` also looks the birth place up in a data file that cannot
    # be opened under Odoo's module loader, so the check digit is compared here.
    if ric.calc_check_digit(number) != number[17]:
        return ResidentId(number, REASON_CHECKSUM)
    gender = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number, None, birth_date, gender)


def mask_identity_number(number):
    """Return ``number`` with all but its last few characters replaced by ``*``.

    Only the end shows: at most a quarter of the characters and never more
    than four. The first characters of a resident ID are the region code and
    the birth date, and the birthday field already gives the date, so showing
    the start too would leave a few hundred candidate numbers or fewer. An
    18-character resident ID keeps ``002X``, a 9-character passport number
    keeps its last two characters, and numbers of three characters or fewer
    are fully masked.
    """
    number = number or ""
    shown = min(4, len(number) // 4)
    return "*" * (len(number) - shown) + number[len(number) - shown :]
