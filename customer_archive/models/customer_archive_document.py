from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.naming import render_document_name
from .customer_archive_document_type import CONFIDENTIALITY_LEVELS

# Fields derived when a document is filed, which the module writes in sudo
# mode. A user writing the responsible user would change who reads the
# document when it is internal.
SYSTEM_FIELDS = frozenset({"name", "type_sequence", "archive_user_id"})
# Confidentiality levels from the most open to the most restricted.
CONFIDENTIALITY_ORDER = [level for level, _label in CONFIDENTIALITY_LEVELS]


class CustomerArchiveDocument(models.Model):
    """Document filed in a customer's archive, with one or more files."""

    _name = "customer.archive.document"
    _description = "Archive Document"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "filing_date desc, id desc"
    # Messages, followers and activities follow the document's record rules.
    _mail_record_access = True

    name = fields.Char(
        readonly=True,
        copy=False,
        tracking=True,
        help="Generated from the document type's naming rule when the document "
        "is filed.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('archive_number', '!=', False)]",
    )
    archive_number = fields.Char(related="partner_id.archive_number")
    archive_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        related="partner_id.archive_user_id",
        store=True,
        index=True,
        help="The customer's responsible user, who may read internal documents.",
    )
    type_id = fields.Many2one(
        "customer.archive.document.type",
        string="Document Type",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    type_sequence = fields.Integer(
        string="Number Within Type",
        readonly=True,
        copy=False,
        help="Position of the document among the customer's documents of its type.",
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "customer_archive_document_attachment_rel",
        "document_id",
        "attachment_id",
        string="Files",
    )
    attachment_count = fields.Integer(
        string="File Count", compute="_compute_attachment_count"
    )
    checksums = fields.Text(
        string="SHA-256 Checksums",
        compute="_compute_checksums",
        help="SHA-256 of each file, recorded when the file was filed.",
    )
    document_date = fields.Date(tracking=True)
    filing_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True, index=True
    )
    reference = fields.Char(help="External reference, such as a contract number.")
    valid_from = fields.Date()
    valid_to = fields.Date(string="Valid Until")
    location_cabinet = fields.Char(string="Cabinet")
    location_shelf = fields.Char(string="Shelf")
    location_box = fields.Char(string="Box")
    location = fields.Char(
        string="Paper Original Location",
        compute="_compute_location",
        store=True,
        help="Where the paper original is kept: cabinet / shelf / box.",
    )
    confidentiality = fields.Selection(
        CONFIDENTIALITY_LEVELS,
        required=True,
        default="internal",
        tracking=True,
        index=True,
        help="Public: every archive user. Internal: the customer's responsible user "
        "and archive managers. Confidential: archive managers only.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    notes = fields.Text()
    consultation_granted = fields.Boolean(
        compute="_compute_consultation_granted",
        search="_search_consultation_granted",
        help="The current user holds an approved, unexpired consultation request "
        "covering this document.",
    )

    _valid_period_check = models.Constraint(
        "CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)",
        "The validity end date must not be before its start date.",
    )
    _partner_type_sequence_uniq = models.UniqueIndex(
        "(partner_id, type_id, type_sequence)",
        "Another document of this customer and type already has this number.",
    )

    @api.depends("attachment_ids")
    def _compute_attachment_count(self):
        for document in self:
            document.attachment_count = len(document.attachment_ids)

    @api.depends("attachment_ids.archive_sha256")
    def _compute_checksums(self):
        for document in self:
            # sudo: the files are bound to this document, which the user
            # reads, so their names and checksums are theirs to see.
            document.checksums = "\n".join(
                f"{attachment.archive_sha256 or '-'}  {attachment.name}"
                for attachment in document.attachment_ids.sudo()
            )

    @api.depends("location_cabinet", "location_shelf", "location_box")
    def _compute_location(self):
        for document in self:
            parts = (
                document.location_cabinet,
                document.location_shelf,
                document.location_box,
            )
            document.location = " / ".join(part for part in parts if part) or False

    @api.depends_context("uid")
    def _compute_consultation_granted(self):
        granted = self.search(
            [("id", "in", self.ids), ("consultation_granted", "=", True)]
        )
        for document in self:
            document.consultation_granted = document in granted

    def _search_consultation_granted(self, operator, value):
        if operator != "in":
            return NotImplemented
        query = self.env["customer.archive.consultation"]._granted_documents_query(
            self.env.user, fields.Datetime.now()
        )
        if True in value:
            return [("id", "in", query)]
        return [("id", "not in", query)]

    @api.constrains("partner_id", "company_id")
    def _check_partner_registered(self):
        for document in self:
            if not document.partner_id.archive_number:
                # The error names the customer, so the user's access comes first.
                # Constraints run in sudo mode, hence sudo(False).
                document.partner_id.sudo(False).check_access("read")
                raise ValidationError(
                    self.env._(
                        "“%(customer)s” has no registered archive: register the "
                        "customer before filing documents.",
                        customer=document.partner_id.display_name,
                    )
                )

    @api.constrains("partner_id", "company_id")
    def _check_archive_company(self):
        for document in self:
            partner = document.partner_id
            archive_company = partner._archive_foreign_company(document.company_id)
            if archive_company:
                raise ValidationError(
                    self.env._(
                        "The archive of “%(customer)s” belongs to %(archive)s, so "
                        "its documents cannot be filed in %(company)s; switch to "
                        "%(archive)s and file the document there.",
                        customer=document.partner_id.display_name,
                        archive=archive_company.name,
                        company=document.company_id.name,
                    )
                )

    @api.onchange("type_id")
    def _onchange_type_id(self):
        if self.type_id:
            self.confidentiality = self.type_id.default_confidentiality

    @api.model
    def _check_system_fields(self, vals, defaults=False):
        """Reject values of ``SYSTEM_FIELDS`` written outside sudo mode.

        With ``defaults``, as on create, empty values are accepted.
        """
        if self.env.su:
            return
        names = sorted(
            name for name in SYSTEM_FIELDS & vals.keys() if vals[name] or not defaults
        )
        if names:
            raise UserError(
                self.env._(
                    "The field(s) %(fields)s of an archive document are set when "
                    "it is filed; leave them out, and change the customer's "
                    "responsible on the customer instead.",
                    fields=", ".join(names),
                )
            )

    def _check_confidentiality_lowering(self, level):
        """Let only archive managers make a document more open.

        Otherwise a responsible user could make an internal document public,
        or a requester one they may consult, and so show it to every user.
        """
        if self.env.su or self.env.user.has_group(
            "customer_archive.group_archive_manager"
        ):
            return
        rank = CONFIDENTIALITY_ORDER.index(level)
        lowered = self.filtered(
            lambda d: CONFIDENTIALITY_ORDER.index(d.confidentiality) > rank
        )
        if lowered:
            # The error names the document, so the user's access comes first.
            lowered.check_access("write")
            raise UserError(
                self.env._(
                    "Only archive managers can make %(document)s more open than "
                    "%(level)s; ask an archive manager to change its "
                    "confidentiality.",
                    document=lowered[0].display_name,
                    level=dict(CONFIDENTIALITY_LEVELS)[lowered[0].confidentiality],
                )
            )

    @api.model
    def _get_filing_denial(self, partner, doc_type, confidentiality):
        """Return why the current user may not file this document, or "".

        Applies the create rule of archive users: public documents, internal
        documents of the customers they are responsible for, and no
        confidential documents. Creating a document and checking a bulk
        filing both call it, so a file that the check marks as ready is not
        rejected when it is filed.

        :raises AccessError: if the user may not read the customer or the
            document type, which the message names.
        """
        if self.env.su or self.env.user.has_group(
            "customer_archive.group_archive_manager"
        ):
            return ""
        if not self.env.user.has_group("customer_archive.group_archive_user"):
            # Users without archive rights get the ORM's AccessError.
            return ""
        if confidentiality == "public":
            return ""
        if confidentiality == "internal" and partner.archive_user_id == self.env.user:
            return ""
        partner.check_access("read")
        doc_type.check_access("read")
        if confidentiality == "confidential":
            return self.env._(
                "Only archive managers can file confidential documents, so you "
                "cannot file a %(type)s document of %(customer)s as Confidential.",
                type=doc_type.display_name,
                customer=partner.display_name,
            )
        return self.env._(
            "Only archive managers and the responsible user of %(customer)s can "
            "file its internal documents, so you cannot file a %(type)s document "
            "of this customer as Internal.",
            type=doc_type.display_name,
            customer=partner.display_name,
        )

    @api.model
    def _check_filing_allowed(self, vals_list):
        """Raise a UserError for the first document the user may not file.

        Runs before the ORM's access check, which would raise an AccessError
        that names neither the document type nor the customer.
        """
        default_level = self.default_get(["confidentiality"]).get("confidentiality")
        for vals in vals_list:
            if not vals.get("partner_id") or not vals.get("type_id"):
                # The ORM reports the missing required field.
                continue
            denial = self._get_filing_denial(
                self.env["res.partner"].browse(vals["partner_id"]),
                self.env["customer.archive.document.type"].browse(vals["type_id"]),
                vals.get("confidentiality") or default_level,
            )
            if denial:
                raise UserError(
                    self.env._(
                        "%(reason)s Choose a lower confidentiality if the document "
                        "may be shown to more users, or ask an archive manager to "
                        "file it.",
                        reason=denial,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        doc_types = self.env["customer.archive.document.type"]
        for vals in vals_list:
            self._check_system_fields(vals, defaults=True)
            if vals.get("type_id") and "confidentiality" not in vals:
                vals["confidentiality"] = doc_types.browse(
                    vals["type_id"]
                ).default_confidentiality
        self._check_filing_allowed(vals_list)
        documents = super().create(vals_list)
        documents._assign_names()
        documents._link_attachments()
        return documents

    def write(self, vals):
        self._check_system_fields(vals)
        if "confidentiality" in vals:
            self._check_confidentiality_lowering(vals["confidentiality"])
        if {"partner_id", "type_id"} & vals.keys() and self.filtered("name"):
            raise UserError(
                self.env._(
                    "The customer and type of a filed document cannot change, "
                    "because its name and number derive from them; file a new "
                    "document instead."
                )
            )
        result = super().write(vals)
        if "attachment_ids" in vals:
            self._link_attachments()
        if "confidentiality" in vals:
            self._unsubscribe_unauthorized_followers()
        return result

    def read(self, fields=None, load="_classic_read"):
        """Log reads of internal and confidential documents over RPC.

        ``web_read`` and ``web_search_read`` call ``read`` with
        ``archive_view_logged`` set: a form logs its own opening, and lists
        are not logged.
        """
        result = super().read(fields, load)
        if not self.env.context.get("archive_view_logged"):
            self._log_view()
        return result

    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        """Log the internal and confidential documents that ``search_read`` returns.

        ``search_read`` reads through ``_read_format``, not through ``read``.
        """
        result = super().search_read(
            domain, fields, offset, limit, order, **read_kwargs
        )
        if not self.env.context.get("archive_view_logged"):
            self.browse([values["id"] for values in result])._log_view()
        return result

    def copy(self, default=None):
        # A copy carries the original's notes, reference and location, so a
        # more open copy would disclose them just as lowering the original does.
        if default and "confidentiality" in default:
            self._check_confidentiality_lowering(default["confidentiality"])
        return super().copy(default)

    def web_read(self, specification):
        """Log each opening of an internal or confidential document's form."""
        if self.env.context.get("archive_view_logged"):
            return super().web_read(specification)
        result = super(
            CustomerArchiveDocument, self.with_context(archive_view_logged=True)
        ).web_read(specification)
        if len(self) == 1:
            self._log_view()
        return result

    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        return super(
            CustomerArchiveDocument, self.with_context(archive_view_logged=True)
        ).web_search_read(domain, specification, offset, limit, order, count_limit)

    def _log_view(self):
        """Write a "view" entry for each internal or confidential document of self."""
        if self.env.su:
            return
        documents = self.filtered(
            lambda document: document.confidentiality in ("internal", "confidential")
        )
        if documents:
            self.env["customer.archive.access.log"]._log("view", documents=documents)

    def export_data(self, fields_to_export):
        # An export of the "id" column alone reads no field, so without this
        # check it would succeed, and be logged, on unreadable records.
        self.check_access("read")
        result = super().export_data(fields_to_export)
        self.env["customer.archive.access.log"]._log(
            "export", documents=self, details=self._name
        )
        return result

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        # Followers and mentioned users who may not read the document get
        # neither an e-mail nor an inbox entry quoting it.
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        users = self.env["res.users"].browse(
            {recipient["uid"] for recipient in recipients if recipient.get("uid")}
        )
        readers = {user.id for user in users if self._is_readable_by(user)}
        return [
            recipient
            for recipient in recipients
            if not recipient.get("uid") or recipient["uid"] in readers
        ]

    def _is_readable_by(self, user):
        """Return whether ``user`` may read every document of ``self``."""
        # An empty company list makes the environment use all of the user's
        # companies, as their own session would.
        documents = self.with_user(user).with_context(allowed_company_ids=[])
        return len(documents._filtered_access("read")) == len(self)

    def _unsubscribe_unauthorized_followers(self):
        """Unsubscribe the followers whose users may no longer read the document.

        Contacts without a user, such as the customer, are kept: they read
        only what is sent to them.
        """
        for document in self:
            # sudo: followers of a document the user may no longer read, as
            # when they make it confidential, are read and removed here.
            partners = document.sudo().message_partner_ids
            lost = partners.filtered(
                lambda partner, doc=document: (
                    partner.user_ids
                    and not any(doc._is_readable_by(user) for user in partner.user_ids)
                )
            )
            if lost:
                document.sudo().message_unsubscribe(partner_ids=lost.ids)

    def _assign_names(self):
        """Number each document within its customer and type, then name it."""
        for document in self.sorted("id"):
            self.flush_model(["partner_id", "type_id", "type_sequence"])
            # Lock the customer row so two transactions filing for the same
            # customer cannot draw the same number.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_partner WHERE id = %s FOR UPDATE",
                    document.partner_id.id,
                )
            )
            self.env.cr.execute(
                SQL(
                    """SELECT COALESCE(MAX(type_sequence), 0)
                         FROM customer_archive_document
                        WHERE partner_id = %s AND type_id = %s""",
                    document.partner_id.id,
                    document.type_id.id,
                )
            )
            sequence = self.env.cr.fetchone()[0] + 1
            # sudo: the name and number are system fields; the document was
            # just created by this user.
            document.sudo().write(
                {
                    "type_sequence": sequence,
                    "name": render_document_name(
                        document.type_id.naming_rule,
                        archive_number=document.partner_id.archive_number,
                        type_code=document.type_id.code,
                        document_date=document.document_date or document.filing_date,
                        seq=sequence,
                        reference=document.reference,
                    ),
                }
            )

    def _link_attachments(self):
        """Attach the files to their document and record their SHA-256.

        Binding ``res_model`` and ``res_id`` makes Odoo check every read of a file
        (including ``/web/content``) against the document's access rules.
        """
        for document in self:
            # sudo: only the owner fields are written and the checksum recorded.
            # The ORM already refused to link a file the user may not read, such
            # as another user's upload not yet bound to a record.
            attachments = document.attachment_ids.sudo()
            foreign = attachments.filtered(
                lambda a, doc=document: (
                    (a.res_model or doc._name) != doc._name
                    or a.res_id not in (0, doc.id)
                )
            )
            if foreign:
                # The error names the file, so a file the user may not read
                # raises an AccessError instead.
                foreign.with_env(self.env).check_access("read")
                raise UserError(
                    self.env._(
                        "The file “%(file)s” belongs to another record and cannot "
                        "be filed in %(document)s; upload the file again instead.",
                        file=foreign[0].name,
                        document=document.display_name,
                    )
                )
            for attachment in attachments:
                attachment._archive_check_file_name(attachment.name)
            attachments.filtered(lambda a, doc=document: a.res_id != doc.id).write(
                {"res_model": document._name, "res_id": document.id}
            )
            attachments.filtered(
                lambda a: not a.archive_sha256
            )._archive_record_sha256()
