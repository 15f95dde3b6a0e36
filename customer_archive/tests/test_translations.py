"""The translation files must match the terms Odoo exports from the module.

The root pytest suite checks the .po files against the .pot without a
database. These tests export the terms again through Odoo's own reader in the
test database, so a string added to the code, a view or a data file fails
here until ``tools/i18n_update.sh`` has regenerated the .pot and the string
is translated.
"""

import ast
import csv
import xml.etree.ElementTree as ElementTree

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open, file_path
from odoo.tools.translate import TranslationModuleReader

MODULE = "customer_archive"
LANGUAGES = ["zh_CN"]
UPDATE_HINT = "run tools/i18n_update.sh and translate the new entries"
# Number of terms listed in a failure message, which still gives the full count.
LISTED_TERMS = 30


def _listing(terms):
    first_terms = sorted(terms)[:LISTED_TERMS]
    return "\n".join("  " + " ".join(term.split())[:100] for term in first_terms)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exported = cls._exported_terms()
        cls.template = polib.pofile(file_path(f"{MODULE}/i18n/{MODULE}.pot"))

    @classmethod
    def _demo_xmlids(cls):
        """Return the external ids of the records defined by the demo files.

        The .pot is exported without demo data, so their terms are left out
        when the test database has demo data.
        """
        with file_open(f"{MODULE}/__manifest__.py") as manifest_file:
            manifest = ast.literal_eval(manifest_file.read())
        xmlids = set()
        for demo_file in manifest.get("demo", []):
            path = f"{MODULE}/{demo_file}"
            if demo_file.endswith(".xml"):
                with file_open(path, "rb") as xml_file:
                    root = ElementTree.parse(xml_file).getroot()
                names = [node.get("id") for node in root.iter() if node.get("id")]
            elif demo_file.endswith(".csv"):
                with file_open(path) as csv_file:
                    names = [row["id"] for row in csv.DictReader(csv_file)]
            else:
                names = []
            xmlids.update(name if "." in name else f"{MODULE}.{name}" for name in names)
        return xmlids

    @classmethod
    def _exported_terms(cls):
        """Return the source strings that Odoo's .pot export would write."""
        demo_xmlids = cls._demo_xmlids()
        terms = set()
        reader = TranslationModuleReader(cls.env.cr, modules=[MODULE])
        for module, kind, _name, xmlid, source, _value, _comments in reader:
            if module != MODULE:
                continue
            if kind in ("model", "model_terms") and xmlid in demo_xmlids:
                continue
            terms.add(source)
        return terms

    def test_export_finds_terms(self):
        self.assertGreater(len(self.exported), 100)

    def test_template_has_every_exported_term(self):
        missing = self.exported - {entry.msgid for entry in self.template}
        if missing:
            self.fail(
                f"{len(missing)} exported term(s) are not in {MODULE}.pot, so the "
                f"template is stale ({UPDATE_HINT}):\n{_listing(missing)}",
            )

    def test_template_has_no_removed_terms(self):
        removed = {entry.msgid for entry in self.template} - self.exported
        if removed:
            self.fail(
                f"{len(removed)} term(s) of {MODULE}.pot are no longer exported by "
                f"the module ({UPDATE_HINT}):\n{_listing(removed)}",
            )

    def test_catalogs_translate_every_exported_term(self):
        for language in LANGUAGES:
            with self.subTest(language=language):
                catalog = polib.pofile(file_path(f"{MODULE}/i18n/{language}.po"))
                translated = {
                    entry.msgid
                    for entry in catalog
                    if entry.msgstr.strip() and not entry.fuzzy and not entry.obsolete
                }
                missing = self.exported - translated
                if missing:
                    self.fail(
                        f"{len(missing)} exported term(s) have no {language} "
                        f"translation ({UPDATE_HINT}):\n{_listing(missing)}",
                    )

    def test_zh_cn_loads_into_database(self):
        """Odoo itself must read zh_CN.po: a menu, a field, a mail body, a message."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms([MODULE], ["zh_CN"])
        env = self.env(context=dict(self.env.context, lang="zh_CN"))

        menu = env.ref(f"{MODULE}.menu_customer_archive_root")
        self.assertEqual(menu.name, "客户档案")
        field = env["ir.model.fields"]._get("res.partner", "archive_number")
        self.assertEqual(field.field_description, "档案编号")
        template = env.ref(f"{MODULE}.mail_template_birthday_greeting")
        self.assertIn("生日快乐", template.subject)
        self.assertIn('t-out="object.name or', template.body_html)
        self.assertIn("尊敬的", template.body_html)
        self.assertEqual(env._("Invalid ID number"), "身份证号无效")
