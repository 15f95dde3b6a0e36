import logging

import xlsxwriter
from babel.dates import get_date_format
from xlsxwriter.format import Format

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse, get_lang

from ..tools import birthdays, spreadsheet

_logger = logging.getLogger(__name__)

# Customers read per query. Each batch is written out before the next one is
# read, so memory stays flat however many customers are exported.
OVERVIEW_BATCH_SIZE = 2000
PARTNER_COLUMNS = (
    "id",
    "archive_number",
    "name",
    "phone",
    "archive_birthday",
    "archive_birthday_calendar",
    "archive_is_member",
    "archive_member_level",
    "archive_tier",
    "archive_purchase_total",
    "archive_purchase_count",
    "archive_last_purchase_date",
    "archive_user_id",
)


class CustomerArchiveOverview(models.AbstractModel):
    """Consumption category overview (顾客消费类别一览表), grouped by folder.

    Rows are read with SQL in batches, folder by folder and in archive number
    order, through ``_search`` so that record rules apply. The xlsx file is
    written in xlsxwriter's ``constant_memory`` mode, which flushes each row to
    a temporary file. Memory use therefore depends on the batch size, not on
    the number of customers.
    """

    _name = "customer.archive.overview"
    _description = "Consumption Category Overview"

    @api.model
    def _overview_columns(self):
        """Return ``(key, label, width, kind)`` of each column, in order."""
        _ = self.env._
        return [
            ("folder", _("Folder"), 18, "text"),
            ("number", _("Archive Number"), 16, "text"),
            ("name", _("Name"), 26, "text"),
            ("phone", _("Phone"), 18, "text"),
            ("birthday", _("Birthday"), 12, "date"),
            ("member", _("Member"), 12, "text"),
            ("tier", _("Consumption Tier"), 14, "text"),
            ("total", _("Total Spend"), 14, "amount"),
            ("count", _("Purchases"), 10, "integer"),
            ("last_purchase", _("Last Purchase"), 13, "date"),
            ("next_birthday", _("Next Birthday"), 13, "date"),
            ("responsible", _("Archive Responsible"), 20, "text"),
        ]

    @api.model
    def _overview_folders(self, domain):
        """Return the folders of the matching customers in folder order.

        An empty folder record stands for the customers without a folder and
        comes last.
        """
        query = self.env["res.partner"]._search(domain)
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT archive_folder_id FROM res_partner WHERE id IN %s",
                query.subselect(),
            )
        )
        folder_ids = [row[0] for row in self.env.cr.fetchall()]
        # sudo: only the names of folders of customers the user may read are
        # shown; a folder of another company still names its customers' group.
        folders = (
            self.env["customer.archive.folder"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "in", [i for i in folder_ids if i])])
        )
        ordered = list(folders)
        if None in folder_ids:
            ordered.append(folders.browse())
        return ordered

    @api.model
    def _overview_batches(self, domain, folder, batch_size=None, log_action=None):
        """Yield lists of row dicts of ``folder``'s customers, by archive number.

        With ``log_action``, each batch of customers is passed to
        ``_archive_log_access`` before it is yielded.
        """
        batch_size = batch_size or OVERVIEW_BATCH_SIZE
        partners = self.env["res.partner"]
        today = fields.Date.context_today(self)
        labels = self._overview_labels()
        user_names = {}
        folder_domain = Domain(domain) & Domain(
            "archive_folder_id", "=", folder.id or False
        )
        last_key = None
        while True:
            query = partners._search(
                folder_domain, order="archive_number, id", limit=batch_size
            )
            if last_key:
                query.add_where(
                    SQL(
                        "(%s, %s) > (%s, %s)",
                        SQL.identifier(query.table, "archive_number"),
                        SQL.identifier(query.table, "id"),
                        *last_key,
                    )
                )
            self.env.cr.execute(
                query.select(
                    *(SQL.identifier(query.table, name) for name in PARTNER_COLUMNS)
                )
            )
            records = [
                dict(zip(PARTNER_COLUMNS, row, strict=True))
                for row in self.env.cr.fetchall()
            ]
            if not records:
                return
            self._overview_load_user_names(records, user_names)
            if log_action:
                partners.browse(r["id"] for r in records)._archive_log_access(
                    log_action
                )
            yield [
                self._overview_row(record, folder, today, labels, user_names)
                for record in records
            ]
            if len(records) < batch_size:
                return
            last_key = (records[-1]["archive_number"], records[-1]["id"])

    @api.model
    def _overview_labels(self):
        partner_fields = self.env["res.partner"]._fields
        return {
            "tier": dict(
                partner_fields["archive_tier"]._description_selection(self.env)
            ),
            "level": dict(
                partner_fields["archive_member_level"]._description_selection(self.env)
            ),
            "yes": self.env._("Yes"),
            "no": self.env._("No"),
            "no_folder": self.env._("No Folder"),
        }

    @api.model
    def _overview_load_user_names(self, records, user_names):
        missing = {r["archive_user_id"] for r in records} - user_names.keys() - {None}
        if missing:
            # sudo: responsible users may belong to companies the reader is not
            # in; only their names are shown.
            users = self.env["res.users"].sudo().with_context(active_test=False)
            for user in users.browse(sorted(missing)):
                user_names[user.id] = user.name

    @api.model
    def _overview_row(self, record, folder, today, labels, user_names):
        birthday = record["archive_birthday"]
        if record["archive_is_member"]:
            member = labels["level"].get(record["archive_member_level"], labels["yes"])
        else:
            member = labels["no"]
        return {
            "partner_id": record["id"],
            "folder": folder.name if folder else labels["no_folder"],
            "number": record["archive_number"],
            "name": record["name"],
            "phone": record["phone"],
            "birthday": birthday,
            "member": member,
            "tier": labels["tier"].get(record["archive_tier"], ""),
            "total": float(record["archive_purchase_total"] or 0.0),
            "count": record["archive_purchase_count"] or 0,
            "last_purchase": record["archive_last_purchase_date"],
            "next_birthday": birthday
            and birthdays.next_birthday(
                birthday, record["archive_birthday_calendar"], today
            ),
            "responsible": user_names.get(record["archive_user_id"], ""),
        }

    @api.model
    def _overview_sections(self, domain, batch_size=None, log_action=None):
        """Yield ``(folder, batches)`` in folder order; see ``_overview_batches``."""
        for folder in self._overview_folders(domain):
            yield (
                folder,
                self._overview_batches(domain, folder, batch_size, log_action),
            )

    # xlsx

    @api.model
    def _overview_formats(self, workbook):
        locale = babel_locale_parse(get_lang(self.env).code)
        date_code = spreadsheet.excel_date_format(
            get_date_format("short", locale=locale).pattern
        )
        decimal_pattern = locale.decimal_formats[None].pattern
        amount_code = spreadsheet.excel_number_format(
            decimal_pattern, self.env.company.currency_id.decimal_places
        )
        integer_code = spreadsheet.excel_number_format(decimal_pattern, 0)
        text_props = {"valign": "top"}
        formula_props = dict(text_props)
        # Excel then keeps formula-like text as text when the cell is edited.
        if hasattr(Format, "set_quote_prefix"):
            formula_props["quote_prefix"] = True
        total_props = {"bold": True, "top": 1}
        return {
            "header": workbook.add_format(
                {"bold": True, "bottom": 1, "bg_color": "#E8EEF4", "text_wrap": True}
            ),
            "text": workbook.add_format(text_props),
            "formula_text": workbook.add_format(formula_props),
            "date": workbook.add_format({**text_props, "num_format": date_code}),
            "amount": workbook.add_format({**text_props, "num_format": amount_code}),
            "integer": workbook.add_format({**text_props, "num_format": integer_code}),
            "total_text": workbook.add_format(total_props),
            "total_amount": workbook.add_format(
                {**total_props, "num_format": amount_code}
            ),
            "total_integer": workbook.add_format(
                {**total_props, "num_format": integer_code}
            ),
        }

    @api.model
    def _overview_write_xlsx(self, domain, output, batch_size=None, log_action=None):
        """Write the overview of the customers matching ``domain`` to ``output``.

        ``output`` is a file name or a binary file object. Returns the number
        of customers written.
        """
        workbook = xlsxwriter.Workbook(
            output,
            {
                "constant_memory": True,
                # write_text writes every text with write_string; these keep
                # any other path from turning text into formulas or links.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        title = self.env._("Consumption Category Overview")
        workbook.set_properties({"title": title, "author": self.env.user.name})
        sheet = workbook.add_worksheet(spreadsheet.safe_sheet_name(title))
        formats = self._overview_formats(workbook)
        columns = self._overview_columns()
        for col, (_key, label, width, _kind) in enumerate(columns):
            sheet.set_column(col, col, width)
            spreadsheet.write_text(sheet, 0, col, label, formats["header"])
        sheet.freeze_panes(1, 0)
        row = 1
        grand_count = grand_total = grand_purchases = 0
        customer_total = self.env["res.partner"].search_count(domain)
        sections = self._overview_sections(domain, batch_size, log_action)
        for folder, batches in sections:
            count = total = purchases = 0
            for batch in batches:
                for record in batch:
                    self._overview_write_row(sheet, row, columns, record, formats)
                    row += 1
                    count += 1
                    total += record["total"]
                    purchases += record["count"]
                _logger.info(
                    "Overview export: %s/%s customers written",
                    grand_count + count,
                    customer_total,
                )
            if not count:
                continue
            label = self.env._(
                "Subtotal %(folder)s (customers: %(count)s)",
                folder=folder.name if folder else self.env._("No Folder"),
                count=count,
            )
            self._overview_write_total(
                sheet, row, columns, label, total, purchases, formats
            )
            row += 1
            grand_count += count
            grand_total += total
            grand_purchases += purchases
        label = self.env._("Total (customers: %(count)s)", count=grand_count)
        self._overview_write_total(
            sheet, row, columns, label, grand_total, grand_purchases, formats
        )
        # The filter covers the customer rows and the subtotal rows between them.
        sheet.autofilter(0, 0, max(row - 1, 1), len(columns) - 1)
        workbook.close()
        return grand_count

    @api.model
    def _overview_write_row(self, sheet, row, columns, record, formats):
        for col, (key, _label, _width, kind) in enumerate(columns):
            value = record[key]
            if kind == "date":
                spreadsheet.write_date(sheet, row, col, value, formats["date"])
            elif kind in ("amount", "integer"):
                spreadsheet.write_number(sheet, row, col, value, formats[kind])
            else:
                spreadsheet.write_text(
                    sheet, row, col, value, formats["text"], formats["formula_text"]
                )

    @api.model
    def _overview_write_total(self, sheet, row, columns, label, total, count, formats):
        keys = [key for key, _label, _width, _kind in columns]
        for col in range(len(columns)):
            sheet.write_blank(row, col, None, formats["total_text"])
        spreadsheet.write_text(sheet, row, 0, label, formats["total_text"])
        sheet.write_number(row, keys.index("total"), total, formats["total_amount"])
        sheet.write_number(row, keys.index("count"), count, formats["total_integer"])
