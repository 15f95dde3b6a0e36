import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

PURPOSE_TYPES = [
    ("service", "Customer Service"),
    ("complaint", "Complaint Handling"),
    ("audit", "Audit"),
    ("legal", "Legal Request"),
    ("other", "Other"),
]
# Fields that only the workflow buttons write, in sudo mode after their own
# checks: writing them directly would let a requester approve their own request.
WORKFLOW_FIELDS = frozenset(
    {"name", "state", "approver_id", "decision_date", "rejection_reason"}
)
# Fields that define what a request grants, frozen once it leaves the draft.
SCOPE_FIELDS = frozenset(
    {
        "partner_ids",
        "type_ids",
        "document_ids",
        "date_from",
        "date_to",
        "purpose",
        "requester_id",
        "company_id",
    }
)
MANAGER_GROUP = "customer_archive.group_archive_manager"


class CustomerArchiveConsultation(models.Model):
    """Request to consult confidential archive files for a purpose and a period."""

    _name = "customer.archive.consultation"
    _description = "Consultation Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/", index="trigram"
    )
    requester_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_archive_consultation_partner_rel",
        "consultation_id",
        "partner_id",
        string="Customers",
        domain="[('archive_number', '!=', False)]",
        help="Every confidential document of these customers is covered.",
    )
    type_ids = fields.Many2many(
        "customer.archive.document.type",
        "customer_archive_consultation_type_rel",
        "consultation_id",
        "type_id",
        string="Document Types",
        help="When set, only the customers' documents of these types are covered.",
    )
    document_ids = fields.Many2many(
        "customer.archive.document",
        "customer_archive_consultation_document_rel",
        "consultation_id",
        "document_id",
        string="Documents",
        help="Specific documents covered, besides those of the customers above. "
        "Requesters cannot see confidential documents, so an archive manager "
        "adds them when preparing a request.",
    )
    purpose_type = fields.Selection(
        PURPOSE_TYPES, required=True, default="service", tracking=True
    )
    purpose = fields.Text(required=True, tracking=True)
    date_from = fields.Datetime(
        string="From", required=True, default=fields.Datetime.now, tracking=True
    )
    date_to = fields.Datetime(string="Until", required=True, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("expired", "Expired"),
            ("closed", "Closed Early"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    approver_id = fields.Many2one(
        "res.users", string="Decided By", readonly=True, copy=False, tracking=True
    )
    decision_date = fields.Datetime(readonly=True, copy=False)
    rejection_reason = fields.Text(readonly=True, copy=False, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    is_requester = fields.Boolean(compute="_compute_is_requester")
    is_manager = fields.Boolean(compute="_compute_is_requester")

    _period_check = models.Constraint(
        "CHECK (date_to > date_from)",
        "The end of the consultation period must be after its start.",
    )
    _active_idx = models.Index("(requester_id, date_to) WHERE state = 'approved'")

    @api.depends_context("uid")
    def _compute_is_requester(self):
        for consultation in self:
            consultation.is_requester = self.env.user in (
                consultation.requester_id | consultation.create_uid
            )
            consultation.is_manager = self.env.user.has_group(
                "customer_archive.group_archive_manager"
            )

    @api.constrains("date_from", "date_to")
    def _check_period_length(self):
        max_days = self._max_days()
        for consultation in self:
            length = consultation.date_to - consultation.date_from
            if length.total_seconds() > max_days * 86400:
                raise ValidationError(
                    self.env._(
                        "The consultation period of %(reference)s lasts %(days)s "
                        "days, more than the %(max_days)s days allowed; shorten "
                        "it or ask a manager to raise the limit in the settings.",
                        reference=consultation.name,
                        days=round(length.total_seconds() / 86400, 1),
                        max_days=max_days,
                    )
                )

    @api.constrains("partner_ids", "document_ids")
    def _check_scope(self):
        for consultation in self:
            if not consultation.partner_ids and not consultation.document_ids:
                raise ValidationError(
                    self.env._(
                        "The consultation request %(reference)s covers nothing: add "
                        "the customers or the documents to consult.",
                        reference=consultation.name,
                    )
                )

    @api.model
    def _max_days(self):
        # sudo: archive users may not read ir.config_parameter; only the
        # maximum length is read.
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("customer_archive.consultation_max_days", "30")
        )
        try:
            return max(int(value), 1)
        except ValueError:
            return 30

    @api.model
    def _check_workflow_fields(self, vals, defaults=False):
        """Reject values of ``WORKFLOW_FIELDS`` written outside sudo mode.

        With ``defaults``, as on create, the default reference and state are
        accepted.
        """
        if self.env.su:
            return
        names = WORKFLOW_FIELDS & vals.keys()
        if defaults:
            names = {
                name
                for name in names
                if vals[name] and vals[name] not in ("/", "draft")
            }
        if names:
            raise UserError(
                self.env._(
                    "The field(s) %(fields)s of a consultation request are set by "
                    "its Submit, Approve, Reject and Close buttons; use those "
                    "buttons instead of writing them.",
                    fields=", ".join(sorted(names)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # Copies, so the reference drawn below never leaks into the caller's dicts.
        vals_list = [dict(vals) for vals in vals_list]
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        for vals in vals_list:
            self._check_workflow_fields(vals, defaults=True)
            requester_id = vals.get("requester_id", self.env.user.id)
            if requester_id != self.env.user.id and not is_manager:
                raise UserError(
                    self.env._(
                        "Only archive managers can prepare a consultation request "
                        "in another user's name; create it in your own name."
                    )
                )
            if vals.get("name", "/") == "/":
                # sudo: archive users may not read ir.sequence; only the next
                # reference is drawn.
                vals["name"] = (
                    self.env["ir.sequence"]
                    .sudo()
                    .next_by_code("customer.archive.consultation")
                )
        return super().create(vals_list)

    def write(self, vals):
        self._check_workflow_fields(vals)
        if SCOPE_FIELDS & vals.keys() and self.filtered(lambda c: c.state != "draft"):
            raise UserError(
                self.env._(
                    "Only draft consultation requests can change their scope, "
                    "purpose, period or requester; submit a new request instead."
                )
            )
        if (
            "requester_id" in vals
            and vals["requester_id"] != self.env.user.id
            and not self.env.su
            and not self.env.user.has_group(MANAGER_GROUP)
        ):
            raise UserError(
                self.env._(
                    "Only archive managers can put a consultation request in "
                    "another user's name; keep yourself as the requester."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if self.filtered(lambda c: c.state not in ("draft", "submitted")):
            raise UserError(
                self.env._(
                    "A decided consultation request is part of the access record "
                    "and cannot be deleted."
                )
            )

    # Workflow

    def action_submit(self):
        self.check_access("write")
        for consultation in self:
            consultation._ensure_state("draft")
            # sudo: the state is a workflow field; the write right on the
            # request was checked above.
            consultation.sudo().state = "submitted"
            consultation._schedule_approval_activities()
        return True

    def action_approve(self):
        self._ensure_decider()
        for consultation in self:
            consultation._lock_and_ensure_state("submitted")
            # sudo: state and decider are workflow fields; _ensure_decider
            # checked the manager above.
            consultation.sudo().write(
                {
                    "state": "approved",
                    "approver_id": self.env.user.id,
                    "decision_date": fields.Datetime.now(),
                }
            )
            consultation._close_approval_activities()
            consultation.message_post(
                body=self.env._(
                    "Approved by %(manager)s: you may consult the covered files "
                    "until %(until)s.",
                    manager=self.env.user.name,
                    until=fields.Datetime.to_string(consultation.date_to),
                ),
                partner_ids=consultation.requester_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_reject(self):
        """Open the dialog asking for the rejection reason."""
        self._ensure_decider()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Consultation Request"),
            "res_model": "customer.archive.consultation.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_consultation_ids": self.ids},
        }

    def _reject(self, reason):
        if not (reason or "").strip():
            raise UserError(
                self.env._("Give the reason of the rejection to the requester.")
            )
        self._ensure_decider()
        for consultation in self:
            consultation._lock_and_ensure_state("submitted")
            # sudo: state and decider are workflow fields; _ensure_decider
            # checked the manager above.
            consultation.sudo().write(
                {
                    "state": "rejected",
                    "approver_id": self.env.user.id,
                    "decision_date": fields.Datetime.now(),
                    "rejection_reason": reason.strip(),
                }
            )
            consultation._close_approval_activities()
            consultation.message_post(
                body=self.env._(
                    "Rejected by %(manager)s: %(reason)s",
                    manager=self.env.user.name,
                    reason=reason.strip(),
                ),
                partner_ids=consultation.requester_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_close(self):
        for consultation in self:
            if (
                consultation.requester_id != self.env.user
                and not self.env.user.has_group(
                    "customer_archive.group_archive_manager"
                )
            ):
                raise UserError(
                    self.env._(
                        "Only the requester or an archive manager can close "
                        "%(reference)s.",
                        reference=consultation.name,
                    )
                )
            consultation._lock_and_ensure_state("approved")
            # sudo: the state is a workflow field; the requester or manager
            # was checked above.
            consultation.sudo().state = "closed"
        return True

    def action_reset_draft(self):
        self.check_access("write")
        for consultation in self:
            consultation._ensure_state("submitted")
            consultation._close_approval_activities()
            # sudo: the state is a workflow field; the write right on the
            # request was checked above.
            consultation.sudo().state = "draft"
        return True

    # Helpers

    def _ensure_state(self, state):
        for consultation in self:
            if consultation.state != state:
                raise UserError(
                    self.env._(
                        "The consultation request %(reference)s is %(state)s; this "
                        "step needs it to be %(expected)s.",
                        reference=consultation.name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[consultation.state],
                        expected=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[state],
                    )
                )

    def _lock_and_ensure_state(self, state):
        """Lock the request row, then check its state as committed by others.

        Two managers deciding at once: the second waits for the first to
        commit. Odoo's REPEATABLE READ transactions then make the lock raise a
        serialization failure, and Odoo runs the request again, which sees the
        new state and is refused.
        """
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM customer_archive_consultation WHERE id = %s FOR UPDATE",
                self.id,
            )
        )
        self.invalidate_recordset(["state"])
        self._ensure_state(state)

    def _ensure_decider(self):
        if not self.env.user.has_group("customer_archive.group_archive_manager"):
            raise UserError(
                self.env._("Only archive managers can decide consultation requests.")
            )
        own = self.filtered(lambda c: self.env.user in (c.requester_id | c.create_uid))
        if own:
            raise UserError(
                self.env._(
                    "You requested or prepared %(reference)s yourself: another "
                    "archive manager must decide it.",
                    reference=own[0].name,
                )
            )

    def _approval_managers(self):
        """Return the archive managers who may decide this request."""
        group = self.env.ref("customer_archive.group_archive_manager")
        return group.all_user_ids.filtered(
            lambda user: (
                not user.share
                and user.active
                and user != self.requester_id
                and self.company_id in user.company_ids
            )
        )

    def _schedule_approval_activities(self):
        activity_type = self.env.ref(
            "customer_archive.mail_activity_type_consultation_approval"
        )
        for manager in self._approval_managers():
            self.activity_schedule(
                activity_type_id=activity_type.id,
                user_id=manager.id,
                summary=self.env._(
                    "Decide consultation request %(reference)s",
                    reference=self.name,
                ),
            )

    def _close_approval_activities(self):
        activity_type = self.env.ref(
            "customer_archive.mail_activity_type_consultation_approval"
        )
        # sudo: the decider closes the activities assigned to other managers.
        self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        ).action_feedback(
            feedback=dict(self._fields["state"]._description_selection(self.env))[
                self.state
            ]
        )

    @api.model
    def _active_for_user(self, user, at=None):
        """Return the requests of ``user`` approved and in their period at ``at``."""
        at = at or fields.Datetime.now()
        # sudo: the access log names the request that allowed an access even
        # when its requester may no longer read it; the requests are not
        # returned to the user.
        return self.sudo().search(
            [
                ("requester_id", "=", user.id),
                ("state", "=", "approved"),
                ("date_from", "<=", at),
                ("date_to", ">=", at),
            ]
        )

    def _covering(self, partner, document):
        """Return the first of these requests covering ``document`` or ``partner``."""
        for consultation in self:
            if document and document in consultation.document_ids:
                return consultation
            if partner and partner in consultation.partner_ids:
                if not document or not consultation.type_ids:
                    return consultation
                if document.type_id in consultation.type_ids:
                    return consultation
        return self.browse()

    @api.model
    def _granted_documents_query(self, user, at):
        """Return SQL selecting the documents that ``user`` may consult at ``at``."""
        # The query reads the tables directly, so pending ORM writes must land.
        self.flush_model()
        self.env["customer.archive.document"].flush_model(["partner_id", "type_id"])
        return SQL(
            """(SELECT rel.document_id
                  FROM customer_archive_consultation_document_rel rel
                  JOIN customer_archive_consultation c ON c.id = rel.consultation_id
                 WHERE c.requester_id = %(uid)s AND c.state = 'approved'
                   AND c.date_from <= %(at)s AND c.date_to >= %(at)s
                UNION
                SELECT document.id
                  FROM customer_archive_consultation_partner_rel rel
                  JOIN customer_archive_consultation c ON c.id = rel.consultation_id
                  JOIN customer_archive_document document
                    ON document.partner_id = rel.partner_id
                 WHERE c.requester_id = %(uid)s AND c.state = 'approved'
                   AND c.date_from <= %(at)s AND c.date_to >= %(at)s
                   AND (NOT EXISTS (SELECT 1
                                      FROM customer_archive_consultation_type_rel t
                                     WHERE t.consultation_id = c.id)
                        OR EXISTS (SELECT 1
                                     FROM customer_archive_consultation_type_rel t
                                    WHERE t.consultation_id = c.id
                                      AND t.type_id = document.type_id)))""",
            uid=user.id,
            at=at,
        )

    @api.model
    def _cron_expire(self):
        """Expire approved requests whose period has ended."""
        expired = self.search(
            [("state", "=", "approved"), ("date_to", "<", fields.Datetime.now())]
        )
        # sudo: the state is a workflow field.
        expired.sudo().write({"state": "expired"})
        _logger.info("Consultation expiry: %s approved requests expired", len(expired))
        return len(expired)
