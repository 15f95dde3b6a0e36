from collections import defaultdict

from odoo import api, fields, models

from ..models.customer_archive_greeting import Candidate

INVITATION_TEMPLATE_XMLID = "customer_archive.mail_template_event_invitation"


class CustomerArchiveInvitationWizard(models.TransientModel):
    """Dialog inviting selected customers to an event or a tasting."""

    _name = "customer.archive.invitation.wizard"
    _description = "Invite Customers to an Event"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        default=lambda self: self._default_partner_ids(),
        required=True,
    )
    event_name = fields.Char(
        string="Event",
        required=True,
        help="Name of the event or tasting, shown in the invitation.",
    )
    event_date = fields.Datetime(required=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        required=True,
        domain=[("model", "=", "res.partner")],
        default=lambda self: self.env.ref(INVITATION_TEMPLATE_XMLID, False),
    )
    consenting_count = fields.Integer(compute="_compute_counts")
    without_consent_count = fields.Integer(compute="_compute_counts")

    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return [fields.Command.set(self.env.context.get("active_ids", []))]
        return []

    @api.depends("partner_ids.archive_marketing_consent")
    def _compute_counts(self):
        for wizard in self:
            consenting = wizard.partner_ids.filtered("archive_marketing_consent")
            wizard.consenting_count = len(consenting)
            wizard.without_consent_count = len(wizard.partner_ids) - len(consenting)

    def _invitation_key(self):
        """Return the occasion key of this event: its date and normalised name."""
        self.ensure_one()
        name = " ".join(self.event_name.split()).casefold()
        return f"invitation:{fields.Datetime.to_string(self.event_date)}:{name}"

    def action_invite(self):
        """Invite the consenting customers once each; report what was done.

        Customers with a usable e-mail address get the template, the others a
        call activity for their responsible user. Customers already invited to
        the same event and date are left out.
        """
        self.ensure_one()
        self.partner_ids._archive_check_caller("customer_archive.group_archive_manager")
        # sudo: nobody may create greeting register rows, which the claim
        # inserts; the wizard is for archive managers and sends only to the
        # customers they selected.
        greeting_model = self.env["customer.archive.greeting"].sudo()
        consenting = self.partner_ids.filtered("archive_marketing_consent")
        key = self._invitation_key()
        candidates_by_company = defaultdict(list)
        for partner in consenting:
            company = partner.archive_company_id or self.env.company
            candidates_by_company[company.id].append(
                Candidate(partner.id, partner.id, key, self.event_date.date(), None)
            )
        greetings = greeting_model.browse()
        for company_id, candidates in candidates_by_company.items():
            greetings |= greeting_model._greeting_claim(
                candidates,
                "invitation",
                company_id,
                event_name=self.event_name,
                event_date=self.event_date,
                mail_template_id=self.mail_template_id.id,
            )
        greetings._greeting_deliver()
        invited = greetings.filtered(lambda greeting: greeting.state == "done")
        greeting_model._record_invitation_in_journal(
            invited.partner_id, self.event_name, self.event_date
        )
        failed_count = len(greetings) - len(invited)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Invitations to %(event)s", event=self.event_name),
                "message": self.env._(
                    "%(invited)s customers invited, %(already)s already invited, "
                    "%(without_consent)s left out without marketing consent, "
                    "%(failed)s failed (see the greeting register).",
                    invited=len(invited),
                    already=len(consenting) - len(greetings),
                    without_consent=len(self.partner_ids) - len(consenting),
                    failed=failed_count,
                ),
                "type": "warning" if failed_count else "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
