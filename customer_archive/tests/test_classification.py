from datetime import date, timedelta

from odoo.tests import tagged

from .common import ArchiveCase

REFERENCE = date(2024, 2, 29)


@tagged("post_install", "-at_install")
class TestClassification(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.frequent = cls._registered("Frequent")
        cls.occasional = cls._registered("Occasional")
        cls.former = cls._registered("Former")
        cls.newcomer = cls._registered("Newcomer")
        purchases = [
            cls._purchase_vals(cls.frequent, days_before=10 + i * 20, amount=1000)
            for i in range(12)
        ]
        purchases += [
            cls._purchase_vals(cls.occasional, days_before=200, amount=1000),
            cls._purchase_vals(cls.occasional, days_before=250, amount=1000),
            cls._purchase_vals(cls.occasional, days_before=300, amount=500),
            cls._purchase_vals(cls.former, days_before=400, amount=100),
            # After the reference date: ignored when classifying on REFERENCE.
            cls._purchase_vals(cls.former, days_before=-5, amount=50000),
        ]
        cls.env["customer.archive.purchase"].create(purchases)
        cls.customers = cls.frequent | cls.occasional | cls.former | cls.newcomer
        cls.customers._archive_recompute_classification(REFERENCE)

    @classmethod
    def _registered(cls, name):
        partner = cls._create_customer(name)
        partner._archive_register(cls.folder)
        return partner

    @classmethod
    def _purchase_vals(cls, partner, days_before, amount):
        return {
            "partner_id": partner.id,
            "date": REFERENCE - timedelta(days=days_before),
            "product": "Tieguanyin 250 g",
            "folder_id": cls.folder.id,
            "amount": amount,
            "days_of_use": 30,
        }

    def test_tier_high_for_recent_frequent_big_spender(self):
        self.assertEqual(self.frequent.archive_tier, "high")
        self.assertEqual(self.frequent.archive_purchase_count, 12)
        self.assertEqual(self.frequent.archive_purchase_total, 12000)

    def test_tier_medium_for_one_point_each(self):
        self.assertEqual(self.occasional.archive_tier, "medium")

    def test_tier_low_ignores_later_purchases(self):
        self.assertEqual(self.former.archive_tier, "low")
        self.assertEqual(self.former.archive_purchase_count, 1)
        self.assertEqual(self.former.archive_purchase_total, 100)

    def test_tier_none_without_purchase(self):
        self.assertEqual(self.newcomer.archive_tier, "none")

    def test_activity_cycle_by_days_since_interaction(self):
        self.assertEqual(self.frequent.archive_activity_cycle, "active")
        self.assertEqual(self.occasional.archive_activity_cycle, "dormant")
        self.assertEqual(self.former.archive_activity_cycle, "lost")
        self.assertEqual(self.newcomer.archive_activity_cycle, "new")

    def test_archive_state_follows_cycle(self):
        self.assertEqual(self.occasional.archive_state, "dormant")
        self.assertEqual(self.frequent.archive_state, "registered")
        self.occasional._archive_recompute_classification(
            REFERENCE - timedelta(days=150)
        )
        self.assertEqual(self.occasional.archive_state, "registered")

    def test_last_dates_and_reference_stored(self):
        self.assertEqual(
            self.frequent.archive_last_purchase_date, REFERENCE - timedelta(days=10)
        )
        self.assertEqual(
            self.frequent.archive_last_interaction_date,
            REFERENCE - timedelta(days=10),
        )
        self.assertEqual(self.frequent.archive_classified_on, REFERENCE)

    def test_thresholds_come_from_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("customer_archive.monetary_high", "500")
        params.set_param("customer_archive.frequency_medium", "1")
        params.set_param("customer_archive.recency_medium_days", "500")
        self.former._archive_recompute_classification(REFERENCE)
        # Recency 1 + frequency 1 + monetary 0 (100 < medium 2000) = 2: low.
        self.assertEqual(self.former.archive_tier, "low")
        params.set_param("customer_archive.monetary_medium", "100")
        self.former._archive_recompute_classification(REFERENCE)
        # Recency 1 + frequency 1 + monetary 1 = 3: medium.
        self.assertEqual(self.former.archive_tier, "medium")

    def test_dormant_threshold_from_settings(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "customer_archive.dormant_days", "5"
        )
        self.frequent._archive_recompute_classification(REFERENCE)
        self.assertEqual(self.frequent.archive_activity_cycle, "dormant")

    def test_new_purchase_reclassifies(self):
        self.env["customer.archive.purchase"].create(
            self._purchase_vals(self.newcomer, days_before=0, amount=10)
        )
        self.assertEqual(self.newcomer.archive_purchase_count, 1)
        self.assertEqual(self.newcomer.archive_tier, "low")

    def test_depletion_date_from_days_of_use(self):
        purchase = self.env["customer.archive.purchase"].create(
            self._purchase_vals(self.newcomer, days_before=0, amount=10)
        )
        self.assertEqual(purchase.depletion_date, REFERENCE + timedelta(days=30))


@tagged("post_install", "-at_install")
class TestCategoryNames(ArchiveCase):
    def test_category_path_in_user_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        category = self.env.ref("customer_archive.category_need_own_use")
        category.with_context(lang="zh_CN").name = "自用"
        child = self.env["customer.archive.category"].create(
            {
                "name": "Tea Gifts",
                "scheme_id": category.scheme_id.id,
                "parent_id": category.id,
            }
        )
        chinese = child.with_context(lang="zh_CN")
        self.assertEqual(chinese.display_name, "自用 / Tea Gifts")
        self.assertEqual(
            child.with_context(lang="en_US").display_name, "Own Use / Tea Gifts"
        )

    def test_category_found_by_path(self):
        category = self.env.ref("customer_archive.category_need_own_use")
        found = self.env["customer.archive.category"].name_search("Own")
        self.assertIn(category.id, [category_id for category_id, _name in found])
