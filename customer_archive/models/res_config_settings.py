from odoo import fields, models


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
