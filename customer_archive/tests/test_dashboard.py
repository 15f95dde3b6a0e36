from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.customer_archive_dashboard_figure import FIGURES
from .common import ArchiveCase

TODAY = date(2026, 6, 10)  # a Wednesday


@tagged("post_install", "-at_install")
@freeze_time("2026-06-10 04:00:00")
class TestDashboard(ArchiveCase):
    """Each dashboard figure counts its records and opens exactly those."""

    def _figures(self):
        figures = (
            self.env["customer.archive.dashboard.figure"]
            .with_user(self.manager)
            .search([])
        )
        figures.invalidate_recordset(["value"])
        return {figure.key: figure for figure in figures}

    def _values(self):
        return {key: figure.value for key, figure in self._figures().items()}

    def _opened(self, key):
        """Return the records listed when the figure ``key`` is clicked."""
        action = self._figures()[key].action_open()
        return (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .search(action["domain"])
        )

    def _create_records(self):
        """Create one record counted and one not counted by each figure."""
        self.env.flush_all()
        Consultation = self.env["customer.archive.consultation"].with_user(self.user)
        request_vals = {
            "partner_ids": [(6, 0, self.customer.ids)],
            "purpose": "Check the contract before renewing it",
            "date_to": "2026-06-20 18:00:00",
        }
        submitted = Consultation.create(request_vals)
        submitted.action_submit()
        draft = Consultation.create(request_vals)

        def document(retention_day):
            return self._file_document(
                self.customer,
                "customer_archive.document_type_con",
                retention_override_date=retention_day,
                retention_override_reason="Known retention date of the dashboard test",
            )

        ending = document(TODAY + timedelta(days=10))
        later = document(TODAY + timedelta(days=31))
        due = document(TODAY - timedelta(days=3))
        due.retention_state = "due"
        held = document(TODAY + timedelta(days=5))
        held._retention_place_legal_hold("Pending lawsuit")

        dormant_days = self.env["res.partner"]._archive_classification_settings()[1]
        turning = self._registered("Turning Dormant")
        turning.archive_last_interaction_date = date(2026, 6, 15) - timedelta(
            days=dormant_days
        )
        recent = self._registered("Recent Visitor")
        recent.archive_last_interaction_date = date(2026, 7, 2) - timedelta(
            days=dormant_days
        )

        Journal = self.env["customer.archive.journal.entry"]
        complaint = Journal.create(
            {
                "entry_type": "complaint",
                "partner_id": self.customer.id,
                "content": "Package arrived open",
                "channel": "phone",
            }
        )
        resolved = Journal.create(
            {
                "entry_type": "complaint",
                "partner_id": self.customer.id,
                "content": "Wrong tea sent",
                "channel": "store",
                "resolution": "Exchanged the tea",
                "complaint_state": "resolved",
                "resolved_date": TODAY,
            }
        )

        birthday = self._registered("Friday Birthday", archive_birthday="1990-06-12")
        next_week = self._registered("Later Birthday", archive_birthday="1990-06-15")
        self.env.flush_all()
        return {
            "consultations_to_decide": (submitted, draft),
            "retention_ending": (ending, later | held),
            "destruction_due": (due, ending),
            "legal_hold": (held, ending),
            "turning_dormant": (turning, recent),
            "open_complaints": (complaint, resolved),
            "birthdays_this_week": (birthday, next_week),
        }

    def _registered(self, name, **vals):
        partner = self._create_customer(name, **vals)
        partner._archive_register(self.folder)
        return partner

    def test_every_figure_shown(self):
        self.assertEqual(list(self._figures()), [key for key, _label in FIGURES])

    def test_figures_count_their_records(self):
        before = self._values()
        records = self._create_records()
        after = self._values()
        for key in records:
            with self.subTest(figure=key):
                self.assertEqual(after[key] - before[key], 1)

    def test_figures_open_their_records(self):
        records = self._create_records()
        values = self._values()
        for key, (counted, not_counted) in records.items():
            with self.subTest(figure=key):
                opened = self._opened(key)
                self.assertEqual(len(opened), values[key])
                self.assertIn(counted, opened)
                self.assertFalse(not_counted & opened)

    def test_figure_action_named_after_figure(self):
        action = self._figures()["open_complaints"].action_open()
        self.assertEqual(action["name"], "Open Complaints")
        self.assertEqual(action["res_model"], "customer.archive.journal.entry")
        self.assertFalse(action["context"]["create"])

    def test_archive_user_cannot_open_dashboard(self):
        with self.assertRaises(AccessError):
            self.env["customer.archive.dashboard.figure"].with_user(self.user).search(
                []
            )
