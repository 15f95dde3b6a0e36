"""Who may do what on each model of the module, as one table.

``ACCESS_TABLE`` has a line per target and operation and a column per group.
Each cell expands to one row (target, group, operation, expected outcome) of
``ACCESS_ROWS``, and each row runs as its own subTest. A new model gets its
fixture in one of the ``_build_*_targets`` methods and its lines in the table.

Outcomes:

- ``A`` (allowed): the operation succeeds and, for searches, finds the record;
- ``H`` (hidden): a search succeeds but record rules leave the record out;
- ``D`` (denied): the operation raises ``AccessError``, or ``UserError`` where
  the module refuses it (exports without the export right, writes of the
  append-only log and destruction register, workflow fields written directly,
  a document or journal entry for another company's customer).

The ``report`` operation prints a report as the ``/report/pdf`` route does and
checks that printing wrote the access-log entry the report is expected to write.
The ``action`` operation calls a button method, as the web client does.
"""

import base64
import copy
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ArchiveCase

GROUPS = ("public", "portal", "internal", "other_company", "user", "manager")
OPERATIONS = (
    "create",
    "read",
    "write",
    "unlink",
    "read_group",
    "export",
    "name_search",
    "attachment_read",
    "search",
    "order",
    "report",
    "action",
)
OUTCOMES = {"A": "allowed", "H": "hidden", "D": "denied"}
# An empty zip: its end of central directory record alone.
EMPTY_ZIP = b"PK\x05\x06" + b"\x00" * 18

# Columns: target, operation, then the outcome for each group of GROUPS:
# public, portal, internal, other_company, user and manager.
ACCESS_TABLE = """
folder                     create           D D D D D A
folder                     read             D D D D A A
folder                     write            D D D D D A
folder                     unlink           D D D D D A
folder                     read_group       D D D H A A
folder                     export           D D D D A A
folder                     name_search      D D D H A A
category_scheme            create           D D D D D A
category_scheme            read             D D D D A A
category_scheme            write            D D D D D A
category_scheme            unlink           D D D D D A
category_scheme            read_group       D D D H A A
category_scheme            export           D D D D A A
category_scheme            name_search      D D D H A A
category                   create           D D D D D A
category                   read             D D D D A A
category                   write            D D D D D A
category                   unlink           D D D D D A
category                   read_group       D D D H A A
category                   export           D D D D A A
category                   name_search      D D D H A A
document_type              create           D D D D D A
document_type              read             D D D D A A
document_type              write            D D D D D A
document_type              unlink           D D D D D A
document_type              read_group       D D D H A A
document_type              export           D D D D A A
document_type              name_search      D D D H A A
shared_document_type       read             D D D A A A
shared_document_type       write            D D D D D A
occasion                   create           D D D D D A
occasion                   read             D D D D A A
occasion                   write            D D D D D A
occasion                   unlink           D D D D D A
occasion                   read_group       D D D H A A
occasion                   export           D D D D A A
occasion                   name_search      D D D H A A
public_document            create           D D D D A A
public_document            read             D D D D A A
public_document            write            D D D D A A
public_document            unlink           D D D D D A
public_document            read_group       D D D H A A
public_document            export           D D D D A A
public_document            name_search      D D D H A A
public_document            attachment_read  D D D D A A
own_internal_document      create           D D D D A A
own_internal_document      read             D D D D A A
own_internal_document      write            D D D D A A
own_internal_document      unlink           D D D D D A
own_internal_document      read_group       D D D H A A
own_internal_document      export           D D D D A A
own_internal_document      name_search      D D D H A A
own_internal_document      attachment_read  D D D D A A
other_internal_document    create           D D D D D A
other_internal_document    read             D D D D D A
other_internal_document    write            D D D D D A
other_internal_document    unlink           D D D D D A
other_internal_document    read_group       D D D H H A
other_internal_document    export           D D D D D A
other_internal_document    name_search      D D D H H A
other_internal_document    attachment_read  D D D D D A
confidential_document      create           D D D D D A
confidential_document      read             D D D D D A
confidential_document      write            D D D D D A
confidential_document      unlink           D D D D D A
confidential_document      read_group       D D D H H A
confidential_document      export           D D D D D A
confidential_document      name_search      D D D H H A
confidential_document      attachment_read  D D D D D A
consulted_document         read             D D D D A A
consulted_document         write            D D D D D A
consulted_document         unlink           D D D D D A
consulted_document         read_group       D D D H A A
consulted_document         export           D D D D A A
consulted_document         name_search      D D D H A A
consulted_document         attachment_read  D D D D A A
purchase                   create           D D D D A A
purchase                   read             D D D D A A
purchase                   write            D D D D A A
purchase                   unlink           D D D D D A
purchase                   read_group       D D D H A A
purchase                   export           D D D D A A
purchase                   name_search      D D D H A A
consultation               create           D D D A A A
consultation               read             D D D D A A
consultation               write            D D D D A A
consultation               unlink           D D D D A A
consultation               read_group       D D D H A A
consultation               export           D D D D A A
consultation               name_search      D D D H A A
access_log                 create           D D D D D D
access_log                 read             D D D D D A
access_log                 write            D D D D D D
access_log                 unlink           D D D D D D
access_log                 read_group       D D D D D A
access_log                 export           D D D D D A
access_log                 name_search      D D D D D A
hash_chain_head            create           D D D D D D
hash_chain_head            read             D D D D D D
hash_chain_head            write            D D D D D D
hash_chain_head            unlink           D D D D D D
greeting                   create           D D D D D D
greeting                   read             D D D D A A
greeting                   write            D D D D D D
greeting                   unlink           D D D D D A
greeting                   read_group       D D D H A A
greeting                   export           D D D D A A
greeting                   name_search      D D D H A A
register_wizard            create           D D D A A A
consultation_reject_wizard create           D D D D D A
bulk_filing_wizard         create           D D D A A A
bulk_filing_line           create           D D D A A A
import_wizard              create           D D D D D A
import_result              create           D D D D D A
import_rejection           create           D D D D D A
invitation_wizard          create           D D D D D A
partner_id_number          read             D D D D D A
partner_id_number          search           D D D D D A
partner_id_number          read_group       D D D D D A
partner_id_number          export           D D D D D A
partner_id_number          order            D D D D D A
partner_id_number_issue    read             D D D D D A
journal_entry              create           D D D D A A
journal_entry              read             D D D D A A
journal_entry              write            D D D D A A
journal_entry              unlink           D D D D A A
journal_entry              read_group       D D D H A A
journal_entry              export           D D D D A A
journal_entry              name_search      D D D H A A
other_journal_entry        read             D D D D A A
other_journal_entry        write            D D D D D A
other_journal_entry        unlink           D D D D D A
retention_policy           create           D D D D D A
retention_policy           read             D D D D A A
retention_policy           write            D D D D D A
retention_policy           unlink           D D D D D A
retention_policy           read_group       D D D H A A
retention_policy           export           D D D D A A
retention_policy           name_search      D D D H A A
shared_retention_policy    read             D D D A A A
shared_retention_policy    write            D D D D D A
retention_review           create           D D D D D D
retention_review           read             D D D D D A
retention_review           write            D D D D D A
retention_review           unlink           D D D D D D
retention_review           read_group       D D D D D A
retention_review           export           D D D D D A
retention_review           name_search      D D D D D A
foreign_retention_review   read             D D D D D D
foreign_retention_review   read_group       D D D D D H
foreign_retention_review   name_search      D D D D D H
destruction_batch          create           D D D D D A
destruction_batch          read             D D D D D A
destruction_batch          write            D D D D D A
destruction_batch          unlink           D D D D D A
destruction_batch          read_group       D D D D D A
destruction_batch          export           D D D D D A
destruction_batch          name_search      D D D D D A
self_approved_batch        write            D D D D D D
foreign_destruction_batch  read             D D D D D D
foreign_destruction_batch  write            D D D D D D
foreign_destruction_batch  read_group       D D D D D H
foreign_destruction_batch  name_search      D D D D D H
destruction_line           create           D D D D D D
destruction_line           read             D D D D D A
destruction_line           write            D D D D D D
destruction_line           unlink           D D D D D D
destruction_line           read_group       D D D D D A
destruction_line           export           D D D D D A
destruction_line           name_search      D D D D D A
destruction_register       create           D D D D D D
destruction_register       read             D D D D D A
destruction_register       write            D D D D D D
destruction_register       unlink           D D D D D D
destruction_register       read_group       D D D D D A
destruction_register       export           D D D D D A
destruction_register       name_search      D D D D D A
foreign_register_entry     read             D D D D D D
foreign_register_entry     read_group       D D D D D H
foreign_register_entry     name_search      D D D D D H
import_job                 create           D D D D D A
import_job                 read             D D D D D A
import_job                 write            D D D D D A
import_job                 unlink           D D D D D A
import_job                 read_group       D D D D D A
import_job                 export           D D D D D A
import_job                 name_search      D D D D D A
import_job_requester       write            D D D D D D
foreign_import_job         read             D D D D D D
foreign_import_job         read_group       D D D D D H
foreign_import_job         name_search      D D D D D H
dashboard_figure           create           D D D D D D
dashboard_figure           read             D D D D D A
dashboard_figure           write            D D D D D D
dashboard_figure           unlink           D D D D D D
dashboard_figure           read_group       D D D D D A
dashboard_figure           export           D D D D D A
dashboard_figure           name_search      D D D D D A
overview_wizard            create           D D D A A A
overview_wizard            read             D D D D A D
destruction_propose_wizard create           D D D D D A
destruction_remove_wizard  create           D D D D D A
destruction_execute_wizard create           D D D D D A
legal_hold_wizard          create           D D D D D A
erasure_wizard             create           D D D D D A
archive_close              action           D D D D D A
foreign_archive_reopen     action           D D D D D D
legal_hold                 action           D D D D D A
foreign_legal_hold         action           D D D D D D
erasure                    action           D D D D D A
foreign_erasure            action           D D D D D D
serve                      action           D D D D A A
foreign_serve              action           D D D A D D
index_card                 report           D D D D A A
foreign_index_card         report           D D D A D D
registration_form          report           D D D D A A
overview_pdf               report           D D D D A A
destruction_certificate    report           D D D D D A
"""


def _parse_access_table(text):
    """Expand ``ACCESS_TABLE`` into ``(target, group, operation, outcome)`` rows."""
    rows = []
    for line in text.strip().splitlines():
        target, operation, *outcomes = line.split()
        if operation not in OPERATIONS or len(outcomes) != len(GROUPS):
            raise ValueError(f"malformed access table line: {line!r}")
        for group, outcome in zip(GROUPS, outcomes, strict=True):
            if outcome not in OUTCOMES:
                raise ValueError(f"unknown outcome {outcome!r} in line {line!r}")
            rows.append((target, group, operation, outcome))
    return rows


ACCESS_ROWS = _parse_access_table(ACCESS_TABLE)


class _Rollback(Exception):
    """Raised to undo an allowed operation, carrying its result."""

    def __init__(self, result):
        super().__init__(result)
        self.result = result


class Target:
    """A record of ``model`` to act on, with the values to create and write one.

    ``create``, when given, is a function of the user's environment that
    creates a record; it serves models whose records need a parent created by
    the same user. Transient models have no ``record``: only creating them is
    checked.

    ``report`` is the name of a report printed from ``record``, or from the
    records that ``create`` returns when there is no ``record``.
    ``log_details`` is the access-log detail that printing it must write.
    ``action`` is the name of a button method called on the same records.
    """

    def __init__(
        self,
        model,
        record=None,
        create_vals=None,
        write_vals=None,
        read_fields=None,
        create=None,
        report=None,
        log_details=None,
        action=None,
    ):
        self.model = model
        self.record = record
        self.create_vals = create_vals
        self.write_vals = write_vals
        self.read_fields = read_fields or ["display_name"]
        self.report = report
        self.log_details = log_details
        self.action = action
        # create() may change the values it is given, so each call gets a copy.
        self.create = create or (
            lambda env: env[model].create(copy.deepcopy(create_vals))
        )


@tagged("post_install", "-at_install")
class TestAccessMatrix(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "public": cls.env.ref("base.public_user"),
            "portal": cls.portal_user,
            "internal": cls.internal_user,
            "other_company": cls.other_company_user,
            "user": cls.user,
            "manager": cls.manager,
        }
        targets = {
            **cls._build_targets(),
            **cls._build_journal_targets(),
            **cls._build_retention_targets(),
            **cls._build_destruction_targets(),
            **cls._build_tool_targets(),
            **cls._build_action_targets(),
        }
        cls.targets = {**targets, **cls._build_report_targets(targets)}

    @classmethod
    def _build_targets(cls):
        env = cls.env
        foreign = cls._create_customer("Zhang San")
        foreign._archive_register(cls.folder, user=cls.user_2)
        # Records that nothing refers to, so that deleting them can succeed.
        folder = env["customer.archive.folder"].create(
            {"name": "Green Tea", "code": "GRE"}
        )
        scheme = env["customer.archive.category.scheme"].create(
            {"name": "Region", "company_id": cls.company.id}
        )
        category_scheme = env["customer.archive.category.scheme"].create(
            {"name": "Channel", "company_id": cls.company.id}
        )
        category = env["customer.archive.category"].create(
            {"name": "North", "scheme_id": scheme.id}
        )
        doc_type = env["customer.archive.document.type"].create(
            {"name": "Warranty", "code": "WAR", "company_id": cls.company.id}
        )
        template = env.ref("customer_archive.mail_template_birthday_greeting")
        occasion = env["customer.archive.occasion"].create(
            {
                "name": "Store Anniversary",
                "kind": "solar",
                "month": 5,
                "day": 1,
                "mail_template_id": template.id,
            }
        )
        srv = env.ref("customer_archive.document_type_srv")
        inf = env.ref("customer_archive.document_type_inf")
        con = env.ref("customer_archive.document_type_con")
        public_doc = cls._file_document(foreign, "customer_archive.document_type_srv")
        own_doc = cls._file_document(cls.customer, "customer_archive.document_type_inf")
        other_doc = cls._file_document(foreign, "customer_archive.document_type_inf")
        confidential_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_con"
        )
        consulted_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_con"
        )
        now = fields.Datetime.now()
        # Users cannot see confidential documents, so a manager prepares the
        # request in the user's name and another manager approves it.
        grant = (
            env["customer.archive.consultation"]
            .with_user(cls.manager)
            .create(
                {
                    "requester_id": cls.user.id,
                    "document_ids": [(6, 0, consulted_doc.ids)],
                    "purpose": "Answer a complaint",
                    "date_from": now - timedelta(hours=1),
                    "date_to": now + timedelta(days=1),
                }
            )
        )
        grant.with_user(cls.user).action_submit()
        grant.with_user(cls.manager_2).action_approve()
        draft = (
            env["customer.archive.consultation"]
            .with_user(cls.user)
            .create(
                {
                    "partner_ids": [(6, 0, cls.customer.ids)],
                    "purpose": "Check the contract",
                    "date_from": now,
                    "date_to": now + timedelta(days=1),
                }
            )
        )
        purchase = env["customer.archive.purchase"].create(
            {"partner_id": cls.customer.id, "product": "Tieguanyin", "amount": 88}
        )
        log = (
            env["customer.archive.access.log"]
            .with_user(cls.manager)
            ._log("export", partners=cls.customer)
        )
        greeting = env["customer.archive.greeting"].create(
            {
                "partner_id": cls.customer.id,
                "occasion_key": "birthday:2026",
                "kind": "birthday",
                "date": "2026-05-01",
            }
        )
        cls.customer.archive_id_number = "11010519491231002X"

        def document_vals(partner, doc_type):
            return {"partner_id": partner.id, "type_id": doc_type.id}

        zip_file = base64.b64encode(EMPTY_ZIP)

        def create_bulk_filing_line(env):
            wizard = env["customer.archive.bulk.filing.wizard"].create(
                {"zip_file": zip_file}
            )
            return env["customer.archive.bulk.filing.line"].create(
                {"wizard_id": wizard.id, "path": "a.pdf"}
            )

        def create_import_child(model, vals):
            def create(env):
                wizard = env["customer.archive.import.wizard"].create({})
                return env[model].create({"wizard_id": wizard.id, **vals})

            return create

        document = "customer.archive.document"
        return {
            "folder": Target(
                "customer.archive.folder",
                folder,
                {"name": "Jasmine", "code": "JAS"},
                {"description": "Scented teas"},
            ),
            "category_scheme": Target(
                "customer.archive.category.scheme",
                category_scheme,
                {"name": "Occasion"},
                {"sequence": 5},
            ),
            "category": Target(
                "customer.archive.category",
                category,
                {"name": "South", "scheme_id": scheme.id},
                {"color": 3},
            ),
            "document_type": Target(
                "customer.archive.document.type",
                doc_type,
                {"name": "Receipt", "code": "REC", "company_id": cls.company.id},
                {"description": "Warranty cards"},
            ),
            "shared_document_type": Target(
                "customer.archive.document.type", srv, write_vals={"sequence": 7}
            ),
            "occasion": Target(
                "customer.archive.occasion",
                occasion,
                {
                    "name": "Tea Day",
                    "kind": "solar",
                    "month": 5,
                    "day": 21,
                    "mail_template_id": template.id,
                },
                {"days_before": 2},
            ),
            "public_document": Target(
                document, public_doc, document_vals(foreign, srv), {"notes": "Seen"}
            ),
            "own_internal_document": Target(
                document, own_doc, document_vals(cls.customer, inf), {"notes": "Seen"}
            ),
            "other_internal_document": Target(
                document, other_doc, document_vals(foreign, inf), {"notes": "Seen"}
            ),
            "confidential_document": Target(
                document,
                confidential_doc,
                document_vals(cls.customer, con),
                {"notes": "Seen"},
            ),
            "consulted_document": Target(
                document, consulted_doc, write_vals={"notes": "Seen"}
            ),
            "purchase": Target(
                "customer.archive.purchase",
                purchase,
                {"partner_id": cls.customer.id, "product": "Oolong", "amount": 20},
                {"quantity": 2},
            ),
            "consultation": Target(
                "customer.archive.consultation",
                draft,
                {
                    "partner_ids": [(6, 0, cls.customer.ids)],
                    "purpose": "Prepare a visit",
                    "date_from": now,
                    "date_to": now + timedelta(days=1),
                },
                {"purpose": "Prepare the renewal"},
            ),
            "access_log": Target(
                "customer.archive.access.log",
                log,
                {"logged_at": now, "user_id": cls.user.id, "action": "view"},
                {"details": "Corrected"},
            ),
            "hash_chain_head": Target(
                "customer.archive.hash.chain.head",
                env["customer.archive.hash.chain.head"].search([]),
                {"chain": "customer_archive_access_log", "entry_hash": "0" * 64},
                {"entry_hash": "0" * 64},
            ),
            "greeting": Target(
                "customer.archive.greeting",
                greeting,
                {
                    "partner_id": cls.customer.id,
                    "occasion_key": "birthday:2027",
                    "kind": "birthday",
                    "date": "2027-05-01",
                },
                {"state": "done"},
            ),
            "register_wizard": Target(
                "customer.archive.register.wizard",
                create_vals={
                    "partner_ids": [(6, 0, cls.customer.ids)],
                    "folder_id": cls.folder.id,
                },
            ),
            "consultation_reject_wizard": Target(
                "customer.archive.consultation.reject.wizard",
                create_vals={
                    "consultation_ids": [(6, 0, draft.ids)],
                    "reason": "Too broad",
                },
            ),
            "bulk_filing_wizard": Target(
                "customer.archive.bulk.filing.wizard",
                create_vals={"zip_file": zip_file},
            ),
            "bulk_filing_line": Target(
                "customer.archive.bulk.filing.line", create=create_bulk_filing_line
            ),
            "import_wizard": Target(
                "customer.archive.import.wizard", create_vals={"source_prefix": "shop"}
            ),
            "import_result": Target(
                "customer.archive.import.result",
                create=create_import_child(
                    "customer.archive.import.result", {"file": "customers"}
                ),
            ),
            "import_rejection": Target(
                "customer.archive.import.rejection",
                create=create_import_child(
                    "customer.archive.import.rejection",
                    {"file": "customers", "row": 2, "reason": "Missing name"},
                ),
            ),
            "invitation_wizard": Target(
                "customer.archive.invitation.wizard",
                create_vals={
                    "partner_ids": [(6, 0, cls.customer.ids)],
                    "event_name": "Spring Tasting",
                    "event_date": now + timedelta(days=7),
                },
            ),
            "partner_id_number": Target(
                "res.partner", cls.customer, read_fields=["archive_id_number"]
            ),
            "partner_id_number_issue": Target(
                "res.partner", cls.customer, read_fields=["archive_id_number_issue"]
            ),
        }

    @classmethod
    def _build_journal_targets(cls):
        Entry = cls.env["customer.archive.journal.entry"]
        vals = {
            "partner_id": cls.customer.id,
            "entry_type": "call",
            "content": "Asked about the new Pu'er",
        }
        # Archive users change only the entries they recorded themselves.
        own_entry = Entry.with_user(cls.user).create(dict(vals))
        other_entry = Entry.with_user(cls.user_2).create(dict(vals))
        return {
            "journal_entry": Target(
                Entry._name, own_entry, vals, {"content": "Called back"}
            ),
            "other_journal_entry": Target(
                Entry._name, other_entry, write_vals={"content": "Called back"}
            ),
        }

    @classmethod
    def _build_retention_targets(cls):
        env = cls.env
        Policy = env["customer.archive.retention.policy"]
        policy_vals = {
            "name": "Five years after filing",
            "period_count": 5,
            "period_unit": "years",
            "start_event": "filing_date",
            "company_id": cls.company.id,
        }
        policy = Policy.create(dict(policy_vals, name="Ten years after filing"))
        shared_policy = env.ref("customer_archive.retention_policy_feedback")
        Review = env["customer.archive.retention.review"]
        today = fields.Date.today()
        review = Review.create({"company_id": cls.company.id, "review_date": today})
        foreign_review = Review.create(
            {"company_id": cls.other_company.id, "review_date": today}
        )
        return {
            "retention_policy": Target(
                Policy._name, policy, policy_vals, {"legal_basis": "Store policy"}
            ),
            "shared_retention_policy": Target(
                Policy._name, shared_policy, write_vals={"sequence": 7}
            ),
            "retention_review": Target(
                Review._name,
                review,
                {"company_id": cls.company.id, "review_date": today},
                {"review_date": today - timedelta(days=1)},
            ),
            "foreign_retention_review": Target(Review._name, foreign_review),
        }

    @classmethod
    def _due_document(cls, index):
        """File a feedback document past its retention date, due for destruction."""
        document = cls._file_document(
            cls.customer,
            "customer_archive.document_type_fbk",
            content=f"%PDF-1.4 due {index}".encode(),
            filing_date="2020-03-01",
        )
        document.write({"retention_state": "due"})
        return document

    @classmethod
    def _build_destruction_targets(cls):
        env = cls.env
        Batch = env["customer.archive.destruction.batch"]
        Line = env["customer.archive.destruction.line"]
        Register = env["customer.archive.destruction.register"]
        proposed = Batch.with_user(cls.manager_2)._propose(cls._due_document(1))
        # Proposed and verified by the same manager, who may not approve it.
        verified = Batch.with_user(cls.manager)._propose(cls._due_document(2))
        verified.with_user(cls.manager).action_confirm_all()
        verified.with_user(cls.manager).action_verify()
        spare_document = cls._due_document(3)

        foreign_batch = Batch.create({"company_id": cls.other_company.id})
        entry, foreign_entry = Register._append(
            [
                {
                    "kind": "erasure",
                    "archive_number": cls.customer.archive_number,
                    "details": "Customer asked for deletion",
                    "company_id": company.id,
                }
                for company in (cls.company, cls.other_company)
            ]
        )

        return {
            "destruction_batch": Target(
                Batch._name, proposed, {"note": "Flood damage"}, {"note": "Checked"}
            ),
            "self_approved_batch": Target(
                Batch._name,
                verified,
                write_vals={"state": "approved", "approved_by_id": cls.manager.id},
            ),
            "foreign_destruction_batch": Target(
                Batch._name, foreign_batch, write_vals={"note": "Checked"}
            ),
            # Swapping the document of a verified line would destroy a
            # document that nobody checked.
            "destruction_line": Target(
                Line._name,
                verified.line_ids,
                {"batch_id": proposed.id, "document_id": spare_document.id},
                {"document_id": spare_document.id},
            ),
            "destruction_register": Target(
                Register._name,
                entry,
                {"kind": "erasure", "details": "Correction"},
                {"details": "Corrected"},
            ),
            "foreign_register_entry": Target(Register._name, foreign_entry),
            "destruction_propose_wizard": Target(
                "customer.archive.destruction.propose.wizard",
                create_vals={"note": "Expired surveys"},
            ),
            "destruction_remove_wizard": Target(
                "customer.archive.destruction.remove.wizard",
                create_vals={
                    "line_ids": [(6, 0, proposed.line_ids.ids)],
                    "reason": "The paper original is missing",
                },
            ),
            "destruction_execute_wizard": Target(
                "customer.archive.destruction.execute.wizard",
                create_vals={"batch_id": verified.id, "method": "shred"},
            ),
        }

    @classmethod
    def _build_tool_targets(cls):
        env = cls.env
        Job = env["customer.archive.import.job"]
        job_vals = {"file_format": "csv", "source_prefix": "shop"}
        job = Job.create(dict(job_vals, user_id=cls.manager.id, state="done"))
        foreign_job = Job.create(
            dict(job_vals, user_id=cls.manager.id, company_id=cls.other_company.id)
        )
        figure = env["customer.archive.dashboard.figure"].search([], limit=1)
        Overview = env["customer.archive.overview.wizard"]
        overview_vals = {
            "scope": "selected",
            "partner_ids": [(6, 0, cls.customer.ids)],
        }
        overview = Overview.with_user(cls.user).create(overview_vals)
        return {
            "import_job": Target(
                Job._name, job, job_vals, {"file_names": "customers.csv"}
            ),
            # The job runs the import with its requester's access rights.
            "import_job_requester": Target(
                Job._name, job, write_vals={"user_id": cls.manager_2.id}
            ),
            "foreign_import_job": Target(Job._name, foreign_job),
            "dashboard_figure": Target(
                figure._name, figure, {"key": figure.key}, {"key": figure.key}
            ),
            "overview_wizard": Target(Overview._name, overview, overview_vals),
            "legal_hold_wizard": Target(
                "customer.archive.legal.hold.wizard",
                create_vals={
                    "partner_ids": [(6, 0, cls.customer.ids)],
                    "reason": "Pending lawsuit",
                },
            ),
            "erasure_wizard": Target(
                "customer.archive.erasure.wizard",
                create_vals={"partner_id": cls.customer.id},
            ),
        }

    @classmethod
    def _build_action_targets(cls):
        """Return the archive managers' buttons, on this and another company."""
        env = cls.env
        other_folder = env["customer.archive.folder"].create(
            {"name": "Black Tea", "code": "BLK", "company_id": cls.other_company.id}
        )
        foreign = cls._create_customer("Zhao Lei")
        foreign._archive_register(other_folder, user=cls.other_company_user)
        closed = cls._create_customer("Li Na")
        closed._archive_register(cls.folder, user=cls.user)
        # Only closed archives can be erased.
        (foreign | closed).action_archive_close()

        def hold(partner):
            return {"partner_ids": [(6, 0, partner.ids)], "reason": "Pending lawsuit"}

        def erasure(partner):
            return {"partner_id": partner.id, "early_reason": "Asked for deletion"}

        hold_wizard = "customer.archive.legal.hold.wizard"
        erasure_wizard = "customer.archive.erasure.wizard"
        return {
            "archive_close": Target(
                "res.partner", cls.customer, action="action_archive_close"
            ),
            "foreign_archive_reopen": Target(
                "res.partner", foreign, action="action_archive_reopen"
            ),
            "legal_hold": Target(
                hold_wizard, create_vals=hold(cls.customer), action="action_apply"
            ),
            "foreign_legal_hold": Target(
                hold_wizard, create_vals=hold(foreign), action="action_apply"
            ),
            "erasure": Target(
                erasure_wizard, create_vals=erasure(closed), action="action_erase"
            ),
            "foreign_erasure": Target(
                erasure_wizard, create_vals=erasure(foreign), action="action_erase"
            ),
            "serve": Target("res.partner", cls.customer, action="action_archive_serve"),
            "foreign_serve": Target(
                "res.partner", foreign, action="action_archive_serve"
            ),
        }

    @classmethod
    def _build_report_targets(cls, targets):
        """Return the printed reports, with the access-log detail they write."""
        overview = targets["overview_wizard"]
        batch = targets["destruction_batch"]
        foreign = targets["foreign_serve"].record
        return {
            "index_card": Target(
                "res.partner",
                cls.customer,
                report="customer_archive.report_index_card",
                log_details="index_card",
            ),
            "registration_form": Target(
                "res.partner",
                cls.customer,
                report="customer_archive.report_registration_form",
                log_details="registration_form",
            ),
            "foreign_index_card": Target(
                "res.partner",
                foreign,
                report="customer_archive.report_index_card",
                log_details="index_card",
            ),
            # Each user prints the overview from a dialog of their own.
            "overview_pdf": Target(
                overview.model,
                create_vals=overview.create_vals,
                report="customer_archive.report_consumption_overview",
                log_details="overview_pdf",
            ),
            # The certificate lists archive numbers and document metadata, the
            # content of the destruction register, which is read unlogged.
            "destruction_certificate": Target(
                batch.model,
                batch.record,
                report="customer_archive.report_destruction_certificate",
            ),
        }

    # Operations: each returns whether the record was found, or raises.

    def _op_create(self, target, user):
        return bool(target.create(self.env(user=user)))

    def _op_read(self, target, user):
        return bool(target.record.with_user(user).read(target.read_fields))

    def _op_write(self, target, user):
        return target.record.with_user(user).write(target.write_vals)

    def _op_unlink(self, target, user):
        return target.record.with_user(user).unlink()

    def _op_read_group(self, target, user):
        model = target.record.with_user(user).browse()
        field = target.read_fields[0]
        if field in model._fields and field != "display_name":
            groups = model.formatted_read_group(
                [("id", "=", target.record.id)], [field], ["__count"]
            )
        else:
            groups = model.formatted_read_group(
                [("id", "=", target.record.id)], [], ["__count"]
            )
        return bool(groups and groups[0]["__count"])

    def _op_export(self, target, user):
        result = target.record.with_user(user).export_data(target.read_fields)
        return bool(result["datas"])

    def _op_name_search(self, target, user):
        model = target.record.with_user(user).browse()
        found = model.name_search("", [("id", "=", target.record.id)])
        return target.record.id in [record_id for record_id, _name in found]

    def _op_attachment_read(self, target, user):
        attachments = target.record.sudo().attachment_ids.with_user(user)
        return bool(attachments.read(["datas"])[0]["datas"])

    def _op_search(self, target, user):
        field = target.read_fields[0]
        value = target.record.sudo()[field]
        model = target.record.with_user(user).browse()
        return bool(model.search([(field, "=", value)]))

    def _op_order(self, target, user):
        model = target.record.with_user(user).browse()
        found = model.search(
            [("id", "=", target.record.id)], order=target.read_fields[0]
        )
        return bool(found)

    def _op_report(self, target, user):
        """Print ``target.report`` as the route ``/report/pdf`` does.

        Tests render the HTML that wkhtmltopdf would convert. A report with
        ``log_details`` must add an access-log entry for the user.
        """
        env = self.env(user=user)
        records = target.record.with_user(user) if target.record else target.create(env)
        Log = self.env["customer.archive.access.log"].sudo()
        last_entry = Log.search([], order="id desc", limit=1)
        html, _format = env["ir.actions.report"]._render_qweb_pdf(
            target.report, records.ids
        )
        if target.log_details:
            logged = Log.search_count(
                [
                    ("id", ">", last_entry.id),
                    ("user_id", "=", user.id),
                    ("details", "=", target.log_details),
                ]
            )
            self.assertTrue(logged, f"{target.report} printed without a log entry")
        return bool(html)

    def _op_action(self, target, user):
        env = self.env(user=user)
        records = target.record.with_user(user) if target.record else target.create(env)
        getattr(records, target.action)()
        return True

    def _attempt(self, target, group, operation):
        """Run one operation in a savepoint rolled back afterwards."""
        action = getattr(self, f"_op_{operation}")
        user = self.users[group]
        try:
            with self.env.cr.savepoint():
                found = action(target, user)
                self.env.flush_all()
                raise _Rollback(found)
        except _Rollback as done:
            return "A" if done.result else "H"
        except AccessError:
            return "D"
        except UserError:
            return "D"
        finally:
            self.env.invalidate_all()

    @mute_logger(
        "odoo.addons.base.models.ir_model",
        "odoo.addons.base.models.ir_rule",
        "odoo.models",
        "odoo.models.unlink",
    )
    def test_access_table(self):
        for target_name, group, operation, expected in ACCESS_ROWS:
            with self.subTest(target=target_name, group=group, operation=operation):
                outcome = self._attempt(self.targets[target_name], group, operation)
                self.assertEqual(
                    OUTCOMES[outcome],
                    OUTCOMES[expected],
                    f"{operation} on {target_name} by {group}",
                )

    def test_table_covers_every_model(self):
        """Fail when a model defined by the module has no line in the table."""
        defined = {
            name
            for name in self.env.registry
            if self.env[name]._original_module == "customer_archive"
            and not self.env[name]._abstract
        }
        in_table = {self.targets[target].model for target, *_rest in ACCESS_ROWS}
        self.assertEqual(sorted(defined - in_table), [])
