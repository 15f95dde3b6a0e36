import pytest

from customer_archive.tools.file_names import find_unsafe_character


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a\x00b.pdf", "U+0000"),
        ("a\x1b.pdf", "U+001B"),
        ("a\x85.pdf", "U+0085"),
        ("invoice\u200efdp.exe", "U+200E"),
        ("invoice\u200ffdp.exe", "U+200F"),
        ("invoice\u061cfdp.exe", "U+061C"),
        ("invoice\u202efdp.exe", "U+202E"),
        ("invoice\u2066.pdf", "U+2066"),
        ("zero\u200bwidth.pdf", "U+200B"),
        ("\ufeffbom.pdf", "U+FEFF"),
        ("soft\u00adhyphen.pdf", "U+00AD"),
        ("line\u2028break.pdf", "U+2028"),
        ("para\u2029break.pdf", "U+2029"),
        ("private\ue000.pdf", "U+E000"),
        ("private\U000f0000.pdf", "U+F0000"),
        ("surrogate\ud800.pdf", "U+D800"),
    ],
)
def test_find_unsafe_character_names_code_point(name, expected):
    assert find_unsafe_character(name) == expected


def test_find_unsafe_character_returns_first():
    assert find_unsafe_character("a\u200eb\u202e.pdf") == "U+200E"


@pytest.mark.parametrize(
    "name",
    [
        "BEV-00042_CON_signed-contract.pdf",
        "客户登记表 2024.pdf",
        "Zhōu Mǐn résumé.docx",
        "name with spaces\u3000and ideographic space.txt",
        "ملف.pdf",
    ],
)
def test_find_unsafe_character_accepts_visible_names(name):
    assert find_unsafe_character(name) is None
