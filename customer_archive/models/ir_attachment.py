import contextlib
import logging
import os

import psycopg2

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.checksum import sha256_hex
from ..tools.file_names import find_unsafe_character

_logger = logging.getLogger(__name__)

ARCHIVE_DOCUMENT_MODEL = "customer.archive.document"
# Fields that hold a filed file's content, name, type, owner or public flag.
# Changing them would swap the content behind its recorded SHA-256, change the
# name that the access log and the destruction register show, or take the file
# out of the document's access rules (a public file is readable by all).
FILED_CONTENT_FIELDS = frozenset(
    {
        "name",
        "mimetype",
        "datas",
        "raw",
        "db_datas",
        "store_fname",
        "url",
        "type",
        "res_model",
        "res_id",
        "res_field",
        "public",
    }
)
# Fields whose read hands out a file's content, as a download does.
CONTENT_FIELDS = frozenset({"datas", "raw", "db_datas"})
ARCHIVE_BOUND_DOMAIN = [("res_model", "=", ARCHIVE_DOCUMENT_MODEL), ("res_id", "!=", 0)]
# Hidden files logged as denied for one search_read, so that a search over
# every file writes a bounded number of entries.
DENIED_SEARCH_LOG_MAX = 100


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    archive_sha256 = fields.Char(
        string="SHA-256",
        readonly=True,
        copy=False,
        help="SHA-256 of the file, recorded when it is filed in a customer archive.",
    )

    def read(self, fields=None, load="_classic_read"):
        """Log refused reads of archive files' content, as refused downloads are.

        The granted reads are logged by ``_read_format``, which ``read`` and
        ``search_read`` call once the content is read.
        """
        try:
            return super().read(fields, load)
        except AccessError:
            if not self.env.su and (fields is None or CONTENT_FIELDS & set(fields)):
                self._archive_log_denied_reads()
            raise

    @api.model
    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        """Log the archive files that the search hides from a read of content.

        A search hides the files that the user may not read instead of
        raising, so the same search is run in sudo mode to find them.
        """
        result = super().search_read(
            domain, fields, offset=offset, limit=limit, order=order, **read_kwargs
        )
        if not self.env.su and (not fields or CONTENT_FIELDS & set(fields)):
            readable_ids = {row["id"] for row in result}
            # sudo: finds the files the search hid; only their ids are used,
            # to log the refusal, and nothing is returned to the user.
            hidden = (
                self.sudo()
                .search(
                    Domain.AND([domain or [], ARCHIVE_BOUND_DOMAIN]),
                    limit=min(limit or DENIED_SEARCH_LOG_MAX, DENIED_SEARCH_LOG_MAX),
                    order=order,
                )
                .filtered(lambda a: a.id not in readable_ids)
            )
            hidden.with_env(self.env)._archive_log_denied_reads()
        return result

    def _read_format(self, fnames, load="_classic_read"):
        """Log reads of archive files' content, as downloads are logged.

        ``read``, ``search_read`` and ``web_read`` hand out the content of a
        file over RPC without going through the download routes.
        """
        result = super()._read_format(fnames, load)
        if not self.env.su and CONTENT_FIELDS & set(fnames):
            binary = self.env["ir.binary"]
            for attachment in self._archive_bound():
                binary._archive_log_download(
                    attachment.with_env(self.env), granted=True
                )
        return result

    def _archive_log_denied_reads(self):
        """Write a denied entry for each of these archive files the user may not read.

        The entries are written in their own transaction, because the
        ``AccessError`` that follows rolls the request's transaction back.
        """
        binary = self.env["ir.binary"]
        for attachment in self._archive_bound():
            if not binary._archive_can_read(attachment):
                binary._archive_log_download(attachment, granted=False)

    def write(self, vals):
        if not self.env.su:
            if "archive_sha256" in vals:
                raise UserError(
                    self.env._(
                        "The SHA-256 of a file is recorded when the file is filed "
                        "and cannot be written; leave the field out."
                    )
                )
            if FILED_CONTENT_FIELDS & vals.keys():
                self._archive_check_not_filed("write")
            if vals.get("name") and self._archive_bound():
                # The name check below shows that the file is filed, so the
                # user's access to it is checked first.
                self.check_access("write")
        if vals.get("name") and self._archive_bound():
            self._archive_check_file_name(vals["name"])
        return super().write(vals)

    def unlink(self):
        if not self.env.su and not self.env.user.has_group(
            "customer_archive.group_archive_manager"
        ):
            self._archive_check_not_filed("unlink")
        return super().unlink()

    def _has_attachments_ownership(self, attachment_tokens):
        """Let only write access, not a token, own an archive file.

        Odoo hands an ownership token to the user who uploads a file, and the
        token opens routes such as the PDF preview without the document's
        record rules. The end of a consultation or a new responsible must
        close the file to that user too.
        """
        bound = self._archive_bound()
        if bound and not all(
            attachment.sudo(False).with_env(self.env).has_access("write")
            for attachment in bound
        ):
            return False
        return super()._has_attachments_ownership(attachment_tokens)

    def _archive_filed(self):
        """Return the attachments that are filed files of archive documents."""
        # sudo: reads only the owner fields and the checksum to pick the files.
        return self.sudo().filtered(
            lambda a: a.res_model == ARCHIVE_DOCUMENT_MODEL and a.archive_sha256
        )

    def _archive_bound(self):
        """Return the attachments bound to an archive document."""
        # sudo: reads only the owner fields to pick the files.
        return self.sudo().filtered(
            lambda a: a.res_model == ARCHIVE_DOCUMENT_MODEL and a.res_id
        )

    @api.model
    def _archive_check_file_name(self, name):
        """Reject a file name with an invisible or control character.

        Such characters can make a name display as another one, such as
        "invoice<RLO>fdp.exe" showing as "invoiceexe.pdf".
        """
        code_point = find_unsafe_character(name)
        if code_point:
            raise UserError(
                self.env._(
                    "The file name “%(file)s” contains the invisible or control "
                    "character %(character)s; rename the file without it.",
                    file=name,
                    character=code_point,
                )
            )

    def _archive_check_not_filed(self, operation):
        """Reject ``operation`` on filed files, naming the first one.

        The user's access to the files is checked first, so a file that the
        user may not read raises an ``AccessError`` that does not name it.
        """
        filed = self._archive_filed()
        if filed:
            self.check_access(operation)
            raise UserError(
                self.env._(
                    "The file “%(file)s” is filed in a customer archive, so its "
                    "content, name and owner cannot change and only archive managers "
                    "can delete it. File a new document with the corrected file "
                    "instead.",
                    file=filed[0].name,
                )
            )

    def _archive_record_sha256(self):
        """Store the SHA-256 of each attachment's current content."""
        # sudo: the checksum is a protected field; the caller filed these
        # attachments as the current user.
        for attachment in self.sudo():
            attachment.archive_sha256 = sha256_hex(attachment.raw)

    @api.model
    def _archive_purge_files_after_commit(self, store_fnames):
        """Delete these stored files from the filestore once the transaction commits.

        In Odoo 19, deleting an attachment only marks its file for the daily
        filestore garbage collection, and destroyed archive files must not
        wait for it. If the lock cannot be taken, the files stay marked and that
        garbage collection deletes them.
        """
        if not store_fnames or self._storage() != "file":
            return
        registry = self.env.registry
        fnames = list(store_fnames)

        @self.env.cr.postcommit.add
        def purge():
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["ir.attachment"]._archive_purge_files(fnames)

    @api.model
    def _archive_purge_files(self, store_fnames):
        """Delete the stored files that no attachment references any more.

        Takes the same share lock on ``ir_attachment`` as Odoo's filestore
        garbage collection, so no transaction can reuse a file while it is
        deleted.
        """
        cr = self.env.cr
        cr.execute(SQL("SET LOCAL lock_timeout TO '10s'"))
        try:
            with cr.savepoint():
                cr.execute(SQL("LOCK ir_attachment IN SHARE MODE"))
        except psycopg2.errors.LockNotAvailable:
            _logger.warning(
                "Could not lock ir_attachment to delete %s destroyed files; the "
                "filestore garbage collection will delete them",
                len(store_fnames),
            )
            return 0
        cr.execute(
            SQL(
                "SELECT store_fname FROM ir_attachment WHERE store_fname = ANY(%s)",
                list(store_fnames),
            )
        )
        referenced = {row[0] for row in cr.fetchall()}
        removed = 0
        for fname in set(store_fnames) - referenced:
            path = self._full_path(fname)
            try:
                os.unlink(path)
                removed += 1
            except FileNotFoundError:
                continue
            except OSError:
                _logger.exception("Could not delete the destroyed file %s", path)
                continue
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self._full_path("checklist"), fname))
        _logger.info("Deleted %s destroyed files from the filestore", removed)
        return removed
