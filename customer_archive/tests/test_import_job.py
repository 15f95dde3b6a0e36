import base64
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

CUSTOMERS = (
    "customer_id,company_name,country\nTEAHS,Tea House,China\nCUPCO,Cup Company,China\n"
)
ORDERS = "order_id,customer_id,order_date\n1,TEAHS,2024-03-01\n2,CUPCO,2024-03-04\n"
DETAILS = (
    "order_id,product_id,unit_price,quantity\n1,1,10,2\n1,2,5,1\n2,2,5,4\nx,2,5,4\n"
)
PRODUCTS = "product_id,product_name,category_id\n1,Green Tea,1\n2,Cup,2\n"
CATEGORIES = "category_id,category_name\n1,Tea\n2,Teaware\n"


def _encode(text):
    return base64.b64encode(text.encode())


@tagged("post_install", "-at_install")
class TestImportJob(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="ca_job_manager",
            groups="customer_archive.group_archive_manager,base.group_partner_manager",
        )
        cls.cron = cls.env.ref("customer_archive.ir_cron_run_import_jobs")

    def _queue(self, **files):
        wizard = (
            self.env["customer.archive.import.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "source_prefix": "jobtest",
                    "customers_file": _encode(CUSTOMERS),
                    "customers_filename": "customers.csv",
                    "orders_file": _encode(ORDERS),
                    "order_details_file": _encode(DETAILS),
                    "products_file": _encode(PRODUCTS),
                    "categories_file": _encode(CATEGORIES),
                    **files,
                }
            )
        )
        action = wizard.action_import_background()
        return self.env["customer.archive.import.job"].browse(action["res_id"])

    def _run_cron(self):
        """Run the scheduled action, its commits turned into flushes."""
        with (
            self.enter_registry_test_mode(),
            patch.object(self.env.cr, "commit", self.env.flush_all),
        ):
            self.env["customer.archive.import.job"]._cron_run_import_jobs()
        self.env.invalidate_all()

    def test_queue_triggers_cron(self):
        job = self._queue()
        self.assertEqual(job.state, "queued")
        self.assertEqual(job.user_id, self.manager)
        self.assertIn("customers.csv", job.file_names)
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.assertTrue(trigger)

    def test_unreadable_file_rejected_when_queued(self):
        with self.assertRaises(UserError):
            self._queue(orders_file=_encode("order_id,customer_id\n1,TEAHS\n"))
        self.assertFalse(self.env["customer.archive.import.job"].search([]))

    def test_cron_imports_and_records_progress(self):
        job = self._queue()
        self._run_cron()
        self.assertEqual(job.state, "done")
        # 2 customers, 3 valid order lines and 2 customers to register.
        self.assertEqual(job.rows_total, 7)
        self.assertEqual(job.rows_done, 7)
        self.assertEqual(job.progress, 100.0)
        self.assertEqual(job.rejection_count, 1)
        self.assertTrue(job.started_at)
        self.assertTrue(job.finished_at)
        partners = self.env["res.partner"].search(
            [("archive_customer_code", "in", ["TEAHS", "CUPCO"])]
        )
        self.assertEqual(len(partners), 2)
        self.assertTrue(all(partners.mapped("archive_number")))
        self.assertEqual(partners.archive_user_id, self.manager)

    def test_report_opens_in_import_dialog(self):
        job = self._queue()
        self._run_cron()
        action = job.with_user(self.manager).action_open_report()
        wizard = self.env["customer.archive.import.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.rejection_count, 1)
        results = {result.file: result.created_count for result in wizard.result_ids}
        self.assertEqual(results["order_details"], 3)

    def test_progress_reported_after_each_step(self):
        self._queue()
        reported = []
        job_class = type(self.env["customer.archive.import.job"])
        original = job_class._record_progress

        def record(records, done, total):
            reported.append((done, total))
            return original(records, done, total)

        with patch.object(job_class, "_record_progress", record):
            self._run_cron()
        self.assertEqual(reported[0], (2, 7))
        self.assertEqual(reported[-1], (7, 7))
        self.assertEqual(reported, sorted(reported))

    def test_failed_import_saves_nothing(self):
        job = self._queue()

        def fail(*args, **kwargs):
            raise ValueError("Disk full")

        with (
            patch.object(
                type(self.env["customer.archive.importer"]), "_import_register", fail
            ),
            mute_logger(
                "odoo.addons.customer_archive.wizard.customer_archive_importer"
            ),
        ):
            self._run_cron()
        self.assertEqual(job.state, "failed")
        self.assertIn("Disk full", job.error_message)
        self.assertFalse(
            self.env["res.partner"].search([("archive_customer_code", "=", "TEAHS")])
        )

    def test_interrupted_job_runs_again(self):
        job = self._queue()
        job.state = "running"
        with mute_logger(
            "odoo.addons.customer_archive.models.customer_archive_import_job"
        ):
            self._run_cron()
        self.assertEqual(job.state, "done")

    def test_running_job_cannot_be_deleted(self):
        job = self._queue()
        job.state = "running"
        with self.assertRaises(UserError):
            job.unlink()
