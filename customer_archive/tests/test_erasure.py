from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_retention import RetentionCase

# A 1x1 PNG image.
PIXEL = (
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    b"60e6kgAAAABJRU5ErkJggg=="
)
# Every personal value given to the customer, as it could appear in text.
PERSONAL_VALUES = [
    "Zhuo Yiwen",
    "13987654321",
    "139 8765 4321",
    "zhuo.yiwen@example.com",
    "Qingchun Road",
    "Flat 1702",
    "310009",
    "Hangzhou Xihu",
    "zhuoyiwen.example.com",
    "Tea Sommelier",
    "Longjing",
    "330106198807140027",
    "ZYW88",
    "CUST-ZYW",
    "1988-07-14",
    "Li Contact",
    "13700001111",
]


class ErasureCase(RetentionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = cls._create_customer(
            "Zhuo Yiwen",
            "139 8765 4321",
            email="zhuo.yiwen@example.com",
            street="88 Qingchun Road",
            street2="Flat 1702",
            zip="310009",
            city="Hangzhou Xihu",
            website="https://zhuoyiwen.example.com",
            function="Tea Sommelier",
            comment="<p>Prefers Longjing; call Zhuo Yiwen after 6 pm</p>",
            ref="CUST-ZYW",
            image_1920=PIXEL,
            archive_gender="female",
            archive_birthday=date(1988, 7, 14),
            archive_id_number="330106198807140027",
            archive_customer_code="ZYW88",
            archive_is_member=True,
            archive_member_level="gold",
            archive_member_join_date=date(2020, 5, 1),
            archive_member_renewal_date=date(2026, 5, 1),
            archive_member_points=1200,
            archive_referrer_id=cls.customer.id,
        )
        cls.person._archive_register(cls.folder, user=cls.user)

        cls.contact = cls.env["res.partner"].create(
            {"name": "Li Contact", "phone": "13700001111", "parent_id": cls.person.id}
        )
        cls.purchases = cls.env["customer.archive.purchase"].create(
            [
                {
                    "partner_id": cls.person.id,
                    "date": date(2024, 5, 2),
                    "product": "Longjing 100 g",
                    "amount": 300.0,
                },
                {
                    "partner_id": cls.person.id,
                    "date": date(2024, 9, 9),
                    "product": "Oolong 250 g",
                    "amount": 460.0,
                },
            ]
        )

        tracked = cls.person.with_context(tracking_disable=False)
        cls.env.cr.precommit.run()
        tracked.message_post(
            body="Zhuo Yiwen called from 139 8765 4321 about Longjing",
            message_type="comment",
        )
        # Tracking compares with the value at the start of the transaction, so
        # each change is finalised before the next one.
        tracked.write({"email": "zhuo.yiwen@example.com.cn"})
        cls.env.cr.precommit.run()
        tracked.write({"email": "zhuo.yiwen@example.com"})
        cls.env.cr.precommit.run()

        cls.document = cls._document("cor", partner=cls.person)
        # A tracked change of a field linking to the customer stores the name
        # as text, as Odoo does when e.g. a record's customer changes.
        message = cls.document.message_post(body="Customer set")
        cls.env["mail.tracking.value"].sudo().create(
            {
                "mail_message_id": message.id,
                "field_id": cls.env["ir.model.fields"]
                ._get(cls.Document._name, "partner_id")
                .id,
                "old_value_integer": cls.customer.id,
                "old_value_char": cls.customer.name,
                "new_value_integer": cls.person.id,
                "new_value_char": cls.person.name,
            }
        )
        cls.document.with_context(tracking_disable=False).message_post(
            body="Thank you for the samples.",
            author_id=cls.person.id,
            email_from='"Zhuo Yiwen" <zhuo.yiwen@example.com>',
            message_type="email",
        )
        cls.env.cr.precommit.run()

    def _close(self, partner=None):
        (partner or self.person).with_user(self.manager).action_archive_close()

    def _erase(self, user=None, reason="The customer withdrew consent"):
        wizard = (
            self.env["customer.archive.erasure.wizard"]
            .with_user(user or self.manager)
            .create({"partner_id": self.person.id, "early_reason": reason})
        )
        wizard.action_erase()
        return wizard


@tagged("post_install", "-at_install")
class TestErasure(ErasureCase):
    def test_fixture_holds_personal_values(self):
        self.env.flush_all()
        messages = self.env["mail.message"].sudo()
        tracking = self.env["mail.tracking.value"].sudo()
        self.assertTrue(messages.search([("body", "ilike", "Zhuo Yiwen")]))
        self.assertTrue(messages.search([("email_from", "ilike", "zhuo.yiwen")]))
        self.assertTrue(tracking.search([("old_value_char", "ilike", "zhuo.yiwen")]))
        self.assertTrue(tracking.search([("new_value_char", "=", "Zhuo Yiwen")]))

    def test_close_refused_for_other_company_archive(self):
        other_manager = new_test_user(
            self.env,
            login="archive_manager_other_company",
            groups="customer_archive.group_archive_manager",
            company_id=self.other_company.id,
            company_ids=[self.other_company.id],
        )
        partner = self.person.with_user(other_manager)
        with self.assertRaisesRegex(AccessError, "not among your selected companies"):
            partner.action_archive_close()
        self.assertNotEqual(self.person.archive_state, "closed")

    def test_erasure_leaves_no_personal_value(self):
        self._close()
        self._erase()
        self.env.flush_all()
        partners = (self.person | self.contact).sudo().with_context(active_test=False)
        for partner in partners:
            for name, field in partner._fields.items():
                if not field.store or field.type not in (
                    "char",
                    "text",
                    "html",
                    "date",
                    "selection",
                ):
                    continue
                stored = str(partner[name] or "")
                for value in PERSONAL_VALUES:
                    with self.subTest(partner=partner.id, field=name, value=value):
                        self.assertNotIn(value.lower(), stored.lower())
        self.assertFalse(self.person.sudo().image_1920)
        self.assertFalse(self.person.archive_birthday_month)
        self.assertFalse(self.person.archive_referrer_id)
        self.assertFalse(self.person.sudo().archive_id_number)

    def test_erasure_leaves_no_value_in_messages(self):
        self._close()
        self._erase()
        self.env.flush_all()
        messages = self.env["mail.message"].sudo()
        tracking = self.env["mail.tracking.value"].sudo()
        for value in PERSONAL_VALUES:
            with self.subTest(value=value):
                self.assertFalse(
                    messages.search(
                        [
                            "|",
                            "|",
                            ("body", "ilike", value),
                            ("subject", "ilike", value),
                            ("email_from", "ilike", value),
                        ]
                    )
                )
                self.assertFalse(
                    tracking.search(
                        [
                            "|",
                            "|",
                            "|",
                            ("old_value_char", "ilike", value),
                            ("new_value_char", "ilike", value),
                            ("old_value_text", "ilike", value),
                            ("new_value_text", "ilike", value),
                        ]
                    )
                )

    def test_erasure_empties_partner_chatter(self):
        self._close()
        self._erase()
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "=", self.person.id)])
        )
        self.assertEqual(len(messages), 1)
        self.assertIn("Personal data erased", str(messages.body))

    def test_erasure_keeps_purchases_and_number(self):
        number = self.person.archive_number
        self._close()
        self._erase()
        self.assertEqual(self.purchases.partner_id, self.person)
        self.assertEqual(sum(self.purchases.mapped("amount")), 760.0)
        self.assertEqual(self.person.archive_number, number)
        self.assertEqual(self.person.name, f"Anonymised customer {number}")
        self.assertEqual(self.document.partner_id, self.person)

    def test_erasure_anonymises_contact_person(self):
        self._close()
        self._erase()
        self.assertFalse(self.contact.active)
        self.assertFalse(self.contact.phone)
        self.assertIn(self.person.archive_number, self.contact.name)

    def test_erasure_recorded_in_register(self):
        self._close()
        self._erase()
        entry = self.env["customer.archive.destruction.register"].search(
            [("kind", "=", "erasure"), ("partner_id", "=", self.person.id)]
        )
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.archive_number, self.person.archive_number)
        self.assertEqual(entry.executed_by_id, self.manager)
        self.assertIn("Phone", entry.details)
        self.assertIn("The customer withdrew consent", entry.details)
        for value in PERSONAL_VALUES:
            with self.subTest(value=value):
                self.assertNotIn(value, entry.details)

    def test_erasure_wizard_lists_data(self):
        self._close()
        wizard = (
            self.env["customer.archive.erasure.wizard"]
            .with_user(self.manager)
            .create({"partner_id": self.person.id})
        )
        plan = str(wizard.plan)
        self.assertIn("Zhuo Yiwen", plan)
        self.assertIn("Phone", plan)
        self.assertIn("330106198807140027", plan)
        self.assertIn("Chatter messages", plan)
        self.assertIn("Contact persons", plan)

    def test_erasure_customer_hold_rejected(self):
        self._close()
        self.person.with_user(self.manager)._archive_place_legal_hold("Lawsuit")
        with self.assertRaises(UserError):
            self._erase()
        self.assertEqual(self.person.name, "Zhuo Yiwen")

    def test_erasure_document_hold_rejected(self):
        self._close()
        self.document.with_user(self.manager)._retention_place_legal_hold("Dispute")
        with self.assertRaises(UserError):
            self._erase()
        self.assertEqual(self.person.phone, "139 8765 4321")

    def test_erasure_open_archive_rejected(self):
        with self.assertRaises(UserError):
            self.person.with_user(self.manager)._archive_erase_personal_data()

    def test_erasure_early_needs_reason(self):
        self._close()
        with self.assertRaises(UserError):
            self._erase(reason="")
        self.assertEqual(self.person.name, "Zhuo Yiwen")

    def test_erasure_due_needs_no_reason(self):
        self._close()
        self.person.sudo().archive_erasure_due = True
        self._erase(reason="")
        self.assertTrue(self.person.archive_erased_date)
        self.assertFalse(self.person.archive_erasure_due)

    def test_erasure_by_user_rejected(self):
        self._close()
        with self.assertRaises(UserError):
            self.person.with_user(self.user)._archive_erase_personal_data()

    def test_erasure_wizard_by_user_rejected(self):
        self._close()
        with self.assertRaises(AccessError):
            self._erase(user=self.user)

    def test_erasure_twice_rejected(self):
        self._close()
        self._erase()
        with self.assertRaises(UserError):
            self._erase()

    def test_erased_archive_cannot_reopen(self):
        self._close()
        self._erase()
        with self.assertRaises(UserError):
            self.person.sudo().write({"archive_state": "registered"})

    def test_erasure_with_user_account_rejected(self):
        new_test_user(
            self.env,
            login="li_contact_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        self._close()
        with self.assertRaises(UserError):
            self._erase()
