"""Opening the serve-the-customer view against the plain contact form."""

from lxml import etree

from odoo.tools import SQL

from ..harness import Case, Measurement, Target, measurement

JOURNAL_MODEL = "customer.archive.journal.entry"
# Rows of a one2many that the web client reads with a form, as in its list
# and kanban renderers.
X2MANY_LIMIT = 40
SUBVIEW_TAGS = ("list", "kanban", "form")


def view_specification(model, node):
    """Return the ``web_read`` specification of the fields under ``node``.

    Like the web client, a many2one reads its display name and a one2many or
    many2many reads the fields of its inline list or kanban view, 40 rows at
    most. Fields hidden by groups are already removed by ``get_views``.
    """
    spec = {}
    for child in node.iterchildren(tag=etree.Element):
        if child.tag != "field":
            spec.update(view_specification(model, child))
            continue
        field = model._fields.get(child.get("name"))
        if field is None:
            continue
        if field.type == "many2one":
            spec[field.name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            comodel = model.env[field.comodel_name]
            subview = next(
                (sub for sub in child.iterchildren(*SUBVIEW_TAGS)),
                None,
            )
            sub_spec = (
                view_specification(comodel, subview)
                if subview is not None
                else {"display_name": {}}
            )
            spec[field.name] = {"fields": sub_spec, "limit": X2MANY_LIMIT}
        else:
            spec[field.name] = {}
    return spec


def form_specification(model, view_id=False):
    """Return the specification of the form view that ``get_views`` returns."""
    views = model.get_views([(view_id, "form")])
    arch = etree.fromstring(views["views"]["form"]["arch"])
    return view_specification(model, arch)


def served_partner_id(bench):
    """Return the measured customer: the one with the most journal entries.

    Until the journal exists, it is the archive user's customer with the most
    purchases.
    """
    if "journal_partner_id" in bench.facts:
        return bench.facts["journal_partner_id"]
    bench.env.cr.execute(
        SQL(
            """SELECT purchase.partner_id FROM customer_archive_purchase purchase
                 JOIN res_partner partner ON partner.id = purchase.partner_id
                WHERE partner.archive_user_id = %s
             GROUP BY purchase.partner_id ORDER BY COUNT(*) DESC, 1 LIMIT 1""",
            bench.facts["user_id"],
        )
    )
    return bench.env.cr.fetchone()[0]


def module_serve_case(bench, partner):
    """Return the case opening the serve-the-customer view of ``partner``.

    It clicks the contact's Serve button (``action_archive_serve``), then does
    what the web client does with the returned action: ``get_views`` of its
    form view and ``web_read`` with that view's specification.
    """
    if "journal_partner_id" not in bench.facts:
        return None

    def serve():
        action = partner.action_archive_serve()
        view_id = action["views"][0][0]
        spec = form_specification(partner, view_id)
        return partner.web_read(spec)

    return Case(
        "module",
        "serve-the-customer view as the archive user: action_archive_serve, "
        "get_views, then web_read with the view's specification",
        serve,
        rows=len,
    )


def journal_entry_count(env, partner_id):
    if JOURNAL_MODEL not in env:
        return 0
    env.cr.execute(
        SQL(
            "SELECT COUNT(*) FROM customer_archive_journal_entry WHERE partner_id = %s",
            partner_id,
        )
    )
    return env.cr.fetchone()[0]


@measurement("serve_view", "serve-the-customer view against the plain contact form")
def serve_view(bench):
    env = bench.env
    user = env["res.users"].browse(bench.facts["user_id"])
    partner = env["res.partner"].with_user(user).browse(served_partner_id(bench))

    def plain_form():
        spec = form_specification(partner)
        return partner.web_read(spec)

    cases = [
        Case(
            "plain",
            "contact form as the archive user: get_views, then web_read with the "
            "form's specification",
            plain_form,
            rows=len,
        )
    ]
    missing = []
    module_case = module_serve_case(bench, partner)
    if module_case is None:
        reason = (
            f"model {JOURNAL_MODEL} does not exist yet"
            if JOURNAL_MODEL not in env
            else "the fixture has no journal entries; rebuild the database"
        )
        missing.append(("module", reason))
    else:
        cases.insert(0, module_case)
    return Measurement(
        cases=cases,
        targets=[Target("module", "plain", at_most=2)],
        missing=missing,
        notes=[
            f"customer {partner.id} with "
            f"{journal_entry_count(env, partner.id):,} journal entries"
        ],
    )
