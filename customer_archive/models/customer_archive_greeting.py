import logging
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime, plaintext2html
from odoo.tools.query import Query

_logger = logging.getLogger(__name__)

GREETING_KINDS = [
    ("birthday", "Birthday"),
    ("festival", "Festival"),
    ("follow_up", "Follow-up"),
    ("depletion", "Restock Reminder"),
    ("renewal", "Membership Renewal"),
    ("reinvitation", "Re-invitation"),
    ("invitation", "Invitation"),
]
# Archive states of the customers that greetings and reminders are for.
GREETED_ARCHIVE_STATES = ("registered", "dormant")
# Settings read by _greeting_settings: key of ir.config_parameter
# (customer_archive.<key>) and value used when the parameter is missing.
GREETING_SETTING_DEFAULTS = {
    "birthday_channel": "email",
    "birthday_days_ahead": 0,
    "follow_up_yesterday": True,
    "depletion_reminder_days": 7,
    "renewal_reminder_days": 30,
    "reinvitation": True,
    "greeting_batch_size": 200,
}
MAX_DAYS_AHEAD = 90
# Transactions tried to claim a batch that another worker claims at once.
CLAIM_TRIES = 3

Candidate = namedtuple(
    "Candidate", ["sort_key", "partner_id", "occasion_key", "date", "purchase_id"]
)


@dataclass
class GreetingRule:
    """Candidates of one kind of greeting, reminder or invitation.

    ``query`` gives the FROM and WHERE clauses. The SQL expressions give, per
    row, an integer to order the candidates by, the customer id, the occasion key,
    the occasion date and the purchase id. ``accept`` filters or prepares a
    fetched batch before it is claimed. With ``skip_done`` false, rows already
    in the register are fetched too (``accept`` then acts on them).
    """

    kind: str
    company_id: int
    query: Query
    sort_key: SQL
    partner: SQL
    occasion_key: SQL
    date: SQL
    purchase: SQL = field(default_factory=lambda: SQL("NULL"))
    occasion_id: int | None = None
    skip_done: bool = True
    accept: Callable | None = None


class CustomerArchiveGreeting(models.Model):
    """Register of the greetings, reminders and invitations made to customers.

    One row per customer and occasion key (``birthday:2026``,
    ``festival:3:2026``, ``depletion:42`` …): the unique constraint is what
    keeps scheduled actions, reruns and concurrent workers from greeting a
    customer twice.
    """

    _name = "customer.archive.greeting"
    _description = "Customer Greeting"
    _order = "date desc, id desc"
    _rec_name = "occasion_key"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    occasion_key = fields.Char(
        required=True,
        readonly=True,
        help="Kind and instance of the occasion, e.g. birthday:2026; a customer "
        "gets at most one greeting per key.",
    )
    kind = fields.Selection(GREETING_KINDS, required=True, readonly=True, index=True)
    date = fields.Date(
        required=True,
        readonly=True,
        help="Day of the occasion: birthday, festival, purchase, renewal or "
        "estimated depletion date.",
    )
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
        required=True,
        default="pending",
        readonly=True,
        index=True,
        help="Failed greetings are retried by the next run while their occasion "
        "is still current.",
    )
    channel = fields.Selection(
        [("email", "E-mail"), ("activity", "Activity"), ("none", "None")],
        readonly=True,
        help="None: the customer's classification was updated without a "
        "message or activity.",
    )
    attempt_count = fields.Integer(string="Attempts", default=1, readonly=True)
    error_message = fields.Text(readonly=True)
    occasion_id = fields.Many2one(
        "customer.archive.occasion",
        string="Festival",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    purchase_id = fields.Many2one(
        "customer.archive.purchase",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    event_name = fields.Char(readonly=True)
    event_date = fields.Datetime(readonly=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        readonly=True,
        ondelete="set null",
        help="Template of an invitation, chosen when the invitations were sent.",
    )
    mail_id = fields.Many2one(
        "mail.mail", string="E-mail", readonly=True, ondelete="set null"
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )

    _partner_occasion_uniq = models.Constraint(
        "UNIQUE(partner_id, occasion_key)",
        "This customer already has a greeting for this occasion.",
    )

    @api.depends("kind", "partner_id", "occasion_id", "event_name")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for greeting in self:
            parts = (
                kinds.get(greeting.kind),
                greeting.partner_id.name,
                greeting.occasion_id.name or greeting.event_name,
            )
            greeting.display_name = " - ".join(part for part in parts if part)

    # Settings and dates

    @api.model
    def _greeting_settings(self):
        """Return the greeting settings, each falling back to its default."""
        # sudo: archive users may not read ir.config_parameter; only the
        # greeting settings are read.
        params = self.env["ir.config_parameter"].sudo()
        settings = {}
        for key, default in GREETING_SETTING_DEFAULTS.items():
            value = params.get_param(f"customer_archive.{key}")
            if value in (None, False, ""):
                settings[key] = default
            elif isinstance(default, bool):
                settings[key] = value not in ("False", "0")
            elif isinstance(default, int):
                try:
                    settings[key] = max(int(value), 0)
                except ValueError:
                    _logger.warning(
                        "Invalid setting customer_archive.%s=%r", key, value
                    )
                    settings[key] = default
            else:
                settings[key] = value
        settings["birthday_days_ahead"] = min(
            settings["birthday_days_ahead"], MAX_DAYS_AHEAD
        )
        settings["greeting_batch_size"] = settings["greeting_batch_size"] or 1
        return settings

    @api.model
    def _greeting_today(self, company):
        """Return today's date in the time zone of ``company``, else of the user."""
        tz = company.partner_id.tz or self.env.user.tz or "UTC"
        return fields.Date.context_today(self.with_context(tz=tz))

    @api.model
    def _greeting_companies(self):
        """Return the companies whose customers the scheduled actions serve."""
        # sudo: a scheduled action serves every company, whatever its user's
        # companies; the companies are not returned to any user.
        return self.env["res.company"].sudo().search([])

    @api.model
    def _greeting_customer_query(self, company, domain):
        """Return a query on the company's registered, active customers."""
        # sudo: the query feeds the scheduled actions' SQL only; the customers
        # are filtered by company in the domain instead of by record rules.
        return (
            self.env["res.partner"]
            .sudo()
            ._search(
                [
                    ("archive_state", "in", GREETED_ARCHIVE_STATES),
                    ("archive_company_id", "=", company.id),
                    *domain,
                ]
            )
        )

    @api.model
    def _greeting_not_blacklisted_sql(self, partner_table="res_partner"):
        """Return an SQL condition excluding customers whose e-mail is blacklisted.

        The ``is_blacklisted`` search of mail scans every partner; this condition
        looks up the blacklist's unique index once per candidate instead.
        """
        return SQL(
            """NOT EXISTS (
                SELECT 1 FROM mail_blacklist blacklist
                 WHERE blacklist.email = %s AND blacklist.active)""",
            SQL.identifier(partner_table, "email_normalized"),
        )

    # Batches: fetch, claim, deliver

    def _greeting_conditions(self, rule):
        conditions = [rule.query.where_clause] if rule.query.where_clause.code else []
        if rule.skip_done:
            conditions.append(
                SQL(
                    """NOT EXISTS (
                        SELECT 1 FROM customer_archive_greeting done
                         WHERE done.partner_id = %s AND done.occasion_key = %s
                           AND done.state != 'failed')""",
                    rule.partner,
                    rule.occasion_key,
                )
            )
        return conditions or [SQL("TRUE")]

    @api.model
    def _greeting_fetch(self, rule):
        """Return every candidate of ``rule``, ordered by sort key.

        One query without LIMIT lets PostgreSQL filter through the rule's most
        selective index. Paging with ORDER BY id LIMIT instead makes it walk the
        primary key and test every partner until a batch is full.
        """
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT %s, %s, %s, %s::date, %s FROM %s
                    WHERE %s ORDER BY 1""",
                rule.sort_key,
                rule.partner,
                rule.occasion_key,
                rule.date,
                rule.purchase,
                rule.query.from_clause,
                SQL(" AND ").join(self._greeting_conditions(rule)),
            )
        )
        return [Candidate(*row) for row in rows]

    @api.model
    def _greeting_claim(self, candidates, kind, company_id, **values):
        """Insert a pending register row per candidate; return the rows claimed.

        A candidate whose row is done, or pending in another transaction, is
        left out: ON CONFLICT waits for that transaction to end, then skips the
        row it committed. A failed row is claimed again, so a rerun retries it.
        ``values`` may set ``occasion_id``, ``event_name``, ``event_date`` and
        ``mail_template_id``.
        """
        unique = {}
        for candidate in candidates:
            unique.setdefault((candidate.partner_id, candidate.occasion_key), candidate)
        if not unique:
            return self.browse()
        self.flush_model()
        now = self.env.cr.now()
        rows = [
            SQL(
                "(%s, %s, %s, %s::date, %s, %s, %s, %s, %s::timestamp, %s, "
                "'pending', 1, %s, %s, %s, %s)",
                candidate.partner_id,
                candidate.occasion_key,
                kind,
                candidate.date,
                candidate.purchase_id,
                company_id,
                values.get("occasion_id"),
                values.get("event_name"),
                values.get("event_date"),
                values.get("mail_template_id"),
                self.env.uid,
                now,
                self.env.uid,
                now,
            )
            for candidate in unique.values()
        ]
        claimed = self.env.execute_query(
            SQL(
                """INSERT INTO customer_archive_greeting AS greeting (
                        partner_id, occasion_key, kind, date, purchase_id,
                        company_id, occasion_id, event_name, event_date,
                        mail_template_id, state, attempt_count, create_uid,
                        create_date, write_uid, write_date)
                   VALUES %s
                   ON CONFLICT (partner_id, occasion_key) DO UPDATE
                      SET state = 'pending',
                          attempt_count = greeting.attempt_count + 1,
                          error_message = NULL,
                          write_uid = EXCLUDED.write_uid,
                          write_date = EXCLUDED.write_date
                    WHERE greeting.state = 'failed'
                RETURNING greeting.id""",
                SQL(", ").join(rows),
            )
        )
        self.invalidate_model()
        return self.browse(sorted(row[0] for row in claimed))

    def _greeting_deliver(self):
        """Deliver each claimed greeting in its own savepoint.

        A failure rolls back that customer's e-mail or activity only, marks the
        row failed and is logged with the customer's id; the others go on.
        """
        for greeting in self:
            try:
                with self.env.cr.savepoint():
                    getattr(greeting, f"_deliver_{greeting.kind}")()
            except Exception as error:
                _logger.exception(
                    "Delivering greeting %s (%s) to customer %s failed",
                    greeting.id,
                    greeting.occasion_key,
                    greeting.partner_id.id,
                )
                greeting.write({"state": "failed", "error_message": str(error)})

    @api.model
    def _greeting_run(self, rules):
        """Claim and deliver the candidates of ``rules`` batch by batch.

        Each batch is committed with the cron's progress, so a crash loses only
        the batch in flight and the next run resumes after the last commit.
        Returns False when the cron ran out of time; it is then run again.
        """
        cron = self.env["ir.cron"]
        batch_size = self._greeting_settings()["greeting_batch_size"]
        # NOTE: the candidate rows of a run are held in memory, about 200 bytes
        # each (an estimate): some 20 MB for a festival sent to 100,000 customers.
        work = [(rule, self._greeting_fetch(rule)) for rule in rules]
        # The first batch runs even when the cron's time is already up, so every
        # call makes progress (Odoo calls again while some remain).
        total = sum(len(rows) for _rule, rows in work)
        done = 0
        cron._commit_progress(remaining=total)
        for rule, rows in work:
            for start in range(0, len(rows), batch_size):
                batch = rows[start : start + batch_size]
                greetings = self._greeting_accept_and_claim(rule, batch)
                greetings._greeting_deliver()
                failed = greetings.filtered(lambda g: g.state == "failed")
                done += len(batch)
                _logger.info(
                    "Greetings %s of company %s: %s candidates, %s claimed, %s "
                    "failed; %s/%s candidates of the run done",
                    rule.kind,
                    rule.company_id,
                    len(batch),
                    len(greetings),
                    len(failed),
                    done,
                    total,
                )
                if not cron._commit_progress(len(batch)):
                    return False
        cron._commit_progress(remaining=0)
        return True

    @api.model
    def _greeting_accept_and_claim(self, rule, batch):
        """Claim the accepted candidates of ``batch``; return the rows claimed.

        Called right after a commit, with nothing else in the transaction.
        In REPEATABLE READ, ON CONFLICT on a row that another worker committed
        after this transaction's snapshot raises a serialization failure
        instead of skipping the row. The transaction is then rolled back and
        the batch claimed again on a new snapshot, which skips that worker's
        rows.
        """
        for attempt in range(1, CLAIM_TRIES + 1):
            try:
                candidates = rule.accept(batch) if rule.accept else batch
                return self._greeting_claim(
                    candidates,
                    rule.kind,
                    rule.company_id,
                    occasion_id=rule.occasion_id,
                )
            except errors.SerializationFailure:
                if attempt == CLAIM_TRIES:
                    raise
                _logger.info(
                    "Greetings %s of company %s: another worker claimed some of "
                    "%s candidates first, claiming again (%s of %s)",
                    rule.kind,
                    rule.company_id,
                    len(batch),
                    attempt + 1,
                    CLAIM_TRIES,
                )
                self.env.cr.rollback()
        return self.browse()

    @api.model
    def _greeting_run_per_company(self, build_rules, *args):
        """Run the rules ``build_rules(company, today, *args)`` of every company."""
        rules = []
        for company in self._greeting_companies():
            rules += build_rules(company, self._greeting_today(company), *args)
        return self._greeting_run(rules)

    # Delivery helpers

    def _greeting_responsible_user(self):
        """Return the user who gets the activity: the archive's, else the partner's.

        NOTE: falls back to the current user, which in a scheduled action is
        the cron's user (OdooBot by default), whose activities nobody may read.
        """
        self.ensure_one()
        for user in (self.partner_id.archive_user_id, self.partner_id.user_id):
            if user.active:
                return user
        return self.env.user

    def _greeting_can_email(self):
        """Return whether the customer has a usable, not blacklisted e-mail address."""
        self.ensure_one()
        partner = self.partner_id
        return bool(partner.email_normalized) and not partner.is_blacklisted

    def _greeting_send_mail(self, template, render_context=None):
        """Queue ``template`` rendered for the customer, in the customer's language."""
        self.ensure_one()
        if not template:
            raise UserError(
                self.env._(
                    "No e-mail template is set for the greeting %(occasion)s; "
                    "choose one in the settings or on the festival.",
                    occasion=self.occasion_key,
                )
            )
        mail_id = template.with_context(**(render_context or {})).send_mail(
            self.partner_id.id, force_send=False
        )
        self.write({"state": "done", "channel": "email", "mail_id": mail_id})

    def _greeting_schedule_activity(self, summary, note, deadline, user=None):
        """Schedule a call activity on the customer for ``user``."""
        self.ensure_one()
        user = user or self._greeting_responsible_user()
        # Reminders arrive by the hundred: the assigned users see them in their
        # activity list instead of one notification e-mail each.
        activities = self.partner_id.with_context(
            mail_activity_quick_update=True
        ).activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=deadline,
            summary=summary,
            note=plaintext2html(note) if note else "",
            user_id=user.id,
        )
        self.write(
            {
                "state": "done",
                "channel": "activity",
                "activity_id": activities[:1].id if activities else False,
            }
        )

    def _greeting_user_env(self, user):
        """Return an environment in ``user``'s language, for texts they read."""
        return self.with_context(lang=user.lang or self.env.lang).env

    # Festivals and invitations

    def _deliver_festival(self):
        self.ensure_one()
        self._greeting_send_mail(self.occasion_id.mail_template_id)

    def _deliver_invitation(self):
        """Send the invitation e-mail, or schedule a call when e-mail is not possible.

        The template reads the event from ``ctx['archive_event_name']`` and
        ``ctx['archive_event_date']``.
        """
        self.ensure_one()
        if self._greeting_can_email():
            self._greeting_send_mail(
                self.mail_template_id,
                {
                    "archive_event_name": self.event_name,
                    "archive_event_date": self.event_date,
                },
            )
            return
        user = self._greeting_responsible_user()
        env = self._greeting_user_env(user)
        self._greeting_schedule_activity(
            env._(
                "Invite %(customer)s to %(event)s",
                customer=self.partner_id.name,
                event=self.event_name,
            ),
            env._(
                "Call to invite %(customer)s to %(event)s on %(date)s.",
                customer=self.partner_id.name,
                event=self.event_name,
                date=format_datetime(env, self.event_date, tz=user.tz),
            ),
            deadline=self._greeting_today(self.company_id),
            user=user,
        )

    @api.model
    def _record_invitation_in_journal(self, partners, event_name, event_date):
        """Record in the customers' journal that they were invited to an event.

        Meant to be overridden by the journal: ``partners`` are the customers
        invited by e-mail or call, ``event_date`` a datetime in UTC. The
        register rows of kind invitation already record each invitation.
        """
        return True
