import base64
import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command

from ..tools import zip_safety

_logger = logging.getLogger(__name__)

MIB = 1024 * 1024
# Files checked or filed between two progress log lines.
PROGRESS_LOG_STEP = 100
# Reason codes of files that are safe and well named but match no record.
UNKNOWN_ARCHIVE_NUMBER = "unknown_archive_number"
AMBIGUOUS_ARCHIVE_NUMBER = "ambiguous_archive_number"
UNKNOWN_TYPE = "unknown_type"
# Reason code of files that the user's rights do not let them file.
FILING_NOT_ALLOWED = "filing_not_allowed"


class CustomerArchiveBulkFilingWizard(models.TransientModel):
    """Dialog filing one document per file of an uploaded zip.

    Each file is named ``<ARCHIVE_NUMBER>_<TYPE_CODE>[_<free text>].<ext>``.
    "Check" lists what will be filed and what is rejected, and "File" files
    every valid file in one transaction, or nothing if one of them fails.
    """

    _name = "customer.archive.bulk.filing.wizard"
    _description = "Bulk Filing from a Zip"

    state = fields.Selection(
        [("upload", "Upload"), ("checked", "Checked"), ("done", "Filed")],
        default="upload",
        required=True,
    )
    zip_file = fields.Binary(required=True)
    zip_filename = fields.Char(string="Zip File Name")
    line_ids = fields.One2many(
        "customer.archive.bulk.filing.line", "wizard_id", string="Files"
    )
    ready_count = fields.Integer(string="Ready", compute="_compute_counts")
    rejected_count = fields.Integer(string="Rejected", compute="_compute_counts")
    filed_count = fields.Integer(string="Filed", compute="_compute_counts")
    document_ids = fields.Many2many(
        "customer.archive.document",
        "customer_archive_bulk_filing_document_rel",
        "wizard_id",
        "document_id",
        string="Filed Documents",
        readonly=True,
    )

    @api.depends("line_ids.status")
    def _compute_counts(self):
        for wizard in self:
            statuses = wizard.line_ids.mapped("status")
            wizard.ready_count = statuses.count("ready")
            wizard.rejected_count = statuses.count("rejected")
            wizard.filed_count = statuses.count("filed")

    def action_check(self):
        """List every file of the zip with what filing would do with it."""
        self.ensure_one()
        self._replace_lines(
            [values for values, _candidate in self._iter_outcomes("check")]
        )
        self.state = "checked"
        return self._action_reopen()

    def action_file(self):
        """File every valid file of the zip, or nothing if one file fails.

        The zip is checked again, so the outcome matches the zip and the
        records as they are now. Documents are created as the current user, so
        access rights and record rules apply to every file.
        """
        self.ensure_one()
        if self.state == "done":
            raise UserError(
                self.env._(
                    "The files of “%(zip)s” are already filed. Open the filed "
                    "documents, or start a new bulk filing for another zip.",
                    zip=self.zip_filename,
                )
            )
        documents = self.env["customer.archive.document"]
        line_values = []
        with self.env.cr.savepoint():
            for values, candidate in self._iter_outcomes("filing"):
                if candidate is not None:
                    document = self._file_candidate(candidate, values)
                    documents |= document
                    values.update(status="filed", document_id=document.id)
                line_values.append(values)
        if not documents:
            raise UserError(
                self.env._(
                    "No file of “%(zip)s” can be filed. Fix the rejected files "
                    "listed, then upload the zip again.",
                    zip=self.zip_filename or self.env._("the zip"),
                )
            )
        self._replace_lines(line_values)
        self.write({"state": "done", "document_ids": [Command.set(documents.ids)]})
        _logger.info(
            "Bulk filing %s: user %s filed %s documents from %s, %s files rejected",
            self.id,
            self.env.uid,
            len(documents),
            self.zip_filename,
            self.rejected_count,
        )
        return self._action_reopen()

    def action_open_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_archive.customer_archive_document_action"
        )
        action["domain"] = [("id", "in", self.document_ids.ids)]
        return action

    def _action_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bulk Filing"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            # The file list needs the width for file names and reasons.
            "context": {"dialog_size": "extra-large"},
        }

    def _replace_lines(self, line_values):
        self.line_ids.unlink()
        self.write({"line_ids": [Command.create(values) for values in line_values]})

    # Reading the zip

    def _get_zip_limits(self):
        """Return the zip limits from the settings; meant to be overridden."""
        return zip_safety.ZipLimits(
            max_file_size=self._get_limit_setting("max_file_size_mb", 25) * MIB,
            max_total_size=self._get_limit_setting("bulk_max_total_mb", 500) * MIB,
            max_ratio=self._get_limit_setting("bulk_max_ratio", 100),
            max_members=self._get_limit_setting("bulk_max_files", 1000),
        )

    def _get_limit_setting(self, key, default):
        # sudo: archive users may not read ir.config_parameter.
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"customer_archive.{key}", default)
        )
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise UserError(
                self.env._(
                    "The setting customer_archive.%(key)s has the invalid value "
                    "“%(value)s”. Ask an archive manager to set a positive whole "
                    "number in the Customer Archive settings.",
                    key=key,
                    value=value,
                )
            )
        return number

    def _iter_outcomes(self, step):
        """Yield ``(line values, candidate)`` for each file of the zip.

        ``candidate`` is the ``FilingCandidate`` to file, with the partner and
        document type ids in the line values, or None for a rejected file.
        Every ``PROGRESS_LOG_STEP`` files, and after the last one, the number
        of files done is logged with ``step`` (check or filing).
        """
        self.ensure_one()
        if not self.zip_file:
            raise UserError(self.env._("Upload a zip file before checking it."))
        data = base64.b64decode(self.with_context(bin_size=False).zip_file)
        try:
            archive = zip_safety.SafeZip(data, self._get_zip_limits())
        except zip_safety.ZipRejectedError as err:
            raise UserError(self._get_zip_rejection_message(err.reason)) from err
        with archive:
            customers, doc_types = self._find_targets(archive.pending_file_names)
            outcomes = zip_safety.iter_filing_candidates(archive)
            for sequence, outcome in enumerate(outcomes, start=1):
                if sequence > 1 and (sequence - 1) % PROGRESS_LOG_STEP == 0:
                    self._log_progress(step, sequence - 1, archive.entry_count)
                values = {"sequence": sequence}
                if isinstance(outcome, zip_safety.RejectedMember):
                    values.update(
                        path=outcome.path,
                        file_name=outcome.file_name,
                        status="rejected",
                        reason_code=outcome.reason.code,
                        message=self._get_rejection_message(outcome.reason),
                    )
                    yield values, None
                    continue
                values.update(self._resolve_candidate(outcome, customers, doc_types))
                yield values, (outcome if values["status"] == "ready" else None)
            self._log_progress(step, archive.entry_count, archive.entry_count)

    def _log_progress(self, step, done, total):
        _logger.info("Bulk filing %s, %s: %s/%s files done", self.id, step, done, total)

    def _find_targets(self, file_names):
        """Return the customers named in ``file_names`` and the document types.

        Customers are grouped by archive number. Both searches run as the
        current user, so record rules hide customers and types of other
        companies.
        """
        names = [zip_safety.parse_file_name(name) for name in file_names]
        numbers = {name.archive_number for name in names if name}
        partners = self.env["res.partner"].search(
            [
                ("archive_number", "in", list(numbers)),
                "|",
                ("archive_company_id", "in", self.env.companies.ids),
                ("archive_company_id", "=", False),
            ]
        )
        customers = defaultdict(lambda: self.env["res.partner"])
        for partner in partners:
            customers[partner.archive_number] |= partner
        # A company has a few dozen types at most, so all are read at once.
        doc_types = self.env["customer.archive.document.type"].search([])
        return customers, doc_types

    def _resolve_candidate(self, candidate, customers, doc_types):
        """Return the line values of a well-formed file: customer, type, status."""
        member, name = candidate.member, candidate.name
        values = {
            "path": member.path,
            "file_name": member.file_name,
            "size": member.size,
            "archive_number": name.archive_number,
            "document_date": name.document_date,
            "status": "ready",
        }

        partners = customers.get(name.archive_number, self.env["res.partner"])
        if not partners:
            return dict(values, **self._rejected_values(UNKNOWN_ARCHIVE_NUMBER, name))
        if len(partners) > 1:
            # The same number in several allowed companies: take the current
            # company's customer, if there is one.
            partners = partners.filtered(
                lambda p: p.archive_company_id == self.env.company
            )
            if len(partners) != 1:
                return dict(
                    values, **self._rejected_values(AMBIGUOUS_ARCHIVE_NUMBER, name)
                )
        values["partner_id"] = partners.id

        company = partners.archive_company_id
        doc_type = doc_types.filtered(
            lambda t: (
                t.code == name.type_code
                and (not t.company_id or t.company_id == company)
            )
        ).sorted(lambda t: not t.company_id)[:1]
        if not doc_type:
            usable_types = doc_types.filtered(
                lambda t: not t.company_id or t.company_id == company
            )
            known_codes = ", ".join(sorted(set(usable_types.mapped("code"))))
            return dict(
                values,
                **self._rejected_values(UNKNOWN_TYPE, name, known_codes=known_codes),
            )
        values["type_id"] = doc_type.id

        # Documents are filed at their type's default confidentiality, which
        # the document's create applies.
        denial = self.env["customer.archive.document"]._get_filing_denial(
            partners, doc_type, doc_type.default_confidentiality
        )
        if denial:
            values.update(
                status="rejected",
                reason_code=FILING_NOT_ALLOWED,
                message=self.env._(
                    "%(reason)s Ask an archive manager to file this file.",
                    reason=denial,
                ),
            )
        return values

    def _rejected_values(self, code, name, known_codes=""):
        if code == UNKNOWN_ARCHIVE_NUMBER:
            message = self.env._(
                "No customer has the archive number %(number)s in your companies. "
                "Check the number in the file name, or select the customer's "
                "company and check again.",
                number=name.archive_number,
            )
        elif code == AMBIGUOUS_ARCHIVE_NUMBER:
            message = self.env._(
                "The archive number %(number)s exists in several of your "
                "companies. Select only the customer's company and check again.",
                number=name.archive_number,
            )
        else:
            message = self.env._(
                "No document type has the code %(code)s for this customer. Use "
                "one of these codes in the file name: %(codes)s.",
                code=name.type_code,
                codes=known_codes,
            )
        return {"status": "rejected", "reason_code": code, "message": message}

    # Filing

    def _file_candidate(self, candidate, values):
        """Create the attachment and the document of one file and return it.

        :raises UserError: naming the file when it cannot be filed; the caller's
            savepoint then undoes the files filed before it.
        """
        member = candidate.member
        partner = self.env["res.partner"].browse(values["partner_id"])
        doc_type = self.env["customer.archive.document.type"].browse(values["type_id"])
        try:
            attachment = self.env["ir.attachment"].create(
                {"name": member.file_name, "raw": member.data}
            )
            return self.env["customer.archive.document"].create(
                [self._prepare_document_vals(candidate, partner, doc_type, attachment)]
            )
        except AccessError as err:
            raise UserError(
                self.env._(
                    "You are not allowed to file “%(file)s” as a %(type)s document "
                    "of %(customer)s, so nothing was filed. Remove the file from "
                    "the zip and ask an archive manager to file it.",
                    file=member.path,
                    type=doc_type.display_name,
                    customer=partner.display_name,
                )
            ) from err
        except UserError as err:
            raise UserError(
                self.env._(
                    "The file “%(file)s” could not be filed: %(error)s\nNothing "
                    "was filed. Fix or remove this file, then upload the zip "
                    "again.",
                    file=member.path,
                    error=err.args[0] if err.args else err,
                )
            ) from err

    def _prepare_document_vals(self, candidate, partner, doc_type, attachment):
        """Return the values of the document filed for a file; meant to be
        overridden."""
        return {
            "partner_id": partner.id,
            "type_id": doc_type.id,
            "document_date": candidate.name.document_date,
            "company_id": (partner.archive_company_id or self.env.company).id,
            "attachment_ids": [Command.link(attachment.id)],
        }

    # Messages

    def _get_zip_rejection_message(self, reason):
        params = reason.params
        zip_name = self.zip_filename or self.env._("the zip")
        if reason.code == zip_safety.TOO_MANY_MEMBERS:
            return self.env._(
                "“%(zip)s” contains %(count)s entries, more than the limit of "
                "%(limit)s. Split it into several zips, or ask an archive manager "
                "to raise the limit in the Customer Archive settings.",
                zip=zip_name,
                count=params["count"],
                limit=params["max_members"],
            )
        if reason.code == zip_safety.TOTAL_TOO_LARGE:
            return self.env._(
                "The files of “%(zip)s” take more than %(limit)s MB when "
                "uncompressed. Split it into several zips, or ask an archive "
                "manager to raise the limit in the Customer Archive settings.",
                zip=zip_name,
                limit=_megabytes(params["max_total_size"]),
            )
        return self.env._(
            "“%(zip)s” is not a readable zip file (%(error)s). Upload a file "
            "created with a zip tool.",
            zip=zip_name,
            error=params.get("error", reason.message),
        )

    def _get_rejection_message(self, reason):
        """Return the translated message of a rejected zip entry."""
        params = reason.params
        messages = {
            zip_safety.ABSOLUTE_PATH: lambda: self.env._(
                "Unsafe path: the name is an absolute path. Recreate the zip "
                "with relative paths."
            ),
            zip_safety.PARENT_DIRECTORY: lambda: self.env._(
                "Unsafe path: the name contains a “..” component. Recreate the "
                "zip without “..” in its paths."
            ),
            zip_safety.DRIVE_OR_BACKSLASH: lambda: self.env._(
                "Unsafe path: the name contains a drive letter or a backslash. "
                "Recreate the zip with relative paths."
            ),
            zip_safety.UNSAFE_CHARACTER: lambda: self.env._(
                "The name contains the invisible or control character "
                "%(character)s. Rename the file without it.",
                character=params["character"],
            ),
            zip_safety.NAME_TOO_LONG: lambda: self.env._(
                "The name is longer than %(length)s bytes. Shorten the free "
                "text of the name.",
                length=params["max_length"],
            ),
            zip_safety.SYMLINK: lambda: self.env._(
                "The entry is a symbolic link. Put the file itself in the zip."
            ),
            zip_safety.NOT_REGULAR_FILE: lambda: self.env._(
                "The entry is not a regular file. Put only files and folders "
                "in the zip."
            ),
            zip_safety.ENCRYPTED: lambda: self.env._(
                "The file is encrypted. Recreate the zip without a password."
            ),
            zip_safety.TOO_LARGE: lambda: self.env._(
                "The file is larger than the limit of %(limit)s MB. Reduce the "
                "file, or ask an archive manager to raise the limit in the "
                "Customer Archive settings.",
                limit=_megabytes(params["max_size"]),
            ),
            zip_safety.RATIO_TOO_HIGH: lambda: self.env._(
                "The file is compressed %(ratio)s times, more than the limit of "
                "%(limit)s (a possible zip bomb). Check the file, or ask an "
                "archive manager to raise the limit in the Customer Archive "
                "settings.",
                ratio=params["ratio"],
                limit=params["max_ratio"],
            ),
            zip_safety.UNREADABLE: lambda: self.env._(
                "The file cannot be read from the zip (%(error)s). Recreate the zip.",
                error=params["error"],
            ),
            zip_safety.BAD_NAME: lambda: self.env._(
                "The name does not follow %(convention)s, e.g. %(example)s. "
                "Rename the file.",
                convention=params["convention"],
                example=params["example"],
            ),
            zip_safety.UNSUPPORTED_TYPE: lambda: self.env._(
                "Files of type .%(extension)s are not supported. Convert the file "
                "to one of these types: %(supported)s.",
                extension=params["extension"],
                supported=params["supported"],
            ),
            zip_safety.CONTENT_MISMATCH: lambda: self.env._(
                "The content is not a %(type)s file although the name ends in "
                ".%(extension)s. Check that the file is not damaged and that its "
                "extension matches its type.",
                type=params["extension"].upper(),
                extension=params["extension"],
            ),
        }
        message = messages.get(reason.code)
        return message() if message else reason.message


def _megabytes(size):
    """Return a size in bytes as megabytes, without trailing zeros."""
    return f"{size / MIB:g}"
