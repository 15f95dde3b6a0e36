"""Document naming rules.

A rule such as ``{archive_number}_{type_code}_{document_date}_{seq}`` names each
filed document.
"""

import re
import string
import unicodedata

from .file_names import UNSAFE_CATEGORIES

PLACEHOLDERS = ("archive_number", "type_code", "document_date", "seq", "reference")
DEFAULT_RULE = "{archive_number}_{type_code}_{document_date}_{seq}"
# Characters that are unsafe in file names on common file systems, plus controls.
_UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def rule_placeholders(rule):
    """Return the placeholder names used by ``rule``.

    :raises ValueError: when the rule is malformed or uses an unknown placeholder.
    """
    try:
        parsed = list(string.Formatter().parse(rule))
    except ValueError as err:
        raise ValueError(f"malformed naming rule {rule!r}: {err}") from err
    names = []
    for _literal, field_name, format_spec, conversion in parsed:
        if field_name is None:
            continue
        if field_name not in PLACEHOLDERS or format_spec or conversion:
            raise ValueError(f"unknown placeholder {{{field_name}}} in rule {rule!r}")
        names.append(field_name)
    return names


def render_document_name(
    rule, archive_number, type_code, document_date, seq, reference=""
):
    """Render a document name from its type's naming rule.

    ``document_date`` is a ``date`` (written as YYYYMMDD) or ``None`` (written as
    ``nodate``); ``seq`` is written with three digits. Characters that cannot appear
    in a file name, and invisible characters such as the bidirectional marks, are
    replaced by ``-``.
    """
    rule_placeholders(rule)
    values = {
        "archive_number": archive_number or "",
        "type_code": type_code or "",
        "document_date": document_date.strftime("%Y%m%d")
        if document_date
        else "nodate",
        "seq": f"{seq:03d}",
        "reference": reference or "",
    }
    name = "".join(
        "-" if unicodedata.category(character) in UNSAFE_CATEGORIES else character
        for character in rule.format(**values)
    )
    return _UNSAFE_CHARACTERS.sub("-", name).strip(" .-_") or values["seq"]
