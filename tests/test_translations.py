"""Checks on the module's translation files that need no database.

``customer_archive/i18n/customer_archive.pot`` is exported by Odoo and
``zh_CN.po`` must translate every term of it. Odoo substitutes the values of
a message after translating it, and renders QWeb and inline-template
expressions from the translated text, so a translation that drops or changes
a placeholder breaks the message at run time. ``tools/i18n_update.sh``
regenerates the template and merges it into the translations.
"""

import collections
import re
import shutil
import subprocess

import polib
import pytest

LANGUAGES = ["zh_CN"]
UPDATE_HINT = (
    "run tools/i18n_update.sh (or make i18n), then translate the new or fuzzy "
    "entries of {po}"
)

# printf-style conversions as Python's % operator reads them: %(name)s, %s,
# %5.2f and the literal %%. "% (" in a Python expression is no conversion.
PRINTF = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]"
)
# str.format fields such as {archive_number}. INLINE_EXPRESSION matches {{ ... }}.
FORMAT_FIELD = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_]\w*(?:\.\w+)*)\}(?!\})")
# Inline-template expressions of mail templates: {{ object.name }}.
INLINE_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
# QWeb directives whose value is code: t-out="...", t-att-href="...".
QWEB_DIRECTIVE = re.compile(
    r"\b(?P<name>t-(?:out|esc|raw|field|value|if|elif|foreach|as|call|set|"
    r"att-[\w-]+|attf-[\w-]+|att|options(?:-[\w-]+)?))=(?P<quote>[\"'])"
    r"(?P<value>.*?)(?P=quote)",
    re.DOTALL,
)
HTML_TAG = re.compile(r"<(?P<closing>/?)(?P<name>[A-Za-z][\w:.-]*)")


def _printf_placeholders(text):
    """Return the named conversions as a multiset and the positional ones in order."""
    named = collections.Counter()
    positional = []
    for match in PRINTF.finditer(text):
        if match["name"] is not None:
            named[match.group(0)] += 1
        else:
            positional.append(match.group(0))
    return named, positional


def _html_tags(text):
    return collections.Counter(
        f"{match['closing']}{match['name'].lower()}"
        for match in HTML_TAG.finditer(text)
    )


def placeholder_differences(source, translation):
    """List how the placeholders of ``translation`` differ from ``source``.

    Compares printf conversions, str.format fields, ``{{ }}`` expressions,
    QWeb directives with their code, and the multiset of HTML tags. Returns
    an empty list when they all match.
    """
    problems = []
    source_named, source_positional = _printf_placeholders(source)
    translated_named, translated_positional = _printf_placeholders(translation)
    if source_named != translated_named:
        problems.append(
            f"printf named {sorted(source_named.elements())} != "
            f"{sorted(translated_named.elements())}"
        )
    if source_positional != translated_positional:
        problems.append(
            f"printf positional {source_positional} != {translated_positional}"
        )
    checks = [
        ("format fields", lambda text: FORMAT_FIELD.findall(text)),
        ("{{ }} expressions", INLINE_EXPRESSION.findall),
        (
            "QWeb directives",
            lambda text: [
                (match["name"], match["value"])
                for match in QWEB_DIRECTIVE.finditer(text)
            ],
        ),
    ]
    for label, extract in checks:
        expected = collections.Counter(extract(source))
        found = collections.Counter(extract(translation))
        if expected != found:
            problems.append(
                f"{label}: missing {sorted((expected - found).elements())}, "
                f"unexpected {sorted((found - expected).elements())}"
            )
    expected_tags = _html_tags(source)
    found_tags = _html_tags(translation)
    if expected_tags != found_tags:
        problems.append(
            f"HTML tags: missing {sorted((expected_tags - found_tags).elements())}, "
            f"unexpected {sorted((found_tags - expected_tags).elements())}"
        )
    return problems


def _short(text, width=90):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@pytest.fixture(scope="module")
def i18n_dir(module_dir):
    folder = module_dir / "i18n"
    if not (folder / f"{module_dir.name}.pot").is_file():
        pytest.skip(f"{folder}/{module_dir.name}.pot does not exist yet")
    return folder


@pytest.fixture(scope="module")
def template(i18n_dir, module_dir):
    return polib.pofile(str(i18n_dir / f"{module_dir.name}.pot"))


@pytest.fixture(scope="module", params=LANGUAGES)
def catalog(request, i18n_dir):
    path = i18n_dir / f"{request.param}.po"
    assert path.is_file(), f"{path} is missing: {UPDATE_HINT.format(po=path.name)}"
    return polib.pofile(str(path))


def test_placeholder_check_catches_changes():
    """The checker itself must flag each kind of damage it exists to catch."""
    assert placeholder_differences("%(name)s left", "%(name)s 已离开") == []
    assert placeholder_differences("%(name)s left", "%(nom)s 已离开")
    assert placeholder_differences("Page %s of %s", "第 %s 页")
    assert placeholder_differences("15%% off", "九五折")
    assert placeholder_differences("{archive_number}_x", "{档案编号}_x")
    assert placeholder_differences("Hi {{ object.name }}", "您好 {{ object.nom }}")
    assert placeholder_differences(
        '<p>Dear <t t-out="object.name"/></p>', '<p>尊敬的 <t t-out="name"/></p>'
    )
    assert placeholder_differences("<p>Hello<br/>you</p>", "<p>您好，您</p>")
    assert placeholder_differences("'Card - %s' % (x)", "'卡片 - %s' % (x)") == []


def test_template_has_terms(template):
    assert len(template) > 0, "the .pot has no entries"


def test_catalog_language_header(catalog, i18n_dir):
    language = catalog.metadata.get("Language")
    assert language and (i18n_dir / f"{language}.po").is_file(), (
        f"Language header is {language!r}; it must name the file's language"
    )
    assert "charset=UTF-8" in catalog.metadata.get("Content-Type", "")


def test_catalog_translates_every_term(template, catalog):
    translated = {
        entry.msgid
        for entry in catalog
        if entry.msgstr.strip() and not entry.fuzzy and not entry.obsolete
    }
    missing = [entry.msgid for entry in template if entry.msgid not in translated]
    hint = UPDATE_HINT.format(po=catalog.fpath)
    assert not missing, (
        f"{len(missing)} term(s) of the .pot have no translation ({hint}):\n"
        + "\n".join(f"  {_short(msgid)}" for msgid in missing[:40])
    )


def test_catalog_has_no_fuzzy_entries(catalog):
    fuzzy = [entry.msgid for entry in catalog if entry.fuzzy and not entry.obsolete]
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy entr(y/ies) in {catalog.fpath}: check each "
        "translation against its new source and remove the fuzzy flag:\n"
        + "\n".join(f"  {_short(msgid)}" for msgid in fuzzy[:40])
    )


def test_catalog_has_no_stale_terms(template, catalog):
    """Entries whose source left the .pot are leftovers of an unmerged catalog."""
    sources = {entry.msgid for entry in template}
    stale = [
        entry.msgid
        for entry in catalog
        if not entry.obsolete and entry.msgid not in sources
    ]
    assert not stale, (
        f"{len(stale)} entr(y/ies) of {catalog.fpath} are not in the .pot "
        f"({UPDATE_HINT.format(po=catalog.fpath)}):\n"
        + "\n".join(f"  {_short(msgid)}" for msgid in stale[:40])
    )


def test_catalog_keeps_placeholders(catalog):
    broken = []
    for entry in catalog:
        if entry.obsolete or not entry.msgstr:
            continue
        problems = placeholder_differences(entry.msgid, entry.msgstr)
        if problems:
            broken.append(f"  {_short(entry.msgid)}\n    " + "\n    ".join(problems))
    assert not broken, (
        f"{len(broken)} translation(s) in {catalog.fpath} change a placeholder:\n"
        + "\n".join(broken)
    )


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")
def test_catalog_compiles(catalog):
    completed = subprocess.run(
        [
            "msgfmt",
            "--check-header",
            "--check-domain",
            "-o",
            "/dev/null",
            catalog.fpath,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
