from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import ArchiveCase


@tagged("post_install", "-at_install")
class TestRegister(ArchiveCase):
    def test_register_assigns_folder_number(self):
        partner = self._create_customer("Li Wei", "13900139000")
        partner._archive_register(self.folder)
        self.assertRegex(partner.archive_number, r"^OOL-\d{5}$")
        self.assertEqual(partner.archive_state, "registered")
        self.assertTrue(partner.archive_registration_date)
        self.assertEqual(partner.archive_user_id, self.env.user)

    def test_numbers_follow_folder_sequence(self):
        first = self._create_customer("Zhao Lei")
        second = self._create_customer("Sun Li")
        (first | second)._archive_register(self.other_folder)
        first_number = int(first.archive_number.split("-")[1])
        second_number = int(second.archive_number.split("-")[1])
        self.assertEqual(second_number, first_number + 1)
        self.assertTrue(first.archive_number.startswith("PUE-"))

    def test_register_many_numbers_in_order(self):
        partners = self.env["res.partner"].browse(
            self._create_customer(f"Batch Customer {index}").id for index in range(4)
        )
        partners._archive_register(self.other_folder)
        numbers = [
            int(number.split("-")[1]) for number in partners.mapped("archive_number")
        ]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 4)))

    def test_numbers_drawn_one_by_one_without_gaps(self):
        self.other_folder.sequence_id.sudo().implementation = "no_gap"
        first_number = self.other_folder._next_archive_number()
        numbers = self.other_folder._next_archive_numbers(2)
        start = int(first_number.split("-")[1])
        self.assertEqual(
            [int(number.split("-")[1]) for number in numbers], [start + 1, start + 2]
        )
        self.assertEqual(self.other_folder._next_archive_numbers(0), [])

    def test_register_leaves_contact_person_alone(self):
        company = self._create_customer("Tea House Ltd", is_company=True)
        person = self.env["res.partner"].create(
            {"name": "Ma Li", "parent_id": company.id, "function": "Buyer"}
        )
        company._archive_register(self.folder)
        self.assertTrue(company.archive_number)
        self.assertFalse(person.archive_number)
        self.assertEqual(person.archive_state, "not_registered")
        # Commercial fields still reach the contact person.
        company.company_registry = "91110000100000000X"
        self.assertEqual(person.company_registry, "91110000100000000X")

    def test_register_twice_keeps_number(self):
        number = self.customer.archive_number
        self.customer._archive_register(self.other_folder)
        self.assertEqual(self.customer.archive_number, number)
        self.assertEqual(self.customer.archive_folder_id, self.other_folder)

    def test_number_not_reused_after_close(self):
        partner = self._create_customer("Zhou Min")
        partner._archive_register(self.folder)
        closed_number = partner.archive_number
        partner.archive_state = "closed"
        newcomer = self._create_customer("Wu Jun")
        newcomer._archive_register(self.folder)
        self.assertNotEqual(newcomer.archive_number, closed_number)

    def test_user_cannot_reopen_closed_archive(self):
        self.customer.with_user(self.manager).action_archive_close()
        closed_date = self.customer.archive_closed_date
        wizard = (
            self.env["customer.archive.register.wizard"]
            .with_user(self.user)
            .create(
                {
                    "partner_ids": [(6, 0, self.customer.ids)],
                    "folder_id": self.folder.id,
                }
            )
        )
        with self.assertRaisesRegex(UserError, "Wang Fang"):
            wizard.action_register()
        self.assertEqual(self.customer.archive_state, "closed")
        self.assertEqual(self.customer.archive_closed_date, closed_date)

    def test_manager_register_closed_rejected(self):
        self.customer.with_user(self.manager).action_archive_close()
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager)._archive_register(self.other_folder)
        self.assertEqual(self.customer.archive_state, "closed")
        self.assertEqual(self.customer.archive_folder_id, self.folder)

    def test_reopened_archive_registers_again(self):
        self.customer.with_user(self.manager).action_archive_close()
        self.customer.with_user(self.manager).action_archive_reopen()
        self.customer.with_user(self.user)._archive_register(self.other_folder)
        self.assertEqual(self.customer.archive_state, "registered")
        self.assertEqual(self.customer.archive_folder_id, self.other_folder)

    def test_number_unique_per_company(self):
        partner = self._create_customer("Chen Jing")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.cr.savepoint():
                partner.write(
                    {
                        "archive_number": self.customer.archive_number,
                        "archive_folder_id": self.folder.id,
                    }
                )

    def test_register_without_folder_raises(self):
        partner = self._create_customer("Lin Tao")
        with self.assertRaises(UserError):
            partner._archive_register(self.env["customer.archive.folder"])

    def test_register_wizard_registers_selection(self):
        partners = self._create_customer("He Yun") | self._create_customer("Ma Lan")
        wizard = (
            self.env["customer.archive.register.wizard"]
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"folder_id": self.folder.id})
        )
        wizard.action_register()
        self.assertTrue(all(partners.mapped("archive_number")))

    def test_duplicate_phone_names_archive(self):
        # Same mobile number written with spaces and +86 normalises alike.
        twin = self._create_customer("Wang Fang (shop 2)", "+86 138-0013-8000")
        self.assertEqual(twin.archive_phone_normalized, "+8613800138000")
        self.assertIn(self.customer.archive_number, twin.archive_duplicate_warning)
        wizard = (
            self.env["customer.archive.register.wizard"]
            .with_context(active_model="res.partner", active_ids=twin.ids)
            .create({"folder_id": self.folder.id})
        )
        self.assertIn(self.customer.archive_number, wizard.duplicate_warning)

    def test_duplicate_id_number_names_archive(self):
        self.customer.archive_id_number = "11010519491231002X"
        twin = self._create_customer(
            "Fang Wang", archive_id_number="11010519491231002X"
        )
        self.assertIn(self.customer.archive_number, twin.archive_duplicate_warning)

    def test_duplicate_ignores_unregistered(self):
        stranger = self._create_customer("Unregistered", "13700137000")
        twin = self._create_customer("Twin", "137 0013 7000")
        self.assertTrue(stranger.archive_phone_normalized)
        self.assertFalse(twin.archive_duplicate_warning)

    def test_onchange_warns_on_duplicate(self):
        form_partner = self.env["res.partner"].new(
            {"name": "New", "phone": "13800138000", "country_id": self.china.id}
        )
        result = form_partner._onchange_archive_duplicates()
        self.assertIn(self.customer.archive_number, result["warning"]["message"])

    def test_invalid_phone_kept_and_flagged(self):
        partner = self._create_customer("Typo", "12345")
        self.assertEqual(partner.phone, "12345")
        self.assertFalse(partner.archive_phone_normalized)
        self.assertTrue(partner.archive_phone_invalid)

    def test_phone_uses_partner_country(self):
        germany = self.env.ref("base.de")
        partner = self._create_customer("Alfreds", "030-0074321", country_id=germany.id)
        self.assertEqual(partner.archive_phone_normalized, "+49300074321")

    def test_folder_prefix_validated(self):
        with self.assertRaises(ValidationError):
            self.env["customer.archive.folder"].create({"name": "Bad", "code": "1-A"})

    def test_folder_prefix_uppercased(self):
        folder = self.env["customer.archive.folder"].create(
            {"name": "Green Tea", "code": "grn"}
        )
        self.assertEqual(folder.code, "GRN")

    def test_birthday_month_stored(self):
        partner = self._create_customer("Solar", archive_birthday="1990-06-15")
        self.assertEqual(
            (partner.archive_birthday_month, partner.archive_birthday_day), (6, 15)
        )
        found = self.env["res.partner"].search([("archive_birthday_month", "=", 6)])
        self.assertIn(partner, found)

    @freeze_time("2026-03-01")
    def test_lunar_birthday_month_is_solar_of_this_year(self):
        # Born 1990-06-15 = lunar 5th month, 23rd day; in 2026 that is July 7.
        partner = self._create_customer(
            "Lunar", archive_birthday="1990-06-15", archive_birthday_calendar="lunar"
        )
        self.assertEqual(partner.archive_birthday_month, 7)
        self.assertEqual(partner.archive_birthday_day, 7)

    def test_lunar_birthdays_refreshed_each_year(self):
        with freeze_time("2026-03-01"):
            partner = self._create_customer(
                "Lunar",
                archive_birthday="1990-06-15",
                archive_birthday_calendar="lunar",
            )
            self.env.flush_all()
        # The refresh commits after each batch, as the cron's progress.
        with (
            freeze_time("2027-01-01"),
            patch.object(self.env.cr, "commit", self.env.flush_all),
        ):
            self.env["res.partner"]._cron_refresh_lunar_birthdays()
        # Lunar 5/23 of 2027 is June 27.
        self.assertEqual(
            (partner.archive_birthday_month, partner.archive_birthday_day), (6, 27)
        )

    def test_customer_type_follows_company_flag(self):
        company = self._create_customer("Tea House Ltd", is_company=True)
        self.assertEqual(company.archive_customer_type, "company")
        company.archive_customer_type = "government"
        self.assertEqual(company.archive_customer_type, "government")


@tagged("post_install", "-at_install")
class TestIdentityNumber(ArchiveCase):
    def test_valid_id_stored_compact(self):
        partner = self._create_customer(
            "Compact", archive_id_number="1101 0519 4912 3100 2x"
        )
        self.assertEqual(partner.archive_id_number, "11010519491231002X")
        self.assertFalse(partner.archive_id_number_invalid)

    def test_invalid_id_kept_as_typed_and_flagged(self):
        partner = self._create_customer("Typo", archive_id_number="110105194912310021")
        self.assertEqual(partner.archive_id_number, "110105194912310021")
        self.assertTrue(partner.archive_id_number_invalid)
        self.assertIn("110105194912310021", partner.archive_id_number_issue)

    def test_impossible_date_named_in_issue(self):
        partner = self._create_customer(
            "Feb 30", archive_id_number="110105199902300021"
        )
        self.assertIn("birth date", partner.archive_id_number_issue)

    def test_onchange_offers_birthday_and_gender(self):
        partner = self.env["res.partner"].new({"name": "New"})
        partner.archive_id_number = "11010519491231002X"
        result = partner._onchange_archive_id_number()
        self.assertIsNone(result)
        self.assertEqual(str(partner.archive_birthday), "1949-12-31")
        self.assertEqual(partner.archive_gender, "female")

    def test_onchange_keeps_entered_birthday(self):
        partner = self.env["res.partner"].new(
            {"name": "New", "archive_birthday": "1950-01-01", "archive_gender": "male"}
        )
        partner.archive_id_number = "11010519491231002X"
        partner._onchange_archive_id_number()
        self.assertEqual(str(partner.archive_birthday), "1950-01-01")
        self.assertEqual(partner.archive_gender, "male")

    def test_onchange_warns_on_invalid_id(self):
        partner = self.env["res.partner"].new({"name": "New"})
        partner.archive_id_number = "12345"
        result = partner._onchange_archive_id_number()
        self.assertIn("12345", result["warning"]["message"])
        self.assertFalse(partner.archive_birthday)

    def test_duplicate_found_from_spaced_id(self):
        self.customer.archive_id_number = "11010519491231002X"
        twin = self._create_customer("Twin", archive_id_number="1101 0519 4912 3100 2x")
        self.assertIn(self.customer.archive_number, twin.archive_duplicate_warning)

    def test_full_width_phone_flags_duplicate(self):
        twin = self._create_customer("Full width", "１３８ ００１３ ８０００")
        self.assertEqual(twin.archive_phone_normalized, "+8613800138000")
        self.assertIn(self.customer.archive_number, twin.archive_duplicate_warning)


@tagged("post_install", "-at_install")
class TestArchiveSearch(ArchiveCase):
    def _default_search_domain(self, text):
        """Return the domain of the search view's first field for ``text``."""
        Partner = self.env["res.partner"].with_user(self.user)
        arch = Partner.get_views([(False, "search")])["views"]["search"]["arch"]
        first = etree.fromstring(arch).find(".//field")
        self.assertEqual(first.get("name"), "archive_number")
        return safe_eval(first.get("filter_domain"), {"self": text})

    def test_enter_finds_number_and_phone(self):
        self.customer.phone = "138 0013 8000"
        Partner = self.env["res.partner"].with_user(self.user)
        for text in (self.customer.archive_number, "13800138000", "138 0013"):
            with self.subTest(text=text):
                found = Partner.search(self._default_search_domain(text))
                self.assertIn(self.customer, found)
