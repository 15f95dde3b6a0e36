from odoo import api, fields, models


class CustomerArchiveRetentionReview(models.Model):
    """Documents found by one run of the retention expiry, for managers to act on.

    Each run opens at most one review per company and gives it one activity,
    however many documents it finds.
    """

    _name = "customer.archive.retention.review"
    _description = "Retention Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "review_date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    review_date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    due_document_ids = fields.Many2many(
        "customer.archive.document",
        "customer_archive_retention_review_due_rel",
        "review_id",
        "document_id",
        string="Due Documents",
        readonly=True,
        help="Documents whose retention date had passed at this run.",
    )
    warned_document_ids = fields.Many2many(
        "customer.archive.document",
        "customer_archive_retention_review_warned_rel",
        "review_id",
        "document_id",
        string="Documents Due Soon",
        readonly=True,
        help="Documents reaching their retention date within the warning period.",
    )
    erasure_partner_ids = fields.Many2many(
        "res.partner",
        "customer_archive_retention_review_partner_rel",
        "review_id",
        "partner_id",
        string="Customers to Anonymise",
        readonly=True,
    )
    due_count = fields.Integer(compute="_compute_counts")
    warned_count = fields.Integer(compute="_compute_counts")
    still_due_count = fields.Integer(
        string="Not Yet Proposed",
        compute="_compute_counts",
        help="Documents of this review still waiting for a destruction batch.",
    )

    @api.depends("review_date")
    def _compute_name(self):
        for review in self:
            review.name = self.env._(
                "Retention review of %(date)s", date=review.review_date
            )

    @api.depends("due_document_ids", "warned_document_ids")
    def _compute_counts(self):
        for review in self:
            review.due_count = len(review.due_document_ids)
            review.warned_count = len(review.warned_document_ids)
            review.still_due_count = len(
                review.due_document_ids.filtered(
                    lambda d: d.retention_state == "due" and not d.is_held
                )
            )

    @api.model
    def _open_for(self, company, review_date):
        """Create the review of ``company`` for this run, with its one activity."""
        review = self.create({"company_id": company.id, "review_date": review_date})
        reviewer = review._reviewer()
        if reviewer:
            review.activity_schedule(
                "customer_archive.mail_activity_type_retention_review",
                user_id=reviewer.id,
                summary=self.env._("Review documents at the end of retention"),
            )
        return review

    def _add_documents(self, kind, documents):
        """Add documents found by the run and update the activity's note."""
        self.ensure_one()
        if kind == "due":
            vals = {"due_document_ids": [fields.Command.link(d.id) for d in documents]}
            erasures = documents.filtered(
                lambda d: d.type_id.retention_policy_id.expiry_action == "anonymise"
            ).partner_id
            if erasures:
                vals["erasure_partner_ids"] = [
                    fields.Command.link(p.id) for p in erasures
                ]
        else:
            vals = {
                "warned_document_ids": [fields.Command.link(d.id) for d in documents]
            }
        self.write(vals)
        self.activity_ids.write({"note": self._activity_note()})

    def _activity_note(self):
        warning_days = self.env["customer.archive.document"]._retention_warning_days()
        return self.env._(
            "%(due)s documents reached their retention date and %(soon)s reach it "
            "within %(days)s days; %(erase)s customers may be anonymised. Open the "
            "review to propose a destruction batch.",
            due=len(self.due_document_ids),
            soon=len(self.warned_document_ids),
            days=warning_days,
            erase=len(self.erasure_partner_ids),
        )

    def _reviewer(self):
        """Return the user who receives the review activity.

        The reviewer chosen in the settings, if still an archive manager of the
        company; otherwise the company's first archive manager by creation.
        """
        group = self.env.ref("customer_archive.group_archive_manager")
        managers = group.all_user_ids.filtered(
            lambda user: (
                not user.share and user.active and self.company_id in user.company_ids
            )
        ).sorted("id")
        reviewer_id = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("customer_archive.retention_reviewer_id")
        )
        chosen = managers.filtered(lambda user: str(user.id) == str(reviewer_id))
        return chosen or managers[:1]

    def action_propose_batch(self):
        """Open the proposal dialog with the review's documents still due."""
        self.ensure_one()
        documents = self.due_document_ids.filtered(
            lambda d: d.retention_state == "due" and not d.is_held
        )
        return self.env["customer.archive.destruction.propose.wizard"]._action_open(
            documents
        )

    def action_open_due_documents(self):
        return self._action_open_documents(self.due_document_ids)

    def action_open_warned_documents(self):
        return self._action_open_documents(self.warned_document_ids)

    def _action_open_documents(self, documents):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_archive.customer_archive_document_action"
        )
        action["domain"] = [("id", "in", documents.ids)]
        action["context"] = {}
        return action
