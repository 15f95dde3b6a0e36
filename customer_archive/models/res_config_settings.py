from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .customer_archive_greeting import GREETING_SETTING_DEFAULTS, MAX_DAYS_AHEAD

# Settings stored by get_values and set_values instead of config_parameter:
# config_parameter deletes the parameter of a False or 0 value, which would
# bring back a True or non-zero default and make these impossible to turn off.
GREETING_EXPLICIT_SETTINGS = {
    "archive_follow_up_yesterday": "follow_up_yesterday",
    "archive_reinvitation": "reinvitation",
    "archive_depletion_reminder_days": "depletion_reminder_days",
    "archive_renewal_reminder_days": "renewal_reminder_days",
}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    archive_recency_high_days = fields.Integer(
        string="Recent Purchase Within (Days)",
        default=90,
        config_parameter="customer_archive.recency_high_days",
        help="A last purchase at most this many days ago scores 2 recency points.",
    )
    archive_recency_medium_days = fields.Integer(
        string="Fairly Recent Purchase Within (Days)",
        default=365,
        config_parameter="customer_archive.recency_medium_days",
        help="A last purchase at most this many days ago scores 1 recency point.",
    )
    archive_frequency_high = fields.Integer(
        string="Frequent Buyer From (Purchases)",
        default=12,
        config_parameter="customer_archive.frequency_high",
    )
    archive_frequency_medium = fields.Integer(
        string="Regular Buyer From (Purchases)",
        default=3,
        config_parameter="customer_archive.frequency_medium",
    )
    archive_monetary_high = fields.Float(
        string="High Spend From",
        default=10000.0,
        config_parameter="customer_archive.monetary_high",
        help="Total spend, in the company currency, scoring 2 monetary points.",
    )
    archive_monetary_medium = fields.Float(
        string="Medium Spend From",
        default=2000.0,
        config_parameter="customer_archive.monetary_medium",
        help="Total spend, in the company currency, scoring 1 monetary point.",
    )
    archive_dormant_days = fields.Integer(
        string="Dormant After (Days)",
        default=180,
        config_parameter="customer_archive.dormant_days",
        help="Days without interaction after which a customer is dormant.",
    )
    archive_lost_days = fields.Integer(
        string="Lost After (Days)",
        default=365,
        config_parameter="customer_archive.lost_days",
        help="Days without interaction after which a customer is lost.",
    )
    archive_max_file_size_mb = fields.Integer(
        string="Maximum File Size (MB)",
        default=25,
        config_parameter="customer_archive.max_file_size_mb",
        help="Largest single file accepted by bulk filing.",
    )
    archive_consultation_max_days = fields.Integer(
        string="Longest Consultation (Days)",
        default=30,
        config_parameter="customer_archive.consultation_max_days",
        help="Maximum length of the period of a consultation request.",
    )
    archive_bulk_max_total_mb = fields.Integer(
        string="Maximum Zip Content (MB)",
        default=500,
        config_parameter="customer_archive.bulk_max_total_mb",
        help="Largest total uncompressed size of the files read from one zip by "
        "bulk filing, in megabytes (1 MB = 1,048,576 bytes).",
    )
    archive_bulk_max_ratio = fields.Integer(
        string="Maximum Compression Ratio",
        default=100,
        config_parameter="customer_archive.bulk_max_ratio",
        help="Largest ratio of uncompressed to compressed size accepted for a "
        "file in a zip; a higher ratio is taken as a zip bomb. Files up to "
        "100 KB are not checked.",
    )
    archive_bulk_max_files = fields.Integer(
        string="Maximum Files per Zip",
        default=1000,
        config_parameter="customer_archive.bulk_max_files",
        help="Largest number of entries (files and folders) in one zip for bulk "
        "filing.",
    )
    archive_retention_warning_days = fields.Integer(
        string="Retention Warning (Days)",
        default=30,
        config_parameter="customer_archive.retention_warning_days",
        help="Days before a document's retention date at which the retention "
        "review lists it as due soon.",
    )
    archive_retention_reviewer_id = fields.Many2one(
        "res.users",
        string="Retention Reviewer",
        config_parameter="customer_archive.retention_reviewer_id",
        domain="[('share', '=', False)]",
        help="Receives the activity of each retention review. Must be an archive "
        "manager; when empty, the company's first archive manager receives it.",
    )
    # Greetings and reminders
    archive_birthday_channel = fields.Selection(
        [
            ("email", "E-mail, or a call activity without e-mail"),
            ("activity", "Call activity"),
            ("off", "Off"),
        ],
        string="Birthday Greetings",
        default=GREETING_SETTING_DEFAULTS["birthday_channel"],
        config_parameter="customer_archive.birthday_channel",
        help="How customers with marketing consent are greeted on their birthday.",
    )
    archive_birthday_days_ahead = fields.Integer(
        string="Birthday Days Ahead",
        default=GREETING_SETTING_DEFAULTS["birthday_days_ahead"],
        config_parameter="customer_archive.birthday_days_ahead",
        help="Greet customers this many days before their birthday; 0 greets them "
        "on the day.",
    )
    archive_birthday_template_id = fields.Many2one(
        "mail.template",
        string="Birthday Template",
        domain=[("model", "=", "res.partner")],
        config_parameter="customer_archive.birthday_template_id",
        help="E-mail template of birthday greetings; empty for the module's template.",
    )
    archive_follow_up_yesterday = fields.Boolean(
        string="Follow Up Yesterday's Customers",
        help="Every morning, schedule a call for the responsible user of each "
        "customer who bought something the day before.",
    )
    archive_depletion_reminder_days = fields.Integer(
        string="Restock Reminder Days",
        help="Remind the responsible user this many days before a purchase's "
        "estimated depletion date; 0 turns the reminders off.",
    )
    archive_renewal_reminder_days = fields.Integer(
        string="Renewal Reminder Days",
        help="Remind the responsible user this many days before a member's "
        "renewal date; 0 turns the reminders off.",
    )
    archive_reinvitation = fields.Boolean(
        string="Re-invite Inactive Customers",
        help="When a customer becomes dormant or lost, schedule one call to invite "
        "them back.",
    )
    archive_greeting_batch_size = fields.Integer(
        string="Greeting Batch Size",
        default=GREETING_SETTING_DEFAULTS["greeting_batch_size"],
        config_parameter="customer_archive.greeting_batch_size",
        help="Customers processed and committed together by the scheduled "
        "greetings and reminders.",
    )

    @api.constrains(
        "archive_birthday_days_ahead",
        "archive_depletion_reminder_days",
        "archive_renewal_reminder_days",
        "archive_greeting_batch_size",
    )
    def _check_archive_greeting_settings(self):
        for settings in self:
            days = {
                settings.archive_birthday_days_ahead,
                settings.archive_depletion_reminder_days,
                settings.archive_renewal_reminder_days,
            }
            if not all(0 <= value <= MAX_DAYS_AHEAD for value in days):
                raise ValidationError(
                    self.env._(
                        "Greeting and reminder days must be between 0 and %(maximum)s.",
                        maximum=MAX_DAYS_AHEAD,
                    )
                )
            if not 1 <= settings.archive_greeting_batch_size <= 10000:
                raise ValidationError(
                    self.env._(
                        "The greeting batch size %(size)s is invalid: enter a "
                        "number from 1 to 10000.",
                        size=settings.archive_greeting_batch_size,
                    )
                )

    @api.model
    def get_values(self):
        values = super().get_values()
        settings = self.env["customer.archive.greeting"]._greeting_settings()
        for field_name, key in GREETING_EXPLICIT_SETTINGS.items():
            values[field_name] = settings[key]
        return values

    def set_values(self):
        result = super().set_values()
        # sudo: the settings form is for archive managers, who may not write
        # ir.config_parameter; only the module's own keys are written.
        params = self.env["ir.config_parameter"].sudo()
        for field_name, key in GREETING_EXPLICIT_SETTINGS.items():
            params.set_param(f"customer_archive.{key}", str(self[field_name]))
        return result
