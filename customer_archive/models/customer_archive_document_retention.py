import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import retention
from ..tools.checksum import sha256_hex

_logger = logging.getLogger(__name__)

RETENTION_STATES = [
    ("active", "Kept"),
    ("due", "Due for Destruction"),
    ("in_batch", "In Destruction Batch"),
    ("destroyed", "Destroyed"),
]
DESTRUCTION_METHODS = [
    ("shred", "Shredding"),
    ("incinerate", "Incineration"),
    ("erase", "Electronic Erasure"),
]
# Fields only archive managers change, through the legal hold dialog and the
# retention override.
MANAGER_FIELDS = {
    "legal_hold",
    "legal_hold_reason",
    "legal_hold_date",
    "legal_hold_user_id",
    "retention_override_date",
    "retention_override_reason",
}
# Fields that only the retention expiry and the destruction workflow write, in
# sudo mode, because writing them would make a document due or record it as
# destroyed without a destruction batch.
RETENTION_SYSTEM_FIELDS = frozenset(
    {
        "retention_state",
        "retention_warned",
        "destruction_batch_id",
        "destruction_date",
        "destruction_method",
        "destruction_checksums",
    }
)
# Dates that start the retention period of a filed document. Moving one back
# can make the document due for destruction, so only archive managers change
# them once the document is filed.
RETENTION_START_FIELDS = frozenset({"filing_date", "document_date"})
# Fields of a destroyed document that stay as they were at its destruction.
FROZEN_FIELDS = {
    "attachment_ids",
    "filing_date",
    "document_date",
    "reference",
    "valid_from",
    "valid_to",
    "location_cabinet",
    "location_shelf",
    "location_box",
    "company_id",
    "destruction_checksums",
    "destruction_batch_id",
    "destruction_date",
    "destruction_method",
} | MANAGER_FIELDS
EXPIRY_BATCH_SIZE = 1000


class CustomerArchiveDocument(models.Model):
    _inherit = "customer.archive.document"

    retention_policy_id = fields.Many2one(related="type_id.retention_policy_id")
    retention_policy_date = fields.Date(
        compute="_compute_retention_policy_date",
        help="Retention date given by the policy, before any override.",
    )
    retention_override_date = fields.Date(
        tracking=True,
        copy=False,
        help="Replaces the policy's retention date for this document; a reason "
        "is required.",
    )
    retention_override_reason = fields.Text(tracking=True, copy=False)
    retention_date = fields.Date(
        compute="_compute_retention_date",
        store=True,
        index=True,
        copy=False,
        help="Last day the document is kept; from the next day on it may be "
        "proposed for destruction. Empty while it is kept permanently or its "
        "policy's start event has not happened yet.",
    )
    retention_state = fields.Selection(
        RETENTION_STATES,
        default="active",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    retention_warned = fields.Boolean(
        readonly=True,
        copy=False,
        help="Set once a retention review has listed the document as due soon.",
    )
    legal_hold = fields.Boolean(readonly=True, copy=False, tracking=True)
    legal_hold_reason = fields.Text(readonly=True, copy=False)
    legal_hold_date = fields.Date(string="Legal Hold Since", readonly=True, copy=False)
    legal_hold_user_id = fields.Many2one(
        "res.users", string="Legal Hold Placed By", readonly=True, copy=False
    )
    is_held = fields.Boolean(
        string="Under Legal Hold",
        compute="_compute_is_held",
        search="_search_is_held",
        help="The document or its customer is under legal hold.",
    )
    destruction_batch_id = fields.Many2one(
        "customer.archive.destruction.batch",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    destruction_date = fields.Datetime(readonly=True, copy=False)
    destruction_method = fields.Selection(
        DESTRUCTION_METHODS, readonly=True, copy=False
    )
    destruction_checksums = fields.Text(
        string="Checksums of the Destroyed Files",
        readonly=True,
        copy=False,
        help="SHA-256 and name of each file, as recorded before destruction.",
    )

    _retention_active_idx = models.Index(
        "(retention_date) WHERE retention_state = 'active'"
    )

    @api.depends(
        "filing_date",
        "document_date",
        "valid_to",
        "partner_id.archive_closed_date",
        "partner_id.archive_last_interaction_date",
        "type_id.retention_policy_id.permanent",
        "type_id.retention_policy_id.period_count",
        "type_id.retention_policy_id.period_unit",
        "type_id.retention_policy_id.start_event",
    )
    def _compute_retention_policy_date(self):
        for document in self:
            policy = document.type_id.retention_policy_id
            document.retention_policy_date = (
                policy._retention_date(document._retention_start_dates())
                if policy
                else False
            )

    @api.depends("retention_policy_date", "retention_override_date")
    def _compute_retention_date(self):
        for document in self:
            if document.retention_state == "destroyed":
                # The register and certificate show the date the document was
                # destroyed under; keep it even if the policy changes later.
                continue
            document.retention_date = (
                document.retention_override_date or document.retention_policy_date
            )

    @api.depends("legal_hold", "partner_id.archive_legal_hold")
    def _compute_is_held(self):
        for document in self:
            document.is_held = (
                document.legal_hold or document.partner_id.archive_legal_hold
            )

    def _search_is_held(self, operator, value):
        if operator != "in":
            return NotImplemented
        held = [
            "|",
            ("legal_hold", "=", True),
            ("partner_id.archive_legal_hold", "=", True),
        ]
        if True in value:
            return held
        return ["!", *held]

    @api.constrains("retention_override_date", "retention_override_reason")
    def _check_retention_override_reason(self):
        for document in self:
            if (
                document.retention_override_date
                and not (document.retention_override_reason or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "Give the reason for overriding the retention date of "
                        "%(document)s.",
                        document=document.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._retention_check_system_fields(vals, defaults=True)
        return super().create(vals_list)

    def write(self, vals):
        self._retention_check_system_fields(vals)
        if MANAGER_FIELDS & vals.keys() and not self._retention_is_manager():
            raise UserError(
                self.env._(
                    "Only archive managers can place legal holds or override "
                    "retention dates; ask an archive manager."
                )
            )
        self._retention_check_start_dates(vals)
        unexpired = (
            self._retention_not_expired() if "valid_to" in vals else self.browse()
        )
        destroyed = self.filtered(lambda d: d.retention_state == "destroyed")
        if destroyed and FROZEN_FIELDS & vals.keys():
            # The error names the document, so the user's access comes first.
            destroyed.check_access("write")
            raise UserError(
                self.env._(
                    "%(document)s was destroyed on %(date)s: its files and "
                    "record stay as they were at destruction.",
                    document=destroyed[0].display_name,
                    date=destroyed[0].destruction_date,
                )
            )
        if "retention_override_date" in vals and not vals["retention_override_date"]:
            vals.setdefault("retention_override_reason", False)
        result = super().write(vals)
        if "valid_to" in vals:
            unexpired._retention_check_validity_end()
        if {"retention_override_date", "valid_to", "document_date"} & vals.keys():
            self._retention_release_not_expired()
        return result

    @api.model
    def _retention_check_system_fields(self, vals, defaults=False):
        """Reject values of ``RETENTION_SYSTEM_FIELDS`` written outside sudo mode.

        With ``defaults``, as on create, empty values and the Kept state are
        accepted.
        """
        if self.env.su:
            return
        names = RETENTION_SYSTEM_FIELDS & vals.keys()
        if defaults:
            names = {name for name in names if vals[name] and vals[name] != "active"}
        if names:
            raise UserError(
                self.env._(
                    "The field(s) %(fields)s of an archive document are set by "
                    "the retention expiry and by destruction batches; leave them "
                    "out.",
                    fields=", ".join(
                        sorted(
                            self._fields[name]._description_string(self.env)
                            for name in names
                        )
                    ),
                )
            )

    def _retention_check_start_dates(self, vals):
        """Let only archive managers change the retention start of filed documents."""
        names = RETENTION_START_FIELDS & vals.keys()
        if not names or self._retention_is_manager():
            return
        for document in self.filtered("name"):
            changed = sorted(
                name
                for name in names
                if document[name] != (fields.Date.to_date(vals[name]) or False)
            )
            if changed:
                raise UserError(
                    self.env._(
                        "Only archive managers can change the %(fields)s of the "
                        "filed document %(document)s, because the retention "
                        "period starts from it; ask an archive manager to "
                        "correct it.",
                        fields=", ".join(
                            document._fields[name]._description_string(self.env)
                            for name in changed
                        ),
                        document=document.display_name,
                    )
                )

    def _retention_not_expired(self, today=None):
        """Return the filed documents whose retention date has not passed."""
        today = today or fields.Date.context_today(self)
        return self.filtered(
            lambda d: (
                d.name and not retention.is_expired(d.retention_date or None, today)
            )
        )

    def _retention_check_validity_end(self):
        """Reject a validity end that made these unexpired documents expired.

        Users enter the validity end of a contract once it is known, but only
        archive managers may enter one that ends the retention period at once.
        """
        if self._retention_is_manager():
            return
        for document in self - self._retention_not_expired():
            raise UserError(
                self.env._(
                    "With the validity end %(date)s, %(document)s would be "
                    "past its retention date and due for destruction; check "
                    "the date, or ask an archive manager to enter it.",
                    date=document.valid_to,
                    document=document.display_name,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_destruction(self):
        kept = self.filtered(lambda d: d.retention_state in ("in_batch", "destroyed"))
        if kept:
            raise UserError(
                self.env._(
                    "%(document)s is in a destruction batch or was destroyed; it "
                    "stays as the record of its destruction.",
                    document=kept[0].display_name,
                )
            )

    def action_retention_legal_hold(self):
        """Open the dialog placing or lifting a legal hold on these documents."""
        if not self._retention_is_manager():
            raise UserError(
                self.env._("Only archive managers can place or lift legal holds.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Legal Hold"),
            "res_model": "customer.archive.legal.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_document_ids": self.ids,
                "default_operation": "lift"
                if all(self.mapped("legal_hold"))
                else "place",
            },
        }

    # Business

    def _retention_start_dates(self):
        self.ensure_one()
        partner = self.partner_id
        return {
            retention.FILING_DATE: self.filing_date,
            retention.DOCUMENT_DATE: self.document_date,
            retention.VALIDITY_END: self.valid_to,
            retention.ARCHIVE_CLOSURE: partner.archive_closed_date,
            retention.LAST_ACTIVITY: partner.archive_last_interaction_date,
        }

    def _retention_is_manager(self):
        return self.env.su or self.env.user.has_group(
            "customer_archive.group_archive_manager"
        )

    def _retention_place_legal_hold(self, reason):
        self.write(
            {
                "legal_hold": True,
                "legal_hold_reason": reason,
                "legal_hold_date": fields.Date.context_today(self),
                "legal_hold_user_id": self.env.user.id,
            }
        )
        for document in self:
            document.message_post(
                body=self.env._(
                    "Legal hold placed by %(manager)s: %(reason)s",
                    manager=self.env.user.name,
                    reason=reason,
                )
            )

    def _retention_lift_legal_hold(self, reason):
        held = self.filtered("legal_hold")
        held.write(
            {
                "legal_hold": False,
                "legal_hold_reason": False,
                "legal_hold_date": False,
                "legal_hold_user_id": False,
            }
        )
        for document in held:
            document.message_post(
                body=self.env._(
                    "Legal hold lifted by %(manager)s: %(reason)s",
                    manager=self.env.user.name,
                    reason=reason,
                )
            )

    def _retention_release_not_expired(self, today=None):
        """Return due documents to kept when their retention date moved ahead."""
        today = today or fields.Date.context_today(self)
        released = self.filtered(
            lambda d: (
                d.retention_state == "due"
                and not retention.is_expired(d.retention_date or None, today)
            )
        )
        # sudo: the retention state is a system field, and this runs after a
        # user's change of the dates it depends on.
        released.sudo().write({"retention_state": "active", "retention_warned": False})
        return released

    def _retention_check_destroyable(self, today=None):
        """Raise unless every document may be destroyed today."""
        today = today or fields.Date.context_today(self)
        for document in self:
            if document.is_held:
                reason = (
                    document.legal_hold_reason
                    or document.partner_id.archive_legal_hold_reason
                )
                raise UserError(
                    self.env._(
                        "%(document)s is under legal hold (%(reason)s) and cannot "
                        "be destroyed; remove it from the batch or lift the hold.",
                        document=document.display_name,
                        reason=reason,
                    )
                )
            if not retention.is_expired(document.retention_date or None, today):
                raise UserError(
                    self.env._(
                        "%(document)s is kept until %(date)s and cannot be "
                        "destroyed before; remove it from the batch.",
                        document=document.display_name,
                        date=document.retention_date or self.env._("further notice"),
                    )
                )

    def _destruction_attachments(self):
        """Return every file of these documents: filed files and chatter files."""
        attachments = self.env["ir.attachment"].sudo()
        return (
            attachments.search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)]
            )
            | self.sudo().attachment_ids
        )

    def _destruction_checksum_text(self):
        """Return one ``<sha256>  <file name>`` line per file of the document."""
        self.ensure_one()
        lines = []
        for attachment in self._destruction_attachments().sorted("id"):
            digest = attachment.archive_sha256 or sha256_hex(attachment.raw or b"")
            lines.append(f"{digest}  {attachment.name}")
        return "\n".join(lines)

    # Expiry

    @api.model
    def _cron_mark_due(self):
        self._retention_mark_due()

    @api.model
    def _retention_mark_due(self, today=None, batch_size=EXPIRY_BATCH_SIZE):
        """Mark expired documents as due and warn of those expiring soon.

        Rows are claimed in batches with ``FOR UPDATE SKIP LOCKED`` and each
        batch is committed, so several workers share the work and a second run
        finds nothing left to do. Each run opens at most one retention review
        per company, which carries the managers' activity.
        """
        today = today or fields.Date.context_today(self)
        warning_days = self._retention_warning_days()
        warn_until = retention.warning_limit(today, warning_days)
        reviews = {}
        self.sudo()._retention_release_stale_due(today)
        due_count = self._retention_process_batches(
            "due", today, warn_until, batch_size, reviews
        )
        warned_count = self._retention_process_batches(
            "warn", today, warn_until, batch_size, reviews
        )
        _logger.info(
            "Retention expiry on %s: %s documents due, %s within %s days",
            today,
            due_count,
            warned_count,
            warning_days,
        )
        return due_count, warned_count

    @api.model
    def _retention_release_stale_due(self, today):
        self.flush_model(["retention_state", "retention_date"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM customer_archive_document
                    WHERE retention_state = 'due'
                      AND (retention_date IS NULL OR retention_date >= %s)
                      FOR UPDATE SKIP LOCKED""",
                today,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self.browse(ids)._retention_release_not_expired(today)

    @api.model
    def _retention_candidates_query(self, kind, today, warn_until, limit=None):
        """Return the SQL selecting the ids of documents to mark due or to warn of.

        Documents under legal hold, directly or through their customer, are
        left out; they are picked up by the first run after the hold is lifted.
        The customers' hold is tested with NOT EXISTS, which looks up the few
        held customers by index. A join made PostgreSQL scan every customer,
        because it expects many more active documents to have expired than the
        handful of a daily run.
        """
        if kind == "due":
            condition = SQL("document.retention_date < %s", today)
        else:
            condition = SQL(
                """document.retention_date >= %s AND document.retention_date <= %s
                   AND NOT COALESCE(document.retention_warned, FALSE)""",
                today,
                warn_until,
            )
        return SQL(
            """SELECT document.id FROM customer_archive_document document
                WHERE document.retention_state = 'active'
                  AND %(condition)s
                  AND NOT COALESCE(document.legal_hold, FALSE)
                  AND NOT EXISTS (
                      SELECT 1 FROM res_partner partner
                       WHERE partner.id = document.partner_id
                         AND partner.archive_legal_hold)
             ORDER BY document.retention_date, document.id
                %(limit)s""",
            condition=condition,
            limit=SQL("LIMIT %s FOR UPDATE OF document SKIP LOCKED", limit)
            if limit
            else SQL(""),
        )

    @api.model
    def _retention_process_batches(self, kind, today, warn_until, batch_size, reviews):
        """Claim, update and commit candidate documents batch by batch.

        ``reviews`` maps companies to the review opened for them in this run;
        it is filled as batches arrive.
        """
        cron = self.env["ir.cron"]
        review_model = self.env["customer.archive.retention.review"].sudo()
        processed = 0
        while True:
            self.flush_model()
            self.env["res.partner"].flush_model(["archive_legal_hold"])
            self.env.cr.execute(
                self._retention_candidates_query(kind, today, warn_until, batch_size)
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if not ids:
                break
            # sudo: the expiry reads and writes every document, whoever runs it.
            documents = self.sudo().browse(ids)
            if kind == "due":
                documents.write({"retention_state": "due"})
                to_erase = documents.filtered(
                    lambda d: d.type_id.retention_policy_id.expiry_action == "anonymise"
                ).partner_id
                to_erase.filtered(lambda p: not p.archive_erasure_due).write(
                    {"archive_erasure_due": True}
                )
            else:
                documents.write({"retention_warned": True})
            for company, company_documents in documents.grouped("company_id").items():
                if company not in reviews:
                    reviews[company] = review_model._open_for(company, today)
                reviews[company]._add_documents(kind, company_documents)
            processed += len(ids)
            self.env.cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM (%s) AS remaining",
                    self._retention_candidates_query(kind, today, warn_until),
                )
            )
            remaining = self.env.cr.fetchone()[0]
            _logger.info(
                "Retention expiry (%s): %s/%s documents done",
                kind,
                processed,
                processed + remaining,
            )
            if not cron._commit_progress(len(ids), remaining=remaining):
                break
        return processed

    @api.model
    def _retention_warning_days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("customer_archive.retention_warning_days", "30")
        )
        try:
            return max(int(value), 0)
        except ValueError:
            _logger.warning(
                "Invalid setting customer_archive.retention_warning_days=%r", value
            )
            return 30
