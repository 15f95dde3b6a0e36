import logging

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..wizard.customer_archive_import_wizard import read_tables

_logger = logging.getLogger(__name__)

JOB_STATES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
CRON_XMLID = "customer_archive.ir_cron_run_import_jobs"
# Fields that only the queue and the scheduled action write, in sudo mode.
# The import runs with the requester's access rights, so writing the requester
# would let a manager import as another user.
SYSTEM_FIELDS = frozenset(
    {
        "state",
        "user_id",
        "company_id",
        "rows_done",
        "rows_total",
        "started_at",
        "finished_at",
        "error_message",
        "report",
        "rejection_count",
    }
)


class CustomerArchiveImportJob(models.Model):
    """Import of customer files run by a scheduled action, with its progress.

    The import itself is the one of the import dialog: every row is written in
    one transaction, or nothing when it fails. Its state and progress are
    written in separate, immediately committed transactions, so the requester
    can follow them while the import runs.
    """

    _name = "customer.archive.import.job"
    _description = "Customer Import Job"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    state = fields.Selection(
        JOB_STATES, default="queued", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        help="The import runs with this user's access rights.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    file_format = fields.Selection(
        [("csv", "CSV Files"), ("xlsx", "XLSX Workbook")], required=True, readonly=True
    )
    file_names = fields.Char(string="Files", readonly=True)
    source_prefix = fields.Char(string="Source", required=True, readonly=True)
    classification_date = fields.Date(string="Classify On", readonly=True)
    rows_done = fields.Integer(string="Rows Written", readonly=True)
    rows_total = fields.Integer(
        string="Rows to Write",
        readonly=True,
        help="Valid customer rows, valid order lines and customers to register; "
        "known once the files are validated.",
    )
    progress = fields.Float(compute="_compute_progress", string="Progress (%)")
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    error_message = fields.Text(readonly=True)
    report = fields.Json(readonly=True)
    rejection_count = fields.Integer(string="Rejected Rows", readonly=True)

    @api.depends("file_names", "file_format")
    def _compute_name(self):
        for job in self:
            job.name = self.env._(
                "Import of %(files)s", files=job.file_names or job.file_format
            )

    @api.depends("rows_done", "rows_total", "state")
    def _compute_progress(self):
        for job in self:
            if job.state == "done":
                job.progress = 100.0
            elif job.rows_total:
                job.progress = 100.0 * job.rows_done / job.rows_total
            else:
                job.progress = 0.0

    @api.model
    def _check_system_fields(self, vals, defaults=False):
        """Reject values of ``SYSTEM_FIELDS`` written outside sudo mode.

        With ``defaults``, as on create, the queued state, the current user as
        requester and the job's company are accepted.
        """
        if self.env.su:
            return
        names = SYSTEM_FIELDS & vals.keys()
        if defaults:
            accepted = {"state": "queued", "user_id": self.env.uid}
            names = {
                name
                for name in names - {"company_id"}
                if vals[name] and vals[name] != accepted.get(name)
            }
        if names:
            raise UserError(
                self.env._(
                    "The field(s) %(fields)s of an import job are set when it is "
                    "queued and while it runs; import the files again to start "
                    "a new job.",
                    fields=", ".join(sorted(names)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_system_fields(vals, defaults=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_system_fields(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_running(self):
        if any(job.state == "running" for job in self):
            raise UserError(
                self.env._(
                    "An import is running and cannot be deleted; wait until it is "
                    "done or failed."
                )
            )

    def action_refresh(self):
        """Reload the job's state and progress; the button's reload does the work."""
        return True

    def action_open_report(self):
        """Show the job's report in the import dialog."""
        self.ensure_one()
        if self.state != "done":
            raise UserError(
                self.env._(
                    "The import %(job)s has no report yet; wait until it is done.",
                    job=self.display_name,
                )
            )
        report = self.report or {}
        wizard = self.env["customer.archive.import.wizard"].create(
            {
                "state": "done",
                "source_prefix": self.source_prefix,
                "classified_on": report.get("reference_date"),
                "result_ids": [
                    fields.Command.create(vals) for vals in report.get("files", [])
                ],
                "rejection_ids": [
                    fields.Command.create(vals) for vals in report.get("rejections", [])
                ],
                "rejection_count": len(report.get("rejections", [])),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Report"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import in Progress"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "current",
        }

    # Queue

    def _attach_files(self, files, file_names):
        """Store the uploaded ``files`` (bytes by table name) as the job's files."""
        self.ensure_one()
        self.env["ir.attachment"].create(
            [
                {
                    "name": file_names.get(key) or key,
                    "description": key,
                    "raw": content,
                    "res_model": self._name,
                    "res_id": self.id,
                }
                for key, content in files.items()
            ]
        )
        self.file_names = ", ".join(file_names.get(key) or key for key in sorted(files))

    def _source_files(self):
        """Return the bytes of the job's files, keyed by table name."""
        self.ensure_one()
        # sudo: the job's own files, read by the scheduled action.
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "=", self.id)])
        )
        return {attachment.description: attachment.raw for attachment in attachments}

    def _enqueue(self):
        """Wake the scheduled action that runs queued imports."""
        self.env.ref(CRON_XMLID).sudo()._trigger()

    # Progress, written outside the import's transaction

    def _record_progress(self, done, total):
        self.ensure_one()
        self._write_now({"rows_done": done, "rows_total": total})

    def _write_now(self, vals):
        """Write ``vals`` on the job in its own transaction, committed at once.

        The import's transaction does not write the job row after claiming it.
        These writes therefore do not wait for its locks, and it cannot fail on
        a concurrent update of the row.
        """
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env[self._name].browse(self.id).write(vals)
        self.invalidate_recordset(list(vals))

    def _mark_failed(self, message):
        self._write_now(
            {
                "state": "failed",
                "finished_at": fields.Datetime.now(),
                "error_message": message,
            }
        )
        self._notify_requester(message, "danger")

    def _notify_requester(self, message, notification_type):
        self.ensure_one()
        self.user_id._bus_send(
            "simple_notification",
            {
                "title": self.display_name,
                "message": message,
                "type": notification_type,
                "sticky": notification_type != "success",
            },
        )

    # Scheduled action

    @api.model
    def _cron_run_import_jobs(self):
        """Run the queued imports one by one, oldest first.

        Odoo runs one instance of a scheduled action at a time, so a job still
        running at the start was interrupted by a server stop or a killed
        worker. It is queued again. Importing it again is safe because an
        import writes all or nothing, and the same files update the same
        records.
        """
        cron = self.env["ir.cron"]
        interrupted = self.search([("state", "=", "running")])
        if interrupted:
            _logger.warning(
                "Import jobs %s were interrupted and are queued again",
                interrupted.ids,
            )
            interrupted.write({"state": "queued"})
        queued_count = self.search_count([("state", "=", "queued")])
        cron._commit_progress(remaining=queued_count)
        while job := self._claim_next():
            # Messages and the report are in the requester's language.
            job.with_context(lang=job.user_id.lang or "en_US")._run()
            if not cron._commit_progress(1):
                return False
        return True

    @api.model
    def _claim_next(self):
        """Mark the oldest queued job as running, commit, and return it."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM customer_archive_import_job
                    WHERE state = 'queued'
                 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"""
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return self.browse()
        job = self.browse(row[0])
        job.write(
            {
                "state": "running",
                "started_at": fields.Datetime.now(),
                "rows_done": 0,
                "error_message": False,
            }
        )
        self.env["ir.cron"]._commit_progress()
        return job

    def _run(self):
        """Import the job's files as its requester and record the outcome."""
        self.ensure_one()
        _logger.info("Import job %s of user %s starts", self.id, self.user_id.id)
        importer = (
            self.env["customer.archive.importer"]
            .with_user(self.user_id)
            .with_company(self.company_id)
            .with_context(archive_import_job_id=self.id)
        )
        try:
            with self.env.cr.savepoint():
                tables = read_tables(
                    importer.env, self.file_format, self._source_files()
                )
                report = importer._import_tables(
                    tables,
                    source_prefix=self.source_prefix,
                    reference_date=self.classification_date,
                )
        except UserError as error:
            _logger.info("Import job %s failed: %s", self.id, error)
            self._mark_failed(str(error))
            return
        except Exception as error:
            # Unexpected errors too end the job, or every run would retry it.
            _logger.exception("Import job %s failed", self.id)
            self._mark_failed(
                self.env._(
                    "The import stopped on an unexpected error, so nothing was "
                    "saved: %(error)s. Report it to your administrator with the "
                    "job number %(job)s.",
                    error=str(error),
                    job=self.id,
                )
            )
            return
        # The rows are committed before the job is marked done. A crash in
        # between leaves the job running, and the next run imports it again.
        self.env["ir.cron"]._commit_progress()
        self._mark_done(report)

    def _mark_done(self, report):
        report["reference_date"] = fields.Date.to_string(report["reference_date"])
        self._write_now(
            {
                "state": "done",
                "finished_at": fields.Datetime.now(),
                "report": report,
                "rejection_count": len(report["rejections"]),
            }
        )
        _logger.info(
            "Import job %s done: %s rows written, %s rejected",
            self.id,
            self.rows_done,
            self.rejection_count,
        )
        self._notify_requester(
            self.env._(
                "The import is done: %(done)s rows written, %(rejected)s rejected.",
                done=self.rows_done,
                rejected=self.rejection_count,
            ),
            "warning" if self.rejection_count else "success",
        )
