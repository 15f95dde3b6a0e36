from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_consultation import ConsultationCase

BEFORE = datetime(2026, 2, 28, 12, 0)
DURING = datetime(2026, 3, 2, 12, 0)
AFTER = datetime(2026, 3, 4, 12, 0)


@tagged("post_install", "-at_install")
class TestConsultationAccess(ConsultationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_confidential = cls._file_document(
            cls._registered_other(), "customer_archive.document_type_con"
        )

    @classmethod
    def _registered_other(cls):
        partner = cls._create_customer("Qian Hui")
        partner._archive_register(cls.folder, user=cls.user)
        return partner

    def setUp(self):
        super().setUp()
        self.request = self._approved_request(self.user)
        self.documents = self.env["customer.archive.document"].with_user(self.user)

    def _can_read(self, document):
        try:
            document.with_user(self.user).read(["name"])
        except AccessError:
            return False
        return True

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_read_only_during_period(self):
        for moment, expected in ((BEFORE, False), (DURING, True), (AFTER, False)):
            with self.subTest(moment=moment), freeze_time(moment):
                self.env.invalidate_all()
                self.assertEqual(self._can_read(self.confidential_doc), expected)

    def test_search_read_during_period(self):
        for moment, expected in ((BEFORE, 0), (DURING, 1), (AFTER, 0)):
            with self.subTest(moment=moment), freeze_time(moment):
                rows = self.documents.search_read(
                    [("id", "=", self.confidential_doc.id)], ["name"]
                )
                self.assertEqual(len(rows), expected)

    def test_read_group_during_period(self):
        domain = [("confidentiality", "=", "confidential")]
        for moment, expected in ((BEFORE, 0), (DURING, 1), (AFTER, 0)):
            with self.subTest(moment=moment), freeze_time(moment):
                count = self.documents._read_group(domain, [], ["__count"])[0][0]
                self.assertEqual(count, expected)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_request_covers_only_its_customers(self):
        with freeze_time(DURING):
            self.assertFalse(self._can_read(self.other_confidential))

    def test_document_scope_request(self):
        request = self._request(
            self.manager,
            requester_id=self.user_2.id,
            partner_ids=[],
            document_ids=[(6, 0, self.other_confidential.ids)],
        )
        request.action_submit()
        request.with_user(self.manager_2).action_approve()
        with freeze_time(DURING):
            visible = (
                self.env["customer.archive.document"]
                .with_user(self.user_2)
                .search([("confidentiality", "=", "confidential")])
            )
        self.assertEqual(visible, self.other_confidential)

    def test_type_scope_narrows_customer_request(self):
        payment = self._file_document(
            self.customer, "customer_archive.document_type_pay"
        )
        self._approved_request(
            self.user_2,
            type_ids=[(6, 0, self.env.ref("customer_archive.document_type_pay").ids)],
        )
        with freeze_time(DURING):
            visible = (
                self.env["customer.archive.document"]
                .with_user(self.user_2)
                .search([("confidentiality", "=", "confidential")])
            )
        self.assertEqual(visible, payment)

    def test_export_during_period_only(self):
        for moment, expected in ((BEFORE, 0), (DURING, 1), (AFTER, 0)):
            with self.subTest(moment=moment), freeze_time(moment):
                records = self.documents.search([("id", "=", self.confidential_doc.id)])
                self.assertEqual(len(records.export_data(["name"])["datas"]), expected)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_attachment_read_during_period_only(self):
        attachment = self.confidential_doc.attachment_ids
        for moment, expected in ((BEFORE, False), (DURING, True), (AFTER, False)):
            with self.subTest(moment=moment), freeze_time(moment):
                self.env.invalidate_all()
                try:
                    attachment.with_user(self.user).read(["datas"])
                    allowed = True
                except AccessError:
                    allowed = False
                self.assertEqual(allowed, expected)

    def test_attachment_search_during_period_only(self):
        attachment = self.confidential_doc.attachment_ids
        for moment, expected in ((BEFORE, 0), (DURING, 1), (AFTER, 0)):
            with self.subTest(moment=moment), freeze_time(moment):
                self.env.invalidate_all()
                found = (
                    self.env["ir.attachment"]
                    .with_user(self.user)
                    .search([("id", "=", attachment.id)])
                )
                self.assertEqual(len(found), expected)

    def test_request_does_not_open_internal_documents(self):
        internal = self._file_document(
            self.customer, "customer_archive.document_type_inf"
        )
        with freeze_time(DURING):
            visible = (
                self.env["customer.archive.document"]
                .with_user(self.user_2)
                .search([("id", "=", internal.id)])
            )
        self.assertFalse(visible)

    def test_manager_reads_without_request(self):
        for moment in (BEFORE, DURING, AFTER):
            with self.subTest(moment=moment), freeze_time(moment):
                rows = self.confidential_doc.with_user(self.manager).read(["name"])
                self.assertEqual(rows[0]["name"], self.confidential_doc.name)

    def test_rejected_request_grants_nothing(self):
        request = self._request(self.user_2)
        request.action_submit()
        request.with_user(self.manager)._reject("Not needed")
        with freeze_time(DURING):
            visible = (
                self.env["customer.archive.document"]
                .with_user(self.user_2)
                .search([("id", "=", self.confidential_doc.id)])
            )
        self.assertFalse(visible)
