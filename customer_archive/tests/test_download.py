import base64
import io
from datetime import timedelta

from PIL import Image

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools.pdf import PdfFileWriter

from .common import ArchiveCase


@tagged("post_install", "-at_install")
class TestDownload(ArchiveCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.user, cls.manager, cls.user_2):
            user.password = f"{user.login}-password"
        cls.content = b"%PDF-1.4 signed contract"
        cls.document = cls._file_document(
            cls.customer, "customer_archive.document_type_con", content=cls.content
        )
        cls.attachment = cls.document.attachment_ids
        cls.log = cls.env["customer.archive.access.log"]

    def _login(self, user):
        self.authenticate(user.login, f"{user.login}-password")

    def _approve(self, user, start, end):
        request = (
            self.env["customer.archive.consultation"]
            .with_user(user)
            .create(
                {
                    "partner_ids": [(6, 0, self.customer.ids)],
                    "purpose": "Renewal",
                    "date_from": start,
                    "date_to": end,
                }
            )
        )
        request.action_submit()
        request.with_user(self.manager).action_approve()
        return request

    def _last_entry(self):
        return self.log.search([], limit=1, order="id desc")

    def _web_content(self):
        return self.url_open(f"/web/content/{self.attachment.id}?download=true")

    def _module_route(self):
        return self.url_open(
            f"/customer_archive/document/{self.document.id}/file/{self.attachment.id}"
        )

    def test_manager_downloads_through_web_content(self):
        self._login(self.manager)
        response = self._web_content()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, self.content)
        entry = self._last_entry()
        self.assertEqual((entry.action, entry.result), ("download", "granted"))
        self.assertEqual(entry.user_id, self.manager)
        self.assertEqual(entry.ip_address, "127.0.0.1")

    def test_manager_downloads_through_module_route(self):
        self._login(self.manager)
        response = self._module_route()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, self.content)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        entries = self.log.search([("document_id", "=", self.document.id)])
        self.assertEqual(len(entries), 1)

    def _missing_attachment_id(self):
        return self.env["ir.attachment"].search([], limit=1, order="id desc").id + 1000

    def test_user_without_request_refused_and_logged(self):
        self._login(self.user)
        for response in (self._web_content(), self._module_route()):
            self.assertEqual(response.status_code, 404)
            self.assertNotEqual(response.content, self.content)
        denied = self.log.search(
            [("document_id", "=", self.document.id), ("result", "=", "denied")]
        )
        self.assertEqual(len(denied), 2)

    def test_user_with_current_request_downloads(self):
        now = fields.Datetime.now()
        request = self._approve(
            self.user, now - timedelta(hours=1), now + timedelta(hours=2)
        )
        self._login(self.user)
        for response in (self._web_content(), self._module_route()):
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content, self.content)
        granted = self.log.search(
            [("document_id", "=", self.document.id), ("result", "=", "granted")]
        )
        self.assertEqual(len(granted), 2)
        self.assertEqual(granted.consultation_id, request)

    def test_user_with_expired_request_refused(self):
        now = fields.Datetime.now()
        self._approve(self.user, now - timedelta(days=3), now - timedelta(days=1))
        self._login(self.user)
        response = self._web_content()
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._last_entry().result, "denied")

    def test_access_token_does_not_bypass(self):
        token = self.attachment.sudo().generate_access_token()[0]
        self._login(self.user)
        response = self.url_open(
            f"/web/content/{self.attachment.id}?access_token={token}&download=true"
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._last_entry().result, "denied")

    def test_denied_file_looks_missing(self):
        missing_id = self._missing_attachment_id()
        self._login(self.user)
        routes = {
            "web content": (
                f"/web/content/{self.attachment.id}?download=true",
                f"/web/content/{missing_id}?download=true",
            ),
            "web image": (
                f"/web/image/{self.attachment.id}",
                f"/web/image/{missing_id}",
            ),
            "module route": (
                f"/customer_archive/document/{self.document.id}"
                f"/file/{self.attachment.id}",
                f"/customer_archive/document/{self.document.id}/file/{missing_id}",
            ),
        }
        for route, (denied_url, missing_url) in routes.items():
            with self.subTest(route=route):
                denied = self.url_open(denied_url)
                missing = self.url_open(missing_url)
                self.assertEqual(denied.status_code, missing.status_code)
                self.assertEqual(denied.content, missing.content)
                self.assertEqual(
                    denied.headers.get("Content-Type"),
                    missing.headers.get("Content-Type"),
                )
                self.assertEqual(self._last_entry().result, "denied")
        denied = self.log.search(
            [("document_id", "=", self.document.id), ("result", "=", "denied")]
        )
        self.assertEqual(len(denied), 3)

    def test_anonymous_refusal_not_logged(self):
        last = self._last_entry()
        for url in (
            f"/web/content/{self.attachment.id}?download=true",
            f"/web/image/{self.attachment.id}",
            f"/customer_archive/document/{self.document.id}/file/{self.attachment.id}",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertNotEqual(response.content, self.content)
        self.assertEqual(self._last_entry(), last)

    def _pdf_first_page(self, token=None):
        url = f"/mail/attachment/pdf_first_page/{self.attachment.id}"
        return self.url_open(url + (f"?access_token={token}" if token else ""))

    def test_pdf_first_page_logged(self):
        writer = PdfFileWriter()
        writer.add_blank_page(72, 72)
        pdf = io.BytesIO()
        writer.write(pdf)
        document = self._file_document(
            self.customer, "customer_archive.document_type_con", content=pdf.getvalue()
        )
        self._login(self.manager)
        response = self.url_open(
            f"/mail/attachment/pdf_first_page/{document.attachment_ids.id}"
        )
        self.assertEqual(response.status_code, 200)
        entry = self._last_entry()
        self.assertEqual((entry.action, entry.result), ("download", "granted"))
        self.assertEqual(entry.document_id, document)

    def test_pdf_first_page_refused_without_request(self):
        self._login(self.user)
        response = self._pdf_first_page()
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._last_entry().result, "denied")

    def test_ownership_token_opens_no_archive_file(self):
        token = self.attachment.sudo()._get_ownership_token()
        self.assertFalse(
            self.attachment.with_user(self.user)._has_attachments_ownership([token])
        )
        response = self._pdf_first_page(token)
        self.assertEqual(response.status_code, 404)

    def test_image_route_checked(self):
        self._login(self.user)
        response = self.url_open(f"/web/image/{self.attachment.id}")
        self.assertNotEqual(response.content, self.content)

    def test_index_card_print_logged(self):
        self._login(self.user)
        response = self.url_open(
            f"/report/html/customer_archive.report_index_card/{self.customer.id}"
        )
        self.assertEqual(response.status_code, 200)
        entry = self._last_entry()
        self.assertEqual((entry.action, entry.partner_id), ("print", self.customer))
        self.assertEqual(entry.details, "index_card")

    # PDF thumbnails, which the web client's PDF viewer posts when it opens a PDF

    def _update_thumbnail(self):
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
        return self.make_jsonrpc_request(
            "/mail/attachment/update_thumbnail",
            {
                "attachment_id": self.attachment.id,
                "thumbnail": base64.b64encode(buffer.getvalue()).decode(),
            },
        )

    def _stored_attachment(self):
        attachment = self.attachment.sudo()
        attachment.invalidate_recordset()
        return attachment

    def test_consulted_pdf_thumbnail_not_stored(self):
        now = fields.Datetime.now()
        self._approve(self.user, now - timedelta(hours=1), now + timedelta(hours=2))
        before = self._stored_attachment()
        write_date = before.write_date
        checksum = before.archive_sha256
        self._login(self.user)

        self.assertIsNone(self._update_thumbnail())

        after = self._stored_attachment()
        self.assertFalse(after.thumbnail)
        self.assertEqual(after.raw, self.content)
        self.assertEqual(after.archive_sha256, checksum)
        self.assertEqual(after.write_date, write_date)

    def test_manager_pdf_thumbnail_stored(self):
        self._login(self.manager)

        self._update_thumbnail()

        attachment = self._stored_attachment()
        self.assertTrue(attachment.thumbnail)
        self.assertEqual(attachment.raw, self.content)

    def test_unreadable_pdf_thumbnail_looks_missing(self):
        self._login(self.user)
        with self.assertRaises(JsonRpcException) as error:
            self._update_thumbnail()
        self.assertEqual(error.exception.code, 404)
        self.assertFalse(self._stored_attachment().thumbnail)
