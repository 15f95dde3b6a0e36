import logging

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import retention

_logger = logging.getLogger(__name__)

# Archive fields that only archive managers change, through the closing, legal
# hold and erasure actions.
MANAGER_FIELDS = {
    "archive_closed_date",
    "archive_legal_hold",
    "archive_legal_hold_reason",
    "archive_legal_hold_history",
    "archive_legal_hold_date",
    "archive_legal_hold_user_id",
    "archive_erasure_due",
    "archive_erased_date",
}


# Closing, legal hold and erasure live apart from registration and
# classification (res_partner.py) because they form their own workflow.
class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    archive_closed_date = fields.Date(
        string="Archive Closed On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Set when an archive manager closes the archive; policies counting "
        "from the archive closure start on this date.",
        groups="customer_archive.group_archive_user",
    )
    archive_legal_hold = fields.Boolean(
        string="Legal Hold",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="None of the customer's documents is proposed for or destroyed, "
        "and the personal data cannot be erased, until the hold is lifted.",
        groups="customer_archive.group_archive_user",
    )
    archive_legal_hold_reason = fields.Text(
        string="Legal Hold Reason",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_legal_hold_history = fields.Text(
        string="Legal Hold History",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
        help="Each legal hold placed or lifted, with its date, manager and "
        "reason. The customer's messages name the manager only, because every "
        "employee may read them.",
    )
    archive_legal_hold_date = fields.Date(
        string="Legal Hold Since",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_legal_hold_user_id = fields.Many2one(
        "res.users",
        string="Legal Hold Placed By",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_erasure_due = fields.Boolean(
        string="Due for Erasure",
        readonly=True,
        copy=False,
        index=True,
        help="A document under a policy that anonymises the customer has reached "
        "its retention date: the personal data may now be erased.",
        groups="customer_archive.group_archive_user",
    )
    archive_erased_date = fields.Date(
        string="Personal Data Erased On",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )

    def write(self, vals):
        if MANAGER_FIELDS & vals.keys():
            self._archive_ensure_manager()
        if vals.get("archive_state") == "closed" and "archive_closed_date" not in vals:
            vals["archive_closed_date"] = fields.Date.context_today(self)
        elif vals.get("archive_state", "closed") != "closed":
            erased = self.filtered("archive_erased_date")
            if erased:
                raise UserError(
                    self.env._(
                        "The archive %(archive)s was anonymised on %(date)s and "
                        "cannot be reopened; register a new archive instead.",
                        archive=erased[0].archive_number,
                        date=erased[0].archive_erased_date,
                    )
                )
            vals["archive_closed_date"] = False
            vals["archive_erasure_due"] = False
        return super().write(vals)

    # Closing

    def action_archive_close(self):
        """Close the archives; retention counted from closure starts today."""
        self._archive_ensure_manager()
        for partner in self:
            if not partner.archive_number:
                raise UserError(
                    self.env._(
                        "“%(customer)s” has no registered archive to close.",
                        customer=partner.display_name,
                    )
                )
            if partner.archive_state == "closed":
                continue
            # sudo: archive managers need no general right to edit contacts.
            partner.sudo().write({"archive_state": "closed"})
            partner.sudo().message_post(
                body=self.env._(
                    "Archive closed by %(manager)s.", manager=self.env.user.name
                )
            )
        return True

    def action_archive_reopen(self):
        self._archive_ensure_manager()
        for partner in self.filtered(lambda p: p.archive_state == "closed"):
            partner.sudo().write({"archive_state": "registered"})
            partner.sudo().message_post(
                body=self.env._(
                    "Archive reopened by %(manager)s; retention counted from the "
                    "closure no longer runs.",
                    manager=self.env.user.name,
                )
            )
        return True

    # Legal hold

    def action_archive_legal_hold(self):
        """Open the dialog placing or lifting a legal hold on these customers."""
        self._archive_ensure_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Legal Hold"),
            "res_model": "customer.archive.legal.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_ids": self.ids,
                "default_operation": "lift" if self.archive_legal_hold else "place",
            },
        }

    def _archive_place_legal_hold(self, reason):
        self._archive_ensure_manager()
        self.sudo().write(
            {
                "archive_legal_hold": True,
                "archive_legal_hold_reason": reason,
                "archive_legal_hold_date": fields.Date.context_today(self),
                "archive_legal_hold_user_id": self.env.user.id,
            }
        )
        self._archive_record_legal_hold(
            self.env._(
                "Legal hold placed by %(manager)s: %(reason)s",
                manager=self.env.user.name,
                reason=reason,
            ),
            self.env._("Legal hold placed by %(manager)s.", manager=self.env.user.name),
        )

    def _archive_lift_legal_hold(self, reason):
        self._archive_ensure_manager()
        held = self.filtered("archive_legal_hold")
        held.sudo().write(
            {
                "archive_legal_hold": False,
                "archive_legal_hold_reason": False,
                "archive_legal_hold_date": False,
                "archive_legal_hold_user_id": False,
            }
        )
        held._archive_record_legal_hold(
            self.env._(
                "Legal hold lifted by %(manager)s: %(reason)s",
                manager=self.env.user.name,
                reason=reason,
            ),
            self.env._("Legal hold lifted by %(manager)s.", manager=self.env.user.name),
        )

    def _archive_record_legal_hold(self, entry, message):
        """Add ``entry`` to the hold history and post ``message`` on each customer.

        The reason stays in the history, which archive users alone may read:
        the customer's chatter is open to every employee of the company.
        """
        line = f"{fields.Date.context_today(self).isoformat()} {entry}"
        # sudo: the history is a system field; the caller is a manager of the
        # archives' companies (_archive_ensure_manager).
        for partner in self.sudo():
            history = partner.archive_legal_hold_history
            partner.archive_legal_hold_history = (
                f"{history}\n{line}" if history else line
            )
            partner.message_post(body=message)

    # Erasure

    def action_archive_erase(self):
        """Open the dialog listing the personal data to erase."""
        self.ensure_one()
        self._archive_ensure_manager()
        self._archive_check_erasable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Erase Personal Data"),
            "res_model": "customer.archive.erasure.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def _archive_check_erasable(self):
        """Raise unless the personal data of these customers may be erased now."""
        for partner in self:
            if not partner.archive_number or partner.archive_state != "closed":
                raise UserError(
                    self.env._(
                        "The archive of “%(customer)s” is not closed: close it "
                        "before erasing the personal data.",
                        customer=partner.display_name,
                    )
                )
            if partner.archive_erased_date:
                raise UserError(
                    self.env._(
                        "The personal data of archive %(archive)s was already "
                        "erased on %(date)s.",
                        archive=partner.archive_number,
                        date=partner.archive_erased_date,
                    )
                )
            if partner.archive_legal_hold:
                raise UserError(
                    self.env._(
                        "Archive %(archive)s is under legal hold (%(reason)s): "
                        "its personal data cannot be erased until the hold is "
                        "lifted.",
                        archive=partner.archive_number,
                        reason=partner.archive_legal_hold_reason,
                    )
                )
            held = (
                self.env["customer.archive.document"]
                .sudo()
                .search(
                    [("partner_id", "=", partner.id), ("legal_hold", "=", True)],
                    limit=1,
                )
            )
            if held:
                raise UserError(
                    self.env._(
                        "The document %(document)s of archive %(archive)s is under "
                        "legal hold: its customer's personal data cannot be erased "
                        "until the hold is lifted.",
                        document=held.display_name,
                        archive=partner.archive_number,
                    )
                )
            everyone = partner.with_context(active_test=False)
            users = (everyone | everyone.child_ids).user_ids
            if users:
                raise UserError(
                    self.env._(
                        "“%(contact)s” is the contact of the user %(login)s: "
                        "delete that user before erasing the personal data of "
                        "archive %(archive)s.",
                        contact=users[0].partner_id.display_name,
                        login=users[0].login,
                        archive=partner.archive_number,
                    )
                )

    def _archive_erasure_values(self, contact=False):
        """Return the values replacing personal data; meant to be overridden.

        Purchase figures, classification, folder and archive number stay, so
        statistics keep counting the customer. Fields missing from the model
        (e.g. added by an uninstalled module) are skipped by the caller.
        """
        if contact:
            name = self.env._(
                "Anonymised contact of %(archive)s",
                archive=self.commercial_partner_id.archive_number or self.id,
            )
        else:
            name = self.env._(
                "Anonymised customer %(archive)s",
                archive=self.archive_number or self.id,
            )
        values = dict.fromkeys(
            [
                "email",
                "phone",
                "mobile",
                "street",
                "street2",
                "zip",
                "city",
                "state_id",
                "website",
                "function",
                "comment",
                "image_1920",
                "vat",
                "ref",
                "company_registry",
                "company_name",
                "barcode",
                "archive_gender",
                "archive_birthday",
                "archive_id_number",
                "archive_referrer_id",
                "archive_customer_code",
                "archive_marketing_consent",
                "archive_is_member",
                "archive_member_level",
                "archive_member_join_date",
                "archive_member_renewal_date",
            ],
            False,
        )
        values.update(
            name=name,
            partner_latitude=0.0,
            partner_longitude=0.0,
            archive_member_points=0,
        )
        return values

    def _archive_erasure_plan(self):
        """Return what erasing this customer removes, as ``(label, value)`` rows.

        Only fields holding a value are listed, and the counts of chatter
        messages, attachments, activities, bank accounts and contact persons.
        """
        self.ensure_one()
        # sudo: the ID number is readable by managers only, and the dialog
        # lists the stored values to show the manager what is removed.
        partner = self.sudo()
        rows = []
        for name in partner._archive_erasure_values():
            if name == "name" or name not in partner._fields:
                continue
            field = partner._fields[name]
            value = partner[name]
            if not value:
                continue
            if field.type == "binary":
                shown = self.env._("(image)")
            elif field.type == "many2one":
                shown = value.display_name
            elif field.type == "selection":
                shown = dict(field._description_selection(self.env)).get(value, value)
            elif field.type == "html":
                shown = self.env._("(notes)")
            else:
                shown = str(value)
            rows.append((field._description_string(self.env), shown))
        rows.insert(0, (self.env._("Name"), partner.name))
        contacts = partner.with_context(active_test=False).child_ids
        counts = [
            (self.env._("Chatter messages"), self._archive_erasure_messages().ids),
            (self.env._("Attachments"), self._archive_erasure_attachments().ids),
            (
                self.env._("Activities"),
                self.env["mail.activity"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", self._erasure_ids()),
                    ]
                )
                .ids,
            ),
            (self.env._("Bank accounts"), (partner | contacts).bank_ids.ids),
            (self.env._("Contact persons"), contacts.ids),
        ]
        for label, ids in counts:
            if ids:
                rows.append((label, str(len(ids))))
        return rows

    def _erasure_ids(self):
        return (self | self.with_context(active_test=False).child_ids).ids

    def _archive_erasure_messages(self):
        return (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", self._name), ("res_id", "in", self._erasure_ids())])
        )

    def _archive_erasure_attachments(self):
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self._erasure_ids()),
                    "|",
                    ("res_field", "=", False),
                    ("res_field", "!=", False),
                ]
            )
        )

    def _archive_erase_personal_data(self, reason=None):
        """Anonymise the customer and purge the personal data from its chatter.

        Runs in the caller's transaction: any error leaves everything as it
        was. The register keeps one entry naming the erased fields, never
        their values.

        NOTE: free text typed on other records (consultation purposes, access
        log purposes, message bodies on documents) may still name the
        customer; only the fields and messages handled here are cleaned.
        """
        self.ensure_one()
        self._archive_ensure_manager()
        self._archive_check_erasable()
        plan = self._archive_erasure_plan()
        # sudo: managers may not write every personal field (e.g. bank accounts),
        # and tracking is off so no old value lands in a new message.
        partner = self.sudo().with_context(
            tracking_disable=True, mail_notrack=True, active_test=False
        )
        contacts = partner.child_ids
        self._archive_erasure_messages().unlink()
        self._archive_erasure_attachments().unlink()
        self.env["mail.activity"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", self._erasure_ids())]
        ).unlink()
        (partner | contacts).bank_ids.unlink()
        self._archive_scrub_other_messages()
        for record, is_contact in [(partner, False)] + [(c, True) for c in contacts]:
            values = record._archive_erasure_values(contact=is_contact)
            record.write({k: v for k, v in values.items() if k in record._fields})
        contacts.write({"active": False})
        partner.write(
            {
                "archive_erased_date": fields.Date.context_today(self),
                "archive_erasure_due": False,
            }
        )
        partner.with_context(tracking_disable=False).message_post(
            body=self.env._(
                "Personal data erased by %(manager)s. Purchases and the documents "
                "still under retention are kept.",
                manager=self.env.user.name,
            )
        )
        details = "\n".join(label for label, _value in plan)
        if reason:
            details = self.env._(
                "%(fields)s\nErased before the end of retention: %(reason)s",
                fields=details,
                reason=reason,
            )
        self.env["customer.archive.destruction.register"]._record_erasure(
            partner, details
        )
        _logger.info(
            "Erased the personal data of partner %s (archive %s)",
            partner.id,
            partner.archive_number,
        )
        return True

    def _archive_scrub_other_messages(self):
        """Remove the customer's address and name from messages on other records.

        Messages the customer wrote keep their author, whose name is now the
        anonymised one, but lose the sender address. Tracking values of fields
        linking to the customer (e.g. a document's customer) stored the name
        as text, so they are rewritten to the anonymised name.
        """
        ids = self._erasure_ids()
        self.env["mail.message"].flush_model(["email_from", "reply_to", "author_id"])
        self.env["mail.tracking.value"].flush_model()
        self.env.cr.execute(
            SQL(
                """UPDATE mail_message SET email_from = NULL, reply_to = NULL
                    WHERE author_id = ANY(%s)""",
                ids,
            )
        )
        for partner in self.with_context(active_test=False).browse(ids):
            anonymous = partner._archive_erasure_values(contact=partner != self)["name"]
            for side in ("old", "new"):
                self.env.cr.execute(
                    SQL(
                        """UPDATE mail_tracking_value value
                              SET %(char)s = %(name)s
                             FROM ir_model_fields field
                            WHERE value.field_id = field.id
                              AND field.ttype = 'many2one'
                              AND field.relation = 'res.partner'
                              AND value.%(integer)s = %(partner)s""",
                        char=SQL.identifier(f"{side}_value_char"),
                        integer=SQL.identifier(f"{side}_value_integer"),
                        name=anonymous,
                        partner=partner.id,
                    )
                )
        self.env["mail.message"].invalidate_model(["email_from", "reply_to"])
        self.env["mail.tracking.value"].invalidate_model()

    # Classification

    def _archive_recompute_classification(self, reference_date=None):
        """Recompute the retention dates counted from the last activity too.

        The classification writes the last interaction date in SQL, so the ORM
        does not recompute the documents depending on it by itself.
        """
        result = super()._archive_recompute_classification(reference_date)
        documents = (
            self.env["customer.archive.document"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.ids),
                    (
                        "type_id.retention_policy_id.start_event",
                        "=",
                        retention.LAST_ACTIVITY,
                    ),
                    ("retention_state", "!=", "destroyed"),
                    ("retention_override_date", "=", False),
                ]
            )
        )
        if documents:
            self.env.add_to_compute(documents._fields["retention_date"], documents)
            documents._recompute_recordset(["retention_date"])
        return result

    # Helpers

    def _archive_ensure_manager(self):
        """Raise unless the user is an archive manager of these archives' companies."""
        if self.env.su:
            return
        if not self.env.user.has_group("customer_archive.group_archive_manager"):
            raise UserError(
                self.env._(
                    "Only archive managers can close archives, place legal holds "
                    "or erase personal data; ask an archive manager."
                )
            )
        self._archive_check_company_access()
