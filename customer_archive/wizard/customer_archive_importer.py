import logging
from collections import Counter, defaultdict

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import northwind
from ..tools.countries import country_code_from_alias
from .customer_archive_import_messages import rejection_message

_logger = logging.getLogger(__name__)

CREATE_BATCH_SIZE = 1000


def _changed_vals(record, vals):
    """Return the items of ``vals`` that differ from the values of ``record``."""
    changed = {}
    for name, value in vals.items():
        field = record._fields[name]
        if field.convert_to_cache(value, record) != field.convert_to_cache(
            record[name], record
        ):
            changed[name] = value
    return changed


class ImportProgress:
    """Rows written by an import so far, reported to the importer after each step.

    The rows to write are the valid customer rows, the valid order lines and
    the customers to register, so the count ends at ``total``.
    """

    def __init__(self, importer, total):
        self.importer = importer
        self.total = total
        self.done = 0

    def advance(self, count):
        done = min(self.done + count, self.total)
        if done != self.done:
            self.done = done
            self.importer._report_progress(done, self.total)


class CustomerArchiveImporter(models.AbstractModel):
    """Writer of validated customer files to contacts, folders and purchases."""

    _name = "customer.archive.importer"
    _description = "Customer Archive Importer"

    @api.model
    def _import_tables(
        self, tables, source_prefix, reference_date=None, responsible=None
    ):
        """Validate ``tables``, write their valid rows and return the report.

        Rejected rows are skipped and listed in the report. The valid rows are
        written in one savepoint: when writing fails, nothing of the import is
        kept and a ``UserError`` names the error. The report is a dict with
        ``files`` (counts per table), ``rejections`` (file, row and reason),
        ``folders`` (customers per folder) and ``reference_date``.
        """
        source_prefix = (source_prefix or "").strip().lower()
        if not northwind.is_valid_source_prefix(source_prefix):
            raise UserError(
                self.env._(
                    "The source “%(prefix)s” is invalid. Use 1 to 30 lower-case "
                    "letters, digits, dots, dashes or underscores, e.g. northwind.",
                    prefix=source_prefix,
                )
            )
        self._check_import_access()
        fallback = self._get_fallback_folder()
        known = self._find_customers(northwind.referenced_customer_codes(tables))
        data = northwind.validate_tables(
            tables, self._get_country_resolver(), known_customer_codes=known
        )
        reference_date = (
            reference_date or data.last_order_date() or fields.Date.context_today(self)
        )
        # Tracking and creation messages would add a chatter message per
        # customer and field, the bulk of the time and memory of a large
        # import; the import report lists what was written instead.
        importer = self.with_context(
            archive_reference_date=reference_date,
            tracking_disable=True,
            mail_create_nolog=True,
        )
        try:
            with self.env.cr.savepoint():
                counts, folders = importer._write_import(
                    data, known, fallback, source_prefix, responsible
                )
        except (UserError, ValueError, psycopg2.Error) as error:
            _logger.exception("Customer import failed and was rolled back")
            raise UserError(
                self.env._(
                    "The import failed, so nothing was saved. Error: %(error)s. "
                    "Correct the files or the archive settings and import them "
                    "again.",
                    error=str(error).strip(),
                )
            ) from error
        return {
            "reference_date": reference_date,
            "files": self._prepare_report_counts(tables, data, counts),
            "rejections": [
                {
                    "file": rejection.table,
                    "row": rejection.row,
                    "reason": rejection_message(self.env, rejection),
                }
                for rejection in data.rejections
            ],
            "folders": folders,
        }

    def _check_import_access(self):
        for model in (
            "res.partner",
            "customer.archive.purchase",
            "customer.archive.folder",
        ):
            self.env[model].check_access("create")
            self.env[model].check_access("write")

    @api.model
    def _get_fallback_folder(self):
        """Return the company's folder for customers without categorised purchases."""
        company = self.env.company
        folder = self.env["customer.archive.folder"].search(
            [("is_fallback", "=", True), ("company_id", "=", company.id)],
            order="sequence, id",
            limit=1,
        )
        if not folder:
            raise UserError(
                self.env._(
                    "The company %(company)s has no fallback folder for customers "
                    "without orders. Tick “Fallback Folder” on one of its folders "
                    "in Configuration > Folders.",
                    company=company.name,
                )
            )
        return folder

    @api.model
    def _find_customers(self, codes):
        """Return the existing customers of the current company by customer code."""
        if not codes:
            return {}
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [
                    ("archive_customer_code", "in", sorted(codes)),
                    ("company_id", "in", [False, self.env.company.id]),
                ],
                order="id",
            )
        )
        customers = {}
        for partner in partners:
            # A contact of the company wins over a shared contact with the
            # same code; the unique index allows one of each.
            if partner.company_id or partner.archive_customer_code not in customers:
                customers[partner.archive_customer_code] = partner
        return customers

    @api.model
    def _get_country_resolver(self):
        """Return a function giving the country id of a country cell, or ``None``.

        The cell is matched on an alias of tools/countries.py, then on the
        country's English or user-language name, then on its ISO code, ignoring
        case, accents and repeated spaces.
        """
        countries = self.env["res.country"].search([])
        by_code = {country.code.casefold(): country.id for country in countries}
        by_name = {}
        for lang in {"en_US", self.env.lang or "en_US"}:
            for country in countries.with_context(lang=lang):
                by_name.setdefault(northwind.fold_name(country.name), country.id)

        def resolve(name):
            alias_code = country_code_from_alias(" ".join(name.split()))
            if alias_code:
                return by_code.get(alias_code.casefold())
            key = northwind.fold_name(name)
            return by_name.get(key) or by_code.get(key)

        return resolve

    # Writing

    def _write_import(self, data, known, fallback, source_prefix, responsible):
        touched_codes = set(data.customers)
        touched_codes.update(line.customer_code for line in data.lines)
        progress = ImportProgress(
            self, len(data.customers) + len(data.lines) + len(touched_codes)
        )
        folders = self._import_folders(data)
        partners, customer_counts = self._import_customers(data, known)
        progress.advance(len(data.customers))
        line_counts, order_counts = self._import_purchases(
            data, partners, folders, source_prefix, progress=progress
        )
        touched = self.env["res.partner"].browse(
            sorted({partners[code].id for code in touched_codes})
        )
        folder_counts = self._import_register(
            touched, fallback, responsible, progress=progress
        )
        touched._archive_recompute_classification(
            self.env.context["archive_reference_date"]
        )
        progress.advance(progress.total)
        counts = {
            northwind.CATEGORIES: folders["counts"],
            northwind.CUSTOMERS: customer_counts,
            northwind.ORDERS: order_counts,
            northwind.ORDER_DETAILS: line_counts,
        }
        return counts, folder_counts

    def _create_in_batches(self, model, vals_list):
        """Create the records of ``vals_list`` by batches and return them all.

        The cache is emptied after each batch, so memory does not grow with
        the number of rows. Everything stays in the import's savepoint.
        """
        ids = []
        for start in range(0, len(vals_list), CREATE_BATCH_SIZE):
            ids += model.create(vals_list[start : start + CREATE_BATCH_SIZE]).ids
            self.env.invalidate_all()
        return model.browse(ids)

    def _import_folders(self, data):
        """Find or create the folder of each category, matched on the folder name.

        Returns ``{"by_category": {category_id: folder}, "counts": {...}}``.
        """
        company = self.env.company
        Folder = self.env["customer.archive.folder"].with_context(active_test=False)
        existing = Folder.search([("company_id", "=", company.id)])
        by_name = {
            folder.name.casefold(): folder for folder in existing if folder.active
        }
        used_prefixes = set(existing.mapped("code"))
        create_vals = []
        planned = set()
        for category in data.categories.values():
            key = category.name.casefold()
            if key in by_name or key in planned:
                continue
            planned.add(key)
            code = northwind.derive_folder_prefix(category.name, used_prefixes)
            used_prefixes.add(code)
            create_vals.append(self._prepare_folder_vals(category, code))
        created = Folder.create(create_vals)
        for folder in created:
            by_name[folder.name.casefold()] = folder
        by_category = {
            category.category_id: by_name[category.name.casefold()]
            for category in data.categories.values()
        }
        counts = {
            "created": len(created),
            "updated": len(data.categories) - len(created),
        }
        return {"by_category": by_category, "counts": counts}

    def _prepare_folder_vals(self, category, code):
        """Return the values of a category's new folder. Meant to be overridden."""
        return {
            "name": category.name,
            "code": code,
            "description": category.description or False,
            "company_id": self.env.company.id,
        }

    def _import_customers(self, data, known):
        """Create or update a company contact per valid customer row.

        Returns the contacts by customer code, including the known customers
        that only orders refer to, and the created and updated counts.
        """
        Partner = self.env["res.partner"]
        states = self._get_state_resolver(
            {customer.country_id for customer in data.customers.values()}
        )
        create_vals = []
        updated = 0
        for customer in data.customers.values():
            vals = self._prepare_customer_vals(customer, states)
            partner = known.get(customer.code)
            if partner:
                updated += 1
                changed = _changed_vals(partner, vals)
                if changed:
                    partner.write(changed)
            else:
                create_vals.append(vals)
        created = self._create_in_batches(Partner, create_vals)
        partners = dict(known)
        partners.update({partner.archive_customer_code: partner for partner in created})
        self._import_contact_persons(data, partners)
        return partners, {"created": len(created), "updated": updated}

    def _get_state_resolver(self, country_ids):
        states = self.env["res.country.state"].search(
            [("country_id", "in", [cid for cid in country_ids if cid])]
        )
        by_key = {}
        for state in states:
            by_key[state.country_id.id, northwind.fold_name(state.code)] = state.id
            by_key.setdefault(
                (state.country_id.id, northwind.fold_name(state.name)), state.id
            )

        def resolve(country_id, region):
            return by_key.get((country_id, northwind.fold_name(region)))

        return resolve

    def _prepare_customer_vals(self, customer, states):
        """Return the contact values of a customer row. Meant to be overridden.

        Empty cells are left out, so importing a file with fewer details keeps
        what the archive already has. The phone is stored as typed, and the
        archive computes its E.164 form from the phone and the country.
        """
        vals = {
            "name": customer.company_name,
            "is_company": True,
            "archive_customer_code": customer.code,
        }
        state_id = None
        if customer.region and customer.country_id:
            state_id = states(customer.country_id, customer.region)
        optional = {
            "street": customer.street,
            "city": customer.city,
            "zip": customer.zip,
            "phone": customer.phone,
            "country_id": customer.country_id,
            "state_id": state_id,
        }
        vals.update({name: value for name, value in optional.items() if value})
        return vals

    def _import_contact_persons(self, data, partners):
        """Create or update the contact person of each customer as a child contact."""
        Partner = self.env["res.partner"]
        rows = [
            (partners[customer.code], customer)
            for customer in data.customers.values()
            if customer.contact_name
        ]
        parent_ids = [partner.id for partner, _customer in rows]
        children = Partner.with_context(active_test=False).search(
            [("parent_id", "in", parent_ids)]
        )
        by_key = {
            (child.parent_id.id, (child.name or "").casefold()): child
            for child in children
        }
        create_vals = []
        for partner, customer in rows:
            child = by_key.get((partner.id, customer.contact_name.casefold()))
            if child:
                if customer.contact_title and child.function != customer.contact_title:
                    child.function = customer.contact_title
                continue
            create_vals.append(
                {
                    "name": customer.contact_name,
                    "function": customer.contact_title or False,
                    "parent_id": partner.id,
                }
            )
        self._create_in_batches(Partner, create_vals)

    def _import_purchases(self, data, partners, folders, source_prefix, progress=None):
        """Create or update a purchase per valid order line, keyed by source reference.

        Returns the created and updated counts of lines and of orders. An order
        counts as updated when one of its lines had been imported before.
        ``progress``, an ``ImportProgress``, advances by the lines written.
        """
        Purchase = self.env["customer.archive.purchase"]
        lines = {}
        for line in data.lines:
            reference = northwind.source_reference(
                source_prefix, line.order_id, line.product_id
            )
            lines[reference] = line
        existing = {
            purchase.source_reference: purchase
            for purchase in Purchase.search(
                [
                    ("source_reference", "in", list(lines)),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        }
        create_vals = []
        updated_orders = set()
        for reference, line in lines.items():
            folder = folders["by_category"].get(line.category_id)
            vals = self._prepare_purchase_vals(
                line, partners[line.customer_code], folder, reference
            )
            purchase = existing.get(reference)
            if purchase:
                updated_orders.add(line.order_id)
                changed = _changed_vals(purchase, vals)
                if changed:
                    purchase.write(changed)
            else:
                create_vals.append(vals)
        if progress:
            progress.advance(len(data.lines) - len(create_vals))
        for start in range(0, len(create_vals), CREATE_BATCH_SIZE):
            batch = create_vals[start : start + CREATE_BATCH_SIZE]
            Purchase.create(batch)
            if progress:
                progress.advance(len(batch))
            # Drop the batch from the cache, so memory does not grow with the
            # number of order lines.
            self.env.invalidate_all()
        line_counts = {"created": len(create_vals), "updated": len(existing)}
        imported_orders = {line.order_id for line in data.lines}
        order_counts = {
            "created": len(imported_orders - updated_orders),
            "updated": len(updated_orders),
        }
        return line_counts, order_counts

    def _prepare_purchase_vals(self, line, partner, folder, reference):
        """Return the purchase values of an order line. Meant to be overridden."""
        return {
            "partner_id": partner.id,
            "date": line.order_date,
            "product": line.product_name,
            "quantity": float(line.quantity),
            "amount": float(line.amount),
            "folder_id": folder.id if folder else False,
            "source_reference": reference,
            "company_id": self.env.company.id,
        }

    def _import_register(self, partners, fallback, responsible, progress=None):
        """File each customer in the folder of its highest spend and register it.

        The spend counts the customer's purchases of the current company,
        including those of earlier imports. Customers without purchases in a
        folder go to ``fallback``. A new archive's registration date is the
        customer's first purchase date, or today without purchases. Closed
        archives keep their folder and state. Returns the number of customers
        per folder name. ``progress``, an ``ImportProgress``, advances by the
        customers registered.
        """
        Purchase = self.env["customer.archive.purchase"]
        Purchase.flush_model()
        domain = [
            ("partner_id", "in", partners.ids),
            ("company_id", "=", self.env.company.id),
        ]
        spend = defaultdict(dict)
        names = {}
        for partner, folder, amount in Purchase._read_group(
            [*domain, ("folder_id", "!=", False)],
            ["partner_id", "folder_id"],
            ["amount:sum"],
        ):
            # Rounded to the cent, so equal totals tie despite float sums.
            spend[partner.id][folder.id] = round(amount, 2)
            names[folder.id] = folder.name
        first_dates = dict(Purchase._read_group(domain, ["partner_id"], ["date:min"]))
        today = fields.Date.context_today(self)
        Folder = self.env["customer.archive.folder"]
        folder_counts = Counter()
        ordered = partners.sorted(lambda p: (p.archive_customer_code or "", p.id))
        open_partners = ordered.filtered(lambda p: p.archive_state != "closed")
        if progress and len(ordered) > len(open_partners):
            progress.advance(len(ordered) - len(open_partners))
        for start in range(0, len(open_partners), CREATE_BATCH_SIZE):
            batch = open_partners[start : start + CREATE_BATCH_SIZE]
            # Customers of one folder and registration date are registered
            # together, so their numbers are drawn in one query. The groups
            # keep the batch's order, so numbers follow the customer codes.
            groups = defaultdict(list)
            for partner in batch:
                folder_id = northwind.pick_main_folder(spend.get(partner.id, {}), names)
                folder = Folder.browse(folder_id) if folder_id else fallback
                registration_date = first_dates.get(partner) or today
                groups[folder, registration_date].append(partner.id)
            for (folder, registration_date), partner_ids in groups.items():
                batch.browse(partner_ids)._archive_register(
                    folder, user=responsible, registration_date=registration_date
                )
                folder_counts[folder.name] += len(partner_ids)
            if progress:
                progress.advance(len(batch))
            # Drop the batch from the cache, so memory does not grow with the
            # number of customers.
            self.env.invalidate_all()
        return dict(folder_counts)

    def _report_progress(self, done, total):
        """Log the rows written so far; a background import job also stores them.

        The job is the ``archive_import_job_id`` of the context, set when a
        scheduled action runs the import.
        """
        _logger.info("Customer import: %s/%s rows written", done, total)
        job_id = self.env.context.get("archive_import_job_id")
        if job_id:
            self.env["customer.archive.import.job"].browse(job_id)._record_progress(
                done, total
            )

    # Report

    def _prepare_report_counts(self, tables, data, counts):
        rows = []
        for name in northwind.TABLE_NAMES:
            if name not in tables:
                continue
            rejected = data.rejected_count(name)
            read = data.read_counts[name]
            rows.append(
                {
                    "file": name,
                    "read_count": read,
                    "accepted_count": read - rejected,
                    "created_count": counts.get(name, {}).get("created", 0),
                    "updated_count": counts.get(name, {}).get("updated", 0),
                    "rejected_count": rejected,
                }
            )
        return rows
