from datetime import date

import pytest

from customer_archive.tools.identity import (
    REASON_CHECKSUM,
    REASON_DATE,
    REASON_FORMAT,
    REASON_LENGTH,
    check_resident_id,
    compact_resident_id,
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
    "typed", ["010-6552 9988", "(010) 65529988", "010-65529988分机12", "+86 10 6552 9988"]
)
def test_beijing_landline_forms_normalise_alike(typed):
    assert normalize_phone(typed, "CN") == "+861065529988"


@pytest.mark.parametrize("typed", ["", "12345", "abc", "138 0013"])
def test_invalid_phone_returns_none(typed):
    assert normalize_phone(typed, "CN") is None


def test_phone_region_from_country():
    assert normalize_phone("030-0074321", "DE") == "+49300074321"
    assert normalize_phone("030-0074321", "CN") != "+49300074321"
