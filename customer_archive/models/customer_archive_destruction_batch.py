import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .customer_archive_document_retention import DESTRUCTION_METHODS

_logger = logging.getLogger(__name__)

BATCH_STATES = [
    ("proposed", "Proposed"),
    ("verified", "Verified"),
    ("approved", "Approved"),
    ("executed", "Executed"),
    ("cancelled", "Cancelled"),
]
# Fields that only the workflow buttons write, in sudo mode after their own
# checks: writing them directly would let a manager approve their own batch.
WORKFLOW_FIELDS = frozenset(
    {
        "name",
        "state",
        "company_id",
        "proposed_by_id",
        "proposed_date",
        "verified_by_id",
        "verified_date",
        "approved_by_id",
        "approved_date",
        "executed_by_id",
        "executed_date",
        "method",
        "execution_note",
    }
)


class CustomerArchiveDestructionBatch(models.Model):
    """Destruction list (销毁清册): expired documents verified, approved, destroyed.

    Four-eyes rule: the manager who approves a batch must be neither its
    proposer, nor its verifier, nor anyone who confirmed one of its lines. The
    proposer may verify, so a store with two archive managers can destroy:
    one proposes and verifies, the other approves.
    """

    _name = "customer.archive.destruction.batch"
    _description = "Destruction Batch"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/", index="trigram"
    )
    state = fields.Selection(
        BATCH_STATES,
        default="proposed",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    note = fields.Text(help="Why these documents are proposed, or any remark.")
    line_ids = fields.One2many(
        "customer.archive.destruction.line", "batch_id", string="Documents"
    )
    proposed_by_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    proposed_date = fields.Datetime(
        string="Proposed On", readonly=True, default=fields.Datetime.now
    )
    verified_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False, tracking=True
    )
    verified_date = fields.Datetime(string="Verified On", readonly=True, copy=False)
    approved_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False, tracking=True
    )
    approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    executed_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False, tracking=True
    )
    executed_date = fields.Datetime(string="Executed On", readonly=True, copy=False)
    method = fields.Selection(
        DESTRUCTION_METHODS, readonly=True, copy=False, tracking=True
    )
    execution_note = fields.Text(readonly=True, copy=False)
    register_ids = fields.One2many(
        "customer.archive.destruction.register", "batch_id", string="Register Entries"
    )
    line_count = fields.Integer(string="Document Count", compute="_compute_counts")
    pending_count = fields.Integer(string="To Check", compute="_compute_counts")
    confirmed_count = fields.Integer(string="Confirmed", compute="_compute_counts")
    removed_count = fields.Integer(string="Removed", compute="_compute_counts")
    can_approve = fields.Boolean(compute="_compute_can_approve")

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for batch in self:
            states = batch.line_ids.mapped("state")
            batch.line_count = len(states) - states.count("removed")
            batch.pending_count = states.count("pending")
            batch.confirmed_count = states.count("confirmed")
            batch.removed_count = states.count("removed")

    @api.depends_context("uid")
    @api.depends("proposed_by_id", "verified_by_id", "line_ids.checked_by_id")
    def _compute_can_approve(self):
        for batch in self:
            batch.can_approve = self.env.user not in batch._approval_excluded_users()

    @api.model
    def _check_workflow_fields(self, vals, defaults=False):
        """Reject values of ``WORKFLOW_FIELDS`` written outside sudo mode.

        With ``defaults``, as on create, the default reference and state and
        the batch's company are accepted.
        """
        if self.env.su:
            return
        names = WORKFLOW_FIELDS & vals.keys()
        if defaults:
            names = {
                name
                for name in names - {"company_id"}
                if vals[name] and vals[name] not in ("/", "proposed")
            }
        if names:
            raise UserError(
                self.env._(
                    "The field(s) %(fields)s of a destruction batch are set by "
                    "its Mark as Verified, Approve, Execute Destruction and Cancel "
                    "Batch buttons; use those buttons instead of writing them.",
                    fields=", ".join(sorted(names)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_workflow_fields(vals, defaults=True)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "customer.archive.destruction.batch"
                )
        return super().create(vals_list)

    def write(self, vals):
        self._check_workflow_fields(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        started = self.filtered(lambda b: b.state != "proposed")
        if started:
            raise UserError(
                self.env._(
                    "The destruction batch %(batch)s is %(state)s and stays on "
                    "record; cancel it instead of deleting it.",
                    batch=started[0].name,
                    state=started[0]._state_label(),
                )
            )
        self.line_ids.filtered(
            lambda line: line.state != "removed"
        )._release_documents()

    # Proposal

    @api.model
    def _propose(self, documents, note=False):
        """Create a batch of ``documents``, which must be due and not held."""
        self._ensure_manager()
        if not documents:
            raise UserError(
                self.env._(
                    "No document is due for destruction: the retention expiry "
                    "marks documents as due once their retention date has passed."
                )
            )

        # Lock the documents so that two proposals cannot take the same one.
        documents = documents.sudo()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM customer_archive_document WHERE id = ANY(%s) "
                "ORDER BY id FOR UPDATE",
                documents.ids,
            )
        )
        documents.invalidate_recordset(["retention_state", "destruction_batch_id"])

        not_due = documents.filtered(lambda d: d.retention_state != "due")
        if not_due:
            document = not_due[0]
            raise UserError(
                self.env._(
                    "%(document)s is %(state)s, not due for destruction; leave it "
                    "out of the batch.",
                    document=document.display_name,
                    state=dict(
                        document._fields["retention_state"]._description_selection(
                            self.env
                        )
                    )[document.retention_state],
                )
            )
        documents._retention_check_destroyable()
        if len(documents.company_id) > 1:
            raise UserError(
                self.env._(
                    "A destruction batch covers the documents of one company; "
                    "propose one batch per company."
                )
            )

        ordered = documents.sorted(lambda d: (d.partner_id.archive_number, d.name))
        lines = [
            fields.Command.create({"document_id": document.id, "sequence": index})
            for index, document in enumerate(ordered)
        ]
        # sudo: lines are created only here, after the checks above, and the
        # proposer stays the current user.
        batch = (
            self.sudo()
            .create(
                {
                    "company_id": documents.company_id.id,
                    "note": note,
                    "line_ids": lines,
                }
            )
            .sudo(False)
        )
        # The sudo create skipped the multi-company record rules, so check them.
        batch.check_access("create")
        documents.write(
            {"retention_state": "in_batch", "destruction_batch_id": batch.id}
        )
        return batch

    # Verification

    def action_confirm_all(self):
        """Confirm every line still to check as present and complete."""
        self.ensure_one()
        self._ensure_manager()
        self._lock_and_ensure_state("proposed")
        self.line_ids.filtered(lambda line: line.state == "pending")._confirm()
        return True

    def action_verify(self):
        """Close the verification (核实) once every line is confirmed or removed."""
        self.ensure_one()
        self._ensure_manager()
        self._lock_and_ensure_state("proposed")
        if self.pending_count:
            raise UserError(
                self.env._(
                    "%(count)s documents of %(batch)s are still to check: confirm "
                    "each one or remove it from the batch with a reason.",
                    count=self.pending_count,
                    batch=self.name,
                )
            )
        if not self.confirmed_count:
            raise UserError(
                self.env._(
                    "Every document of %(batch)s was removed: cancel the batch "
                    "instead.",
                    batch=self.name,
                )
            )
        # sudo: state and verifier are workflow fields, written after the
        # checks above.
        self.sudo().write(
            {
                "state": "verified",
                "verified_by_id": self.env.user.id,
                "verified_date": fields.Datetime.now(),
            }
        )
        self._schedule_approval_activities()
        return True

    # Approval

    def action_approve(self):
        self.ensure_one()
        self._ensure_manager()
        self._lock_and_ensure_state("verified")
        self._ensure_approver()
        # sudo: state and approver are workflow fields, and _ensure_approver has
        # excluded the proposer, the verifier and the line checkers.
        self.sudo().write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "approved_date": fields.Datetime.now(),
            }
        )
        self._close_approval_activities()
        return True

    # Execution

    def action_execute(self):
        """Open the dialog recording the destruction method."""
        self.ensure_one()
        self._ensure_manager()
        self._ensure_state("approved")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Execute Destruction"),
            "res_model": "customer.archive.destruction.execute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_batch_id": self.id},
        }

    def _execute(self, method, note=False):
        """Destroy the files of the confirmed documents and record each one.

        The attachments are deleted in this transaction and their stored files
        right after it commits. Each document stays as a destroyed record with
        its metadata, and the register gets one hash-chained entry per document.
        """
        self.ensure_one()
        self._ensure_manager()
        self._lock_and_ensure_state("approved")
        self._ensure_approved_by_other()
        if method not in dict(DESTRUCTION_METHODS):
            raise UserError(self.env._("Choose how the documents are destroyed."))
        documents = self.line_ids.filtered(
            lambda line: line.state == "confirmed"
        ).document_id
        # sudo: the files and register are written by the module, whatever the
        # executing manager's rights on attachments.
        documents = documents.sudo()
        documents._retention_check_destroyable()
        attachments = documents._destruction_attachments()
        self._check_no_shared_content(attachments)
        checksums = {
            document: document._destruction_checksum_text() for document in documents
        }
        store_fnames = [name for name in attachments.mapped("store_fname") if name]
        now = fields.Datetime.now()
        # sudo: the method and executor are workflow fields.
        self.sudo().write(
            {
                "method": method,
                "execution_note": note,
                "executed_by_id": self.env.user.id,
                "executed_date": now,
                "state": "executed",
            }
        )
        self.env["customer.archive.destruction.register"]._record_destruction(
            self, documents, checksums
        )
        attachments.unlink()
        for document in documents:
            document.write(
                {
                    "retention_state": "destroyed",
                    "destruction_date": now,
                    "destruction_method": method,
                    "destruction_checksums": checksums[document],
                }
            )
            document.message_post(
                body=self.env._(
                    "Destroyed in batch %(batch)s (%(method)s); the files were "
                    "deleted and their checksums kept in the register.",
                    batch=self.name,
                    method=dict(DESTRUCTION_METHODS)[method],
                )
            )
        self.env["ir.attachment"]._archive_purge_files_after_commit(store_fnames)
        _logger.info(
            "Executed destruction batch %s: %s documents, %s files",
            self.name,
            len(documents),
            len(attachments),
        )
        return True

    def _check_no_shared_content(self, attachments):
        """Raise if another attachment stores the same content as a destroyed one.

        The filestore keeps one file per content, so such a copy would keep the
        content on disk after the destruction.
        """
        checksums = [c for c in attachments.mapped("checksum") if c]
        if not checksums:
            return
        copy = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("checksum", "in", checksums),
                    ("id", "not in", attachments.ids),
                    "|",
                    ("res_field", "=", False),
                    ("res_field", "!=", False),
                ],
                limit=1,
            )
        )
        if copy:
            original = attachments.filtered(lambda a: a.checksum == copy.checksum)[:1]
            raise UserError(
                self.env._(
                    "The file “%(file)s” has an identical copy, “%(copy)s” "
                    "(attachment %(copy_id)s of %(model)s %(res_id)s), which "
                    "would keep its content after the destruction. Delete that "
                    "copy, or cancel the batch and propose it again without the "
                    "document.",
                    file=original.name,
                    copy=copy.name,
                    copy_id=copy.id,
                    model=copy.res_model or "-",
                    res_id=copy.res_id or "-",
                )
            )

    # Cancellation

    def action_cancel(self):
        self._ensure_manager()
        for batch in self:
            batch._lock_and_ensure_state("proposed", "verified", "approved")
            batch.line_ids.filtered(
                lambda line: line.state != "removed"
            )._release_documents()
            # sudo: the state is a workflow field.
            batch.sudo().state = "cancelled"
            batch._close_approval_activities()
            batch.message_post(
                body=self.env._(
                    "Cancelled by %(manager)s; its documents are due for "
                    "destruction again.",
                    manager=self.env.user.name,
                )
            )
        return True

    def action_print_certificate(self):
        self.ensure_one()
        return self.env.ref(
            "customer_archive.action_report_destruction_certificate"
        ).report_action(self)

    # Helpers

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _ensure_manager(self):
        if self.env.su or self.env.user.has_group(
            "customer_archive.group_archive_manager"
        ):
            return
        raise UserError(
            self.env._(
                "Only archive managers can propose, verify, approve or execute "
                "destruction batches."
            )
        )

    def _ensure_state(self, *states):
        for batch in self:
            if batch.state not in states:
                labels = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "The destruction batch %(batch)s is %(state)s; this step "
                        "needs it to be %(expected)s.",
                        batch=batch.name,
                        state=labels[batch.state],
                        expected=" / ".join(labels[state] for state in states),
                    )
                )

    def _lock_and_ensure_state(self, *states):
        """Lock the batch row, then check its state as committed by others.

        Two managers acting at once: the second waits for the first to commit.
        PostgreSQL then raises a serialization failure in the second
        transaction, and Odoo's retry of the request reads the new state and
        gets an error, so only one of them succeeds.
        """
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM customer_archive_destruction_batch WHERE id = %s "
                "FOR UPDATE",
                self.id,
            )
        )
        self.invalidate_recordset()
        self.line_ids.invalidate_recordset()
        self._ensure_state(*states)

    def _approval_excluded_users(self):
        """Return the users who took part in the batch and may not approve it."""
        self.ensure_one()
        return self.proposed_by_id | self.verified_by_id | self.line_ids.checked_by_id

    def _ensure_approver(self):
        if self.env.user in self._approval_excluded_users():
            raise UserError(
                self.env._(
                    "You proposed or verified the destruction batch %(batch)s: "
                    "another archive manager must approve it.",
                    batch=self.name,
                )
            )

    def _ensure_approved_by_other(self):
        """Raise unless a manager who took no other part approved the batch.

        Only ``action_approve`` sets the approver, and it checks the rule. This
        check guards the execution against a batch changed outside it.
        """
        if (
            not self.approved_by_id
            or self.approved_by_id in self._approval_excluded_users()
        ):
            raise UserError(
                self.env._(
                    "The destruction batch %(batch)s was not approved by a "
                    "manager other than its proposer, verifier and checkers; "
                    "cancel it and propose its documents again.",
                    batch=self.name,
                )
            )

    def _approval_managers(self):
        group = self.env.ref("customer_archive.group_archive_manager")
        excluded = self._approval_excluded_users()
        return group.all_user_ids.filtered(
            lambda user: (
                not user.share
                and user.active
                and user not in excluded
                and self.company_id in user.company_ids
            )
        )

    def _schedule_approval_activities(self):
        for manager in self._approval_managers():
            self.activity_schedule(
                "customer_archive.mail_activity_type_destruction_approval",
                user_id=manager.id,
                summary=self.env._(
                    "Approve destruction batch %(batch)s", batch=self.name
                ),
            )

    def _close_approval_activities(self):
        activity_type = self.env.ref(
            "customer_archive.mail_activity_type_destruction_approval"
        )
        # sudo: the approver closes the activities assigned to other managers.
        self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        ).action_feedback(feedback=self._state_label())
