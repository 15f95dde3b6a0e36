from datetime import date

import pytest

from customer_archive.tools.identity import (
    REASON_CHECKSUM,
    REASON_DATE,
    REASON_FORMAT,
    REASON_LENGTH,
    check_resident_id,
    compact_resident_id,
    mask_identity_number,
)
from customer_archive.tools.phone import normalize_phone

VALID_ID = "11010519491231002X"


def test_valid_id_gives_birth_date_and_gender():
    result = check_resident_id(VALID_ID)
    assert result.is_valid
    assert result.birth_date == date(1949, 12, 31)
    # The 17th digit, 2, is even: the holder is a woman.
    assert result.gender == "female"


def test_id_with_spaces_lowercase_x_and_full_width_digits():
    typed = "１１０１ ０５１９-4912 3100 2x"
    assert compact_resident_id(typed) == VALID_ID
    assert check_resident_id(typed).number == VALID_ID


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("12345", REASON_LENGTH),
        ("1101051949123100211", REASON_LENGTH),
        ("11010519491231002Y", REASON_FORMAT),
        ("1101051949123100X2", REASON_FORMAT),
        ("110105199902300021", REASON_DATE),
        ("110105194912310021", REASON_CHECKSUM),
    ],
)
def test_invalid_id_reason(number, reason):
    result = check_resident_id(number)
    assert not result.is_valid
    assert result.reason == reason
    assert result.birth_date is None


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "１３８００１３８０００",
        "+86 138-0013-8000",
        "0086 138 0013 8000",
        "138 0013 8000 转 8",
        "+86 (138) 0013-8000 ext. 12",
    ],
)
def test_mobile_forms_normalise_alike(typed):
    assert normalize_phone(typed, "CN") == "+8613800138000"


@pytest.mark.parametrize(
    "typed",
    ["010-6552 9988", "(010) 65529988", "010-65529988分机12", "+86 10 6552 9988"],
)
def test_beijing_landline_forms_normalise_alike(typed):
    assert normalize_phone(typed, "CN") == "+861065529988"


@pytest.mark.parametrize("typed", ["", "12345", "abc", "138 0013"])
def test_invalid_phone_returns_none(typed):
    assert normalize_phone(typed, "CN") is None


def test_phone_region_from_country():
    assert normalize_phone("030-0074321", "DE") == "+49300074321"
    assert normalize_phone("030-0074321", "CN") != "+49300074321"


@pytest.mark.parametrize(
    "typed",
    [
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits
        "११०१०५१९४९१२३१००२x",  # Devanagari digits
        "11010519491231002X\u200b",  # zero-width space
        "\u202e11010519491231002X",  # right-to-left override
        "1101\u200d0519\ufeff49123100 2X",
    ],
)
def test_id_in_other_digits_compacts_to_ascii(typed):
    assert compact_resident_id(typed) == VALID_ID
    assert check_resident_id(typed).number == VALID_ID


@pytest.mark.parametrize(
    "typed",
    [
        "1101051949123100２X".replace("２", "\u0662"),
        "11010519491231002Ⅹ",
        "1" * 17 + "\u00b2",
    ],
)
def test_id_never_stored_with_non_ascii_digits(typed):
    assert check_resident_id(typed).number.isascii()


@pytest.mark.parametrize(
    "hostile",
    [
        None,
        "",
        "\x00" * 18,
        "\ud800" * 18,
        "1" * 100000,
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x")',
        "11010519491231002X'; DROP TABLE res_partner; --",
        "\U0001d7cf" * 17 + "X",
        "\t\r\n" * 6,
    ],
)
def test_hostile_id_is_rejected_without_error(hostile):
    result = check_resident_id(hostile)
    assert isinstance(result.number, str)
    assert result.birth_date is None or result.is_valid


@pytest.mark.parametrize(
    "hostile",
    [
        None,
        "",
        "\x00",
        "\ud800",
        "+",
        "++86",
        "转",
        "13800138000转" + "9" * 500,
        "+1 650 253 0000 x" + "9" * 500,
        "\u202e0008310083186+",
        "+86\x00138 0013 8000",
        "tel:+8613800138000",
        "+8613800138000" * 50,
        "=cmd|' /C calc'!A0",
        "😀" * 40,
    ],
)
@pytest.mark.parametrize("region", [None, "CN", "ZZ", "\u202e", "cn"])
def test_hostile_phone_returns_text_or_none(hostile, region):
    result = normalize_phone(hostile, region)
    assert result is None or (result.startswith("+") and result[1:].isdigit())


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("11010519491231002X", "**************002X"),
        ("E12345678", "*******78"),
        ("12345678", "******78"),
        ("1234", "***4"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_shows_at_most_a_quarter_at_end(number, masked):
    assert mask_identity_number(number) == masked
