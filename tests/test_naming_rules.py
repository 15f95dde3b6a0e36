from datetime import date

import pytest

from customer_archive.tools.naming import render_document_name

RULE = "{archive_number}_{type_code}_{reference}_{seq}"


def render(reference):
    return render_document_name(
        RULE, "BEV-00042", "CON", date(2026, 3, 8), 1, reference=reference
    )


@pytest.mark.parametrize(
    "reference",
    ["HT\u202efdp.exe", "HT\u200e7", "HT\u200f7", "HT\u061c7", "HT\u200b7", "HT\n7"],
)
def test_render_replaces_invisible_characters(reference):
    name = render(reference)
    assert name.startswith("BEV-00042_CON_HT-")
    assert all(character.isprintable() for character in name)


def test_render_keeps_visible_reference():
    assert render("合同 2026/7") == "BEV-00042_CON_合同 2026-7_001"


def test_render_replaces_file_system_characters():
    assert render('a:b*c?"d') == "BEV-00042_CON_a-b-c-d_001"
