import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import birthdays, classification, identity
from ..tools.phone import normalize_phone

_logger = logging.getLogger(__name__)

ARCHIVE_STATES = [
    ("not_registered", "Not Registered"),
    ("registered", "Registered"),
    ("dormant", "Dormant"),
    ("closed", "Closed"),
]
TIERS = [
    (classification.TIER_NONE, "No Purchase"),
    (classification.TIER_LOW, "Low"),
    (classification.TIER_MEDIUM, "Medium"),
    (classification.TIER_HIGH, "High"),
]
ACTIVITY_CYCLES = [
    (classification.CYCLE_NEW, "New"),
    (classification.CYCLE_ACTIVE, "Active"),
    (classification.CYCLE_DORMANT, "Dormant"),
    (classification.CYCLE_LOST, "Lost"),
]
CLASSIFICATION_BATCH_SIZE = 5000
# Fields that only the module's own code writes: registration gives the number
# and date, the classification computes the figures and moves the state, and
# the company follows the folder. Users and RPC callers may not set them; the
# code writes them in sudo mode.
SYSTEM_FIELDS = frozenset(
    {
        "archive_number",
        "archive_company_id",
        "archive_registration_date",
        "archive_state",
        "archive_tier",
        "archive_activity_cycle",
        "archive_last_purchase_date",
        "archive_last_interaction_date",
        "archive_purchase_count",
        "archive_purchase_total",
        "archive_classified_on",
    }
)
MANAGER_GROUP = "customer_archive.group_archive_manager"
USER_GROUP = "customer_archive.group_archive_user"


def _field_default(model, name):
    """Return the default value of field ``name`` of ``model``, or None."""
    default = model._fields[name].default
    return default(model) if default else None


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Register
    archive_number = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Folder prefix and sequence number, assigned when the archive is "
        "registered and never reused.",
        groups="customer_archive.group_archive_user",
    )
    archive_state = fields.Selection(
        ARCHIVE_STATES,
        default="not_registered",
        required=True,
        copy=False,
        tracking=True,
        index=True,
        groups="customer_archive.group_archive_user",
    )
    archive_customer_code = fields.Char(
        string="Customer Code",
        copy=False,
        index="btree_not_null",
        help="Code of the customer in the system it was imported from, e.g. ALFKI; "
        "importing the same code again updates this customer.",
        groups="customer_archive.group_archive_user",
    )
    archive_registration_date = fields.Date(
        string="Registration Date",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_user_id = fields.Many2one(
        "res.users",
        string="Archive Responsible",
        index=True,
        tracking=True,
        copy=False,
        help="Salesperson in charge of the archive; reads its internal documents.",
        groups="customer_archive.group_archive_user",
    )
    archive_user_locked = fields.Boolean(
        string="Responsible Locked",
        compute="_compute_archive_user_locked",
        help="The archive has a responsible user, and only archive managers can "
        "change it.",
        groups="customer_archive.group_archive_user",
    )
    archive_folder_id = fields.Many2one(
        "customer.archive.folder",
        string="Folder",
        index=True,
        tracking=True,
        ondelete="restrict",
        copy=False,
        help="Product line under which the customer is filed; its prefix starts "
        "the archive number.",
        groups="customer_archive.group_archive_user",
    )
    archive_company_id = fields.Many2one(
        related="archive_folder_id.company_id",
        string="Archive Company",
        store=True,
        index=True,
        groups="customer_archive.group_archive_user",
    )
    archive_customer_type = fields.Selection(
        [
            ("individual", "Individual"),
            ("company", "Company"),
            ("government", "Government"),
        ],
        string="Customer Type",
        compute="_compute_archive_customer_type",
        store=True,
        readonly=False,
        groups="customer_archive.group_archive_user",
    )
    archive_category_ids = fields.Many2many(
        "customer.archive.category",
        "res_partner_customer_archive_category_rel",
        "partner_id",
        "category_id",
        string="Archive Categories",
        groups="customer_archive.group_archive_user",
    )
    archive_referrer_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        domain="[('archive_number', '!=', False), ('id', '!=', id)]",
        help="Existing customer who brought this customer.",
        groups="customer_archive.group_archive_user",
    )
    archive_marketing_consent = fields.Boolean(
        string="Marketing Consent",
        tracking=True,
        help="The customer agreed to be contacted for greetings, offers and "
        "invitations.",
        groups="customer_archive.group_archive_user",
    )
    # Person
    archive_gender = fields.Selection(
        [("female", "Female"), ("male", "Male"), ("other", "Other")],
        string="Gender",
        groups="customer_archive.group_archive_user",
    )
    archive_birthday = fields.Date(
        string="Birthday",
        groups="customer_archive.group_archive_user",
    )
    archive_birthday_calendar = fields.Selection(
        [(birthdays.SOLAR, "Solar"), (birthdays.LUNAR, "Lunar")],
        string="Birthday Calendar",
        default=birthdays.SOLAR,
        required=True,
        help="Lunar: the birthday is celebrated on the lunar month and day of the "
        "birth date.",
        groups="customer_archive.group_archive_user",
    )
    archive_birthday_month = fields.Integer(
        string="Birthday Month",
        compute="_compute_archive_birthday_parts",
        store=True,
        help="Solar month of this year's birthday (lunar birthdays included).",
        groups="customer_archive.group_archive_user",
    )
    archive_birthday_day = fields.Integer(
        string="Birthday Day",
        compute="_compute_archive_birthday_parts",
        store=True,
        groups="customer_archive.group_archive_user",
    )
    archive_birthday_date = fields.Date(
        string="Birthday This Year",
        compute="_compute_archive_birthday_parts",
        store=True,
        index="btree_not_null",
        help="Solar date of this year's birthday, lunar birthdays included; empty "
        "when a lunar birthday does not fall in this year. A yearly scheduled "
        "action moves it to the new year.",
        groups="customer_archive.group_archive_user",
    )
    archive_id_number = fields.Char(
        string="ID Number",
        groups="customer_archive.group_archive_manager",
        copy=False,
        tracking=True,
    )
    archive_id_number_masked = fields.Char(
        string="ID Number (Masked)",
        compute="_compute_archive_id_number_masked",
        compute_sudo=True,
        groups="customer_archive.group_archive_user",
    )
    archive_id_number_invalid = fields.Boolean(
        string="Invalid ID Number",
        compute="_compute_archive_id_number_invalid",
        compute_sudo=True,
        store=True,
        help="The ID number fails the length, birth date or check digit test of "
        "Chinese resident identity numbers; it is kept as typed.",
        groups="customer_archive.group_archive_user",
    )
    # The message quotes the whole number, so it is as restricted as the number.
    archive_id_number_issue = fields.Char(
        string="ID Number Problem",
        compute="_compute_archive_id_number_issue",
        compute_sudo=True,
        groups="customer_archive.group_archive_manager",
    )
    archive_phone_normalized = fields.Char(
        string="Normalised Phone",
        compute="_compute_archive_phone_normalized",
        store=True,
        index="btree_not_null",
        help="Phone in E.164 form, using the customer's country for local numbers.",
        groups="customer_archive.group_archive_user",
    )
    archive_phone_invalid = fields.Boolean(
        string="Invalid Phone",
        compute="_compute_archive_phone_normalized",
        store=True,
        help="The phone could not be read as a valid number; it is kept as typed.",
        groups="customer_archive.group_archive_user",
    )
    archive_duplicate_warning = fields.Text(
        string="Possible Duplicates",
        compute="_compute_archive_duplicate_warning",
        groups="customer_archive.group_archive_user",
    )
    # Member
    archive_is_member = fields.Boolean(
        string="Member",
        tracking=True,
        index=True,
        groups="customer_archive.group_archive_user",
    )
    archive_member_level = fields.Selection(
        [
            ("regular", "Regular"),
            ("silver", "Silver"),
            ("gold", "Gold"),
            ("platinum", "Platinum"),
        ],
        string="Member Level",
        groups="customer_archive.group_archive_user",
    )
    archive_member_join_date = fields.Date(
        string="Member Since",
        groups="customer_archive.group_archive_user",
    )
    archive_member_renewal_date = fields.Date(
        string="Renewal Date",
        index=True,
        groups="customer_archive.group_archive_user",
    )
    archive_member_points = fields.Integer(
        string="Member Points",
        groups="customer_archive.group_archive_user",
    )
    # Classification, written in batches by _archive_recompute_classification
    archive_tier = fields.Selection(
        TIERS,
        string="Consumption Tier",
        default=classification.TIER_NONE,
        readonly=True,
        index=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_activity_cycle = fields.Selection(
        ACTIVITY_CYCLES,
        string="Activity Cycle",
        default=classification.CYCLE_NEW,
        readonly=True,
        index=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_last_purchase_date = fields.Date(
        string="Last Purchase",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_last_interaction_date = fields.Date(
        string="Last Interaction",
        readonly=True,
        copy=False,
        index=True,
        groups="customer_archive.group_archive_user",
    )
    archive_purchase_count = fields.Integer(
        string="Purchase Count",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_purchase_total = fields.Float(
        string="Total Spend",
        readonly=True,
        copy=False,
        groups="customer_archive.group_archive_user",
    )
    archive_classified_on = fields.Date(
        string="Classified On",
        readonly=True,
        copy=False,
        help="Reference date of the last tier and activity computation.",
        groups="customer_archive.group_archive_user",
    )
    archive_purchase_ids = fields.One2many(
        "customer.archive.purchase",
        "partner_id",
        string="Purchases",
        groups="customer_archive.group_archive_user",
    )
    archive_document_ids = fields.One2many(
        "customer.archive.document",
        "partner_id",
        string="Archive Documents",
        groups="customer_archive.group_archive_user",
    )
    archive_consultation_ids = fields.Many2many(
        "customer.archive.consultation",
        string="Approved Consultations",
        compute="_compute_archive_consultation_ids",
        help="Approved consultation requests covering this customer.",
        groups="customer_archive.group_archive_user",
    )
    archive_document_count = fields.Integer(
        string="Documents",
        compute="_compute_archive_document_count",
        groups="customer_archive.group_archive_user",
    )

    _archive_number_company_uniq = models.UniqueIndex(
        "(archive_number, COALESCE(archive_company_id, 0)) "
        "WHERE archive_number IS NOT NULL",
        "This archive number is already used in this company.",
    )
    _archive_customer_code_company_uniq = models.UniqueIndex(
        "(archive_customer_code, COALESCE(company_id, 0)) "
        "WHERE archive_customer_code IS NOT NULL",
        "Another contact of this company already has this customer code.",
    )
    _archive_birthday_idx = models.Index(
        "(archive_birthday_month, archive_birthday_day) "
        "WHERE archive_birthday IS NOT NULL"
    )
    # Finds the customers whose activity cycle is behind their last interaction.
    _archive_cycle_interaction_idx = models.Index(
        "(archive_activity_cycle, archive_last_interaction_date) "
        "WHERE archive_last_interaction_date IS NOT NULL"
    )

    @api.depends("archive_user_id")
    @api.depends_context("uid")
    def _compute_archive_user_locked(self):
        # The saved responsible counts, so a user who picks one in an unsaved
        # form can still change their choice before saving.
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        for partner in self:
            partner.archive_user_locked = not is_manager and bool(
                partner._origin.archive_user_id
            )

    @api.depends("is_company")
    def _compute_archive_customer_type(self):
        for partner in self:
            if not partner.archive_customer_type or (
                partner.archive_customer_type != "government"
            ):
                partner.archive_customer_type = (
                    "company" if partner.is_company else "individual"
                )

    @api.depends("archive_birthday", "archive_birthday_calendar")
    def _compute_archive_birthday_parts(self):
        year = fields.Date.context_today(self).year
        for partner in self:
            birthday = partner.archive_birthday and birthdays.birthday_in_year(
                partner.archive_birthday, partner.archive_birthday_calendar, year
            )
            partner.archive_birthday_month = birthday.month if birthday else 0
            partner.archive_birthday_day = birthday.day if birthday else 0
            partner.archive_birthday_date = birthday or False

    @api.depends("archive_id_number")
    def _compute_archive_id_number_masked(self):
        for partner in self:
            partner.archive_id_number_masked = identity.mask_identity_number(
                partner.archive_id_number
            )

    @api.depends("archive_id_number")
    def _compute_archive_id_number_invalid(self):
        for partner in self:
            number = partner.archive_id_number
            partner.archive_id_number_invalid = bool(number) and not (
                identity.check_resident_id(number).is_valid
            )

    @api.depends("archive_id_number")
    def _compute_archive_id_number_issue(self):
        for partner in self:
            issue = partner._archive_id_number_issue(partner.archive_id_number)
            partner.archive_id_number_issue = issue or False

    def _archive_id_number_issue(self, number):
        """Return a message saying why ``number`` is not a valid ID number, or None."""
        if not number:
            return None
        result = identity.check_resident_id(number)
        messages = {
            identity.REASON_LENGTH: self.env._(
                "The ID number “%(number)s” has %(count)s characters instead of 18; "
                "check it against the identity card.",
                number=number,
                count=len(result.number),
            ),
            identity.REASON_FORMAT: self.env._(
                "The ID number “%(number)s” may only contain digits and a final X; "
                "check it against the identity card.",
                number=number,
            ),
            identity.REASON_DATE: self.env._(
                "The ID number “%(number)s” contains an impossible birth date; "
                "check digits 7 to 14 against the identity card.",
                number=number,
            ),
            identity.REASON_CHECKSUM: self.env._(
                "The check digit of the ID number “%(number)s” does not match; one "
                "of its digits was probably mistyped.",
                number=number,
            ),
        }
        return messages.get(result.reason)

    @api.depends("phone", "country_id")
    def _compute_archive_phone_normalized(self):
        for partner in self:
            normalized = normalize_phone(partner.phone, partner.country_id.code)
            partner.archive_phone_normalized = normalized
            partner.archive_phone_invalid = bool(partner.phone) and not normalized

    @api.depends("archive_phone_normalized")
    @api.depends_context("uid")
    def _compute_archive_duplicate_warning(self):
        for partner in self:
            duplicates = partner._archive_find_duplicates()
            partner.archive_duplicate_warning = (
                partner._archive_duplicate_message(duplicates) if duplicates else False
            )

    def _compute_archive_document_count(self):
        counts = dict(
            self.env["customer.archive.document"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.archive_document_count = counts.get(partner, 0)

    def _compute_archive_consultation_ids(self):
        consultations = self.env["customer.archive.consultation"].search(
            [("partner_ids", "in", self.ids), ("state", "=", "approved")]
        )
        for partner in self:
            partner.archive_consultation_ids = consultations.filtered(
                lambda c, p=partner: p in c.partner_ids
            )

    @api.onchange("archive_id_number")
    def _onchange_archive_id_number(self):
        """Offer the birthday and gender read from a valid ID number."""
        if not self.archive_id_number:
            return None
        result = identity.check_resident_id(self.archive_id_number)
        if not result.is_valid:
            return {
                "warning": {
                    "title": self.env._("Invalid ID number"),
                    "message": self._archive_id_number_issue(self.archive_id_number),
                }
            }
        if not self.archive_birthday:
            self.archive_birthday = result.birth_date
        if not self.archive_gender:
            self.archive_gender = result.gender
        return None

    @api.onchange("phone", "country_id", "archive_id_number")
    def _onchange_archive_duplicates(self):
        # The archive fields compared here are readable by archive users only,
        # and the contact form of other users does not show them.
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            return None
        duplicates = self._archive_find_duplicates()
        if duplicates:
            return {
                "warning": {
                    "title": self.env._("Possible duplicate archive"),
                    "message": self._archive_duplicate_message(duplicates),
                }
            }
        return None

    @api.model
    def _archive_clean_vals(self, vals):
        """Store a valid ID number in its compact form; keep others as typed."""
        number = vals.get("archive_id_number")
        if number:
            result = identity.check_resident_id(number)
            if result.is_valid:
                vals["archive_id_number"] = result.number
        return vals

    def _archive_check_caller(self, group=USER_GROUP):
        """Raise ``AccessError`` unless the user may act on these archives.

        Buttons that go on in sudo mode call this first, because sudo skips
        access rights and record rules: the user needs ``group``, read access
        to each customer and the archive's company among the selected
        companies. Superuser environments pass.
        """
        if self.env.su:
            return
        user = self.env.user
        if not user.has_group(group):
            raise AccessError(
                self.env._(
                    "%(user)s is not in the %(group)s group, so this cannot be "
                    "done for %(customer)s; ask your administrator for the "
                    "%(group)s group.",
                    user=user.name,
                    group=self.env.ref(group).name,
                    customer=", ".join(self[:3].mapped("display_name")),
                )
            )
        self.check_access("read")
        self._archive_check_company_access()

    @api.model
    def _archive_drop_default_values(self, vals):
        """Remove empty and default archive values the user may not write.

        Creating a user makes ``res.users`` pass the defaults of the partner
        fields to the new partner, archive fields included, and the fields
        restricted to archive users would then reject the creation. Other
        values still raise the usual ``AccessError``.
        """
        if self.env.su or self.env.user.has_group(USER_GROUP):
            return
        for name in [name for name in vals if name.startswith("archive_")]:
            field = self._fields.get(name)
            if field is None or not field.groups:
                continue
            if not vals[name] or vals[name] == _field_default(self, name):
                del vals[name]

    @api.model
    def _archive_check_system_fields(self, vals, defaults=False):
        """Reject values of ``SYSTEM_FIELDS`` written outside sudo mode.

        With ``defaults``, as on create, a field's default or empty value is
        accepted, because clients may send it for a new contact.
        """
        if self.env.su:
            return
        names = sorted(SYSTEM_FIELDS & vals.keys())
        if defaults:
            names = [
                name
                for name in names
                if vals[name] and vals[name] != _field_default(self, name)
            ]
        if names:
            raise UserError(
                self.env._(
                    "The field(s) %(fields)s of a customer archive are set by "
                    "registration and classification only; register the archive "
                    "or record a purchase instead of writing them.",
                    fields=", ".join(names),
                )
            )

    def _archive_check_responsible_change(self, vals):
        """Let only archive managers change the responsible of an archive.

        The responsible user reads the archive's internal documents, so taking
        over a customer would otherwise open them to any archive user.
        """
        if "archive_user_id" not in vals or self.env.su:
            return
        if self.env.user.has_group(MANAGER_GROUP):
            return
        new_user_id = vals["archive_user_id"] or False
        changed = self.filtered(
            lambda p: p.archive_user_id and p.archive_user_id.id != new_user_id
        )
        if changed:
            raise UserError(
                self.env._(
                    "Only archive managers can change the responsible of the "
                    "archive of %(customer)s, who is %(user)s; ask an archive "
                    "manager to reassign it.",
                    customer=changed[0].display_name,
                    user=changed[0].archive_user_id.name,
                )
            )

    def _archive_check_contact_company(self):
        """Keep each registered archive's contact in the archive's company.

        Odoo shares contacts without a company with every company, so a
        contact moved out of its archive's company would show its archive
        fields to the users of other companies.
        """
        moved = self.filtered(
            lambda p: (
                p.archive_number
                and p.archive_company_id
                and p.company_id != p.archive_company_id
            )
        )
        if moved:
            partner = moved[0]
            raise UserError(
                self.env._(
                    "The archive of “%(customer)s” belongs to %(archive_company)s, "
                    "so the contact's company cannot become %(company)s; keep "
                    "%(archive_company)s as its company and choose a folder of "
                    "%(archive_company)s.",
                    customer=partner.display_name,
                    archive_company=partner.archive_company_id.name,
                    company=partner.company_id.name or self.env._("no company"),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._archive_drop_default_values(vals)
            self._archive_check_system_fields(vals, defaults=True)
        return super().create([self._archive_clean_vals(vals) for vals in vals_list])

    def write(self, vals):
        self._archive_check_system_fields(vals)
        self._archive_check_responsible_change(vals)
        result = super().write(self._archive_clean_vals(vals))
        if not self.env.su and {"company_id", "archive_folder_id"} & vals.keys():
            self._archive_check_contact_company()
        if "archive_user_id" in vals:
            # The stored responsible user of documents drives their access rule.
            self.env["customer.archive.document"].flush_model(["archive_user_id"])
        return result

    def export_data(self, fields_to_export):
        # An export of the "id" column alone reads no field, so without this
        # check it would succeed, and be logged, on unreadable records.
        self.check_access("read")
        result = super().export_data(fields_to_export)
        if any(name.startswith("archive_") for name in fields_to_export):
            self.env["customer.archive.access.log"]._log(
                "export",
                partners=self._archive_registered(),
                details=self._name,
            )
        return result

    # Duplicates

    def _archive_find_duplicates(self):
        """Return registered archives sharing this customer's phone or ID number.

        The search runs as the current user, so only archives they may read
        are named. Archive users cannot search on the ID number, so the
        archives holding it are found in sudo mode and passed in by id.
        """
        self.ensure_one()
        conditions = []
        if self.archive_phone_normalized:
            conditions.append(
                Domain("archive_phone_normalized", "=", self.archive_phone_normalized)
            )
        id_number = self._archive_id_number_to_compare()
        if id_number:
            # sudo: yields only ids, which the user's own search below filters
            # through their record rules.
            holders = (
                self.env["res.partner"]
                .sudo()
                .with_context(active_test=False)
                ._search(
                    [
                        (
                            "archive_id_number",
                            "=",
                            identity.compact_resident_id(id_number),
                        )
                    ]
                )
            )
            conditions.append(Domain("id", "in", holders))
        if not conditions:
            return self.browse()
        own_ids = [self._origin.id] if self._origin.id else []
        domain = Domain.AND(
            [
                Domain("archive_number", "!=", False),
                Domain("id", "not in", own_ids),
                Domain.OR(conditions),
            ]
        )
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(domain, limit=5)
        )

    def _archive_id_number_to_compare(self):
        """Return the ID number that the duplicate check may compare.

        Managers compare the number as typed in the form. For other users only
        the saved number counts: the form cannot show them the number, and
        comparing a number sent with an unsaved form would tell them which
        customer holds any ID number they try.
        """
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return self.archive_id_number
        if not self._origin.id:
            return False
        # sudo: the saved number is compared, never returned.
        return self._origin.sudo().archive_id_number

    def _archive_duplicate_message(self, duplicates):
        return self.env._(
            "The same phone or ID number already belongs to the archive(s) "
            "%(archives)s. Check that this is not the same customer before "
            "registering a second archive.",
            archives=", ".join(
                f"{partner.archive_number} ({partner.name})" for partner in duplicates
            ),
        )

    # Registration

    def _commercial_sync_to_descendants(self, fields_to_sync=None):
        # Writing no commercial field leaves nothing to copy to the contact
        # persons. The standard method still reads the children of every
        # written contact, one query per customer in a registration loop.
        if fields_to_sync is not None and not fields_to_sync:
            return
        super()._commercial_sync_to_descendants(fields_to_sync)

    def _archive_register(self, folder, user=None, registration_date=None):
        """Give each customer an archive number from ``folder`` and register it.

        Customers that already have a number keep it: a number is the archive's
        identity and is never reassigned, even when the folder changes.

        :raises UserError: when an archive is closed, because only an archive
            manager reopens it, with ``action_archive_reopen``.
        """
        if not folder:
            raise UserError(
                self.env._("Choose a folder before registering the archive.")
            )
        registration_date = registration_date or fields.Date.context_today(self)
        # The number, date and state are system fields, written in sudo mode
        # once the user's rights on the customers and the folder are checked.
        self.check_access("write")
        folder.check_access("read")
        # The error names the customer, so the access check comes first.
        closed = self.filtered(lambda p: p.archive_state == "closed")
        if closed:
            # Reopening stops the retention counted from the closure, so it is
            # a manager's decision, recorded in the chatter.
            raise UserError(
                self.env._(
                    "The archive %(number)s of %(customer)s is closed, so it "
                    "cannot be registered again; ask an archive manager to "
                    "reopen it with Reopen Archive.",
                    number=closed[0].archive_number,
                    customer=closed[0].display_name,
                )
            )
        unnumbered = self.filtered(lambda p: not p.archive_number)
        numbers = dict(
            zip(
                unnumbered.ids,
                folder._next_archive_numbers(len(unnumbered)),
                strict=True,
            )
        )
        for partner in self:
            if partner.company_id and partner.company_id != folder.company_id:
                raise UserError(
                    self.env._(
                        "“%(customer)s” is a contact of %(company)s, so its archive "
                        "cannot be registered in the folder %(folder)s of "
                        "%(folder_company)s; choose a folder of %(company)s.",
                        customer=partner.display_name,
                        company=partner.company_id.name,
                        folder=folder.display_name,
                        folder_company=folder.company_id.name,
                    )
                )
            vals = {"archive_folder_id": folder.id}
            if not partner.company_id:
                # Odoo shares contacts without a company with every company,
                # so the contact joins the archive's company.
                vals["company_id"] = folder.company_id.id
            if partner.archive_state == "not_registered":
                vals["archive_state"] = "registered"
            if partner.id in numbers:
                vals["archive_number"] = numbers[partner.id]
                vals["archive_registration_date"] = registration_date
            if not partner.archive_user_id:
                vals["archive_user_id"] = (user or partner.user_id or self.env.user).id
            # sudo: see the access checks above.
            partner.sudo().write(vals)
        return True

    def action_archive_register(self):
        """Open the registration dialog for the selected customers."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Register Archive"),
            "res_model": "customer.archive.register.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_archive_open_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_archive.customer_archive_document_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_archive_open_purchases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_archive.customer_archive_purchase_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_archive_file_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("File a Document"),
            "res_model": "customer.archive.document",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    # Classification

    @api.model
    def _archive_classification_settings(self):
        """Return the RFM thresholds and the dormant and lost day limits."""
        # sudo: archive users may not read ir.config_parameter; only these
        # thresholds are read.
        params = self.env["ir.config_parameter"].sudo()

        def number(key, default, kind=int):
            value = params.get_param(f"customer_archive.{key}")
            try:
                return kind(value) if value not in (None, False, "") else default
            except ValueError:
                _logger.warning("Invalid setting customer_archive.%s=%r", key, value)
                return default

        defaults = classification.RfmThresholds()
        thresholds = classification.RfmThresholds(
            recency_high_days=number("recency_high_days", defaults.recency_high_days),
            recency_medium_days=number(
                "recency_medium_days", defaults.recency_medium_days
            ),
            frequency_high=number("frequency_high", defaults.frequency_high),
            frequency_medium=number("frequency_medium", defaults.frequency_medium),
            monetary_high=number("monetary_high", defaults.monetary_high, float),
            monetary_medium=number("monetary_medium", defaults.monetary_medium, float),
            high_score=defaults.high_score,
            medium_score=defaults.medium_score,
        )
        return thresholds, number("dormant_days", 180), number("lost_days", 365)

    @api.model
    def _archive_interaction_queries(self, partner_ids, reference_date):
        """Return SQL queries yielding ``(partner_id, date)`` interactions.

        Meant to be overridden to count more journal entries as interactions;
        each query must only return rows of ``partner_ids`` up to
        ``reference_date``.
        """
        return [
            SQL(
                """SELECT partner_id, MAX(date) FROM customer_archive_purchase
                    WHERE partner_id = ANY(%s) AND date <= %s GROUP BY partner_id""",
                partner_ids,
                reference_date,
            )
        ]

    def _archive_recompute_classification(self, reference_date=None):
        """Recompute tier, activity cycle and purchase figures of these customers.

        Figures are aggregated in SQL and written back in batches, so the cost
        grows with the number of customers, not of their purchases. The
        reference date defaults to the context key ``archive_reference_date``,
        then to today.
        """
        reference_date = fields.Date.to_date(
            reference_date
            or self.env.context.get("archive_reference_date")
            or fields.Date.context_today(self)
        )
        thresholds, dormant_days, lost_days = self._archive_classification_settings()
        self.env["customer.archive.purchase"].flush_model()
        self.flush_model(["archive_registration_date"])
        all_ids = sorted(set(self.ids))
        for start in range(0, len(all_ids), CLASSIFICATION_BATCH_SIZE):
            batch_ids = all_ids[start : start + CLASSIFICATION_BATCH_SIZE]
            self._archive_classify_batch(
                batch_ids, reference_date, thresholds, dormant_days, lost_days
            )
        self.invalidate_model(
            [
                "archive_tier",
                "archive_activity_cycle",
                "archive_last_purchase_date",
                "archive_last_interaction_date",
                "archive_purchase_count",
                "archive_purchase_total",
                "archive_classified_on",
                "archive_state",
            ]
        )

    def _archive_classify_batch(
        self, partner_ids, reference_date, thresholds, dormant_days, lost_days
    ):
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT partner_id, MAX(date), COUNT(*), COALESCE(SUM(amount), 0)
                     FROM customer_archive_purchase
                    WHERE partner_id = ANY(%s) AND date <= %s
                 GROUP BY partner_id""",
                partner_ids,
                reference_date,
            )
        )
        purchases = {row[0]: row[1:] for row in cr.fetchall()}
        last_interaction = {}
        for query in self._archive_interaction_queries(partner_ids, reference_date):
            cr.execute(query)
            for partner_id, day in cr.fetchall():
                if day and (
                    partner_id not in last_interaction
                    or day > last_interaction[partner_id]
                ):
                    last_interaction[partner_id] = day
        rows = []
        for partner_id in partner_ids:
            last_purchase, count, total = purchases.get(partner_id, (None, 0, 0.0))
            tier = classification.consumption_tier(
                last_purchase, count, float(total), reference_date, thresholds
            )
            cycle = classification.activity_cycle(
                last_interaction.get(partner_id),
                reference_date,
                dormant_days,
                lost_days,
            )
            rows.append(
                SQL(
                    "(%s, %s, %s, %s::date, %s::date, %s, %s::numeric)",
                    partner_id,
                    tier,
                    cycle,
                    last_purchase,
                    last_interaction.get(partner_id),
                    count,
                    total,
                )
            )
        cr.execute(
            SQL(
                """UPDATE res_partner AS partner
                      SET archive_tier = v.tier,
                          archive_activity_cycle = v.cycle,
                          archive_last_purchase_date = v.last_purchase,
                          archive_last_interaction_date = v.last_interaction,
                          archive_purchase_count = v.purchase_count,
                          archive_purchase_total = v.total,
                          archive_classified_on = %s,
                          archive_state = CASE
                              WHEN partner.archive_state = 'registered'
                                   AND v.cycle IN ('dormant', 'lost') THEN 'dormant'
                              WHEN partner.archive_state = 'dormant'
                                   AND v.cycle IN ('active', 'new') THEN 'registered'
                              ELSE partner.archive_state END
                     FROM (VALUES %s) AS v(id, tier, cycle, last_purchase,
                                            last_interaction, purchase_count, total)
                    WHERE partner.id = v.id""",
                reference_date,
                SQL(", ").join(rows),
            )
        )
