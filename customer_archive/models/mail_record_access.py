"""Chatter access that follows the record rules of the record it belongs to.

Odoo's mail lets a user read a message they wrote, received or were notified
of, and an activity assigned to them, even when they may no longer read the
record it is about. For models that set ``_mail_record_access = True``, such
as archive documents whose confidentiality can rise, the user's read access to
the record decides alone for messages, followers and activities.
"""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL


def _forbidden_ids(env, rows):
    """Return the ids of ``rows`` whose record the user may not read.

    ``rows`` are ``(id, model, res_id)`` tuples. Only rows of models that set
    ``_mail_record_access`` are checked, and the others are allowed.
    """
    links = defaultdict(lambda: defaultdict(list))
    for row_id, model, res_id in rows:
        if model in env and getattr(env[model], "_mail_record_access", False):
            links[model][res_id].append(row_id)
    forbidden = set()
    for model, ids_by_record in links.items():
        records = env[model].browse(ids_by_record).exists()
        readable = set(records._filtered_access("read")._ids)
        for res_id, row_ids in ids_by_record.items():
            if res_id not in readable:
                forbidden.update(row_ids)
    return forbidden


def _forbidden_records(records, model_column, id_column):
    """Return the records of ``records`` whose related record is unreadable."""
    if records.env.su or not records:
        return records.browse()
    records.flush_recordset([model_column, id_column])
    rows = records.env.execute_query(
        SQL(
            "SELECT id, %s, %s FROM %s WHERE id = ANY(%s)",
            SQL.identifier(model_column),
            SQL.identifier(id_column),
            SQL.identifier(records._table),
            list(records._ids),
        )
    )
    return records.browse(sorted(_forbidden_ids(records.env, rows)))


def _filter_query(model, query, order, columns):
    """Return ``query`` without the rows whose related record is unreadable.

    NOTE: like mail.message's own filter, this runs after the limit, so a page
    can hold fewer rows than the limit.
    """
    found = model.browse(query)
    forbidden = _forbidden_records(found, *columns)
    if not forbidden:
        return query
    return (found - forbidden)._as_query(order)


def _add_forbidden(records, result, operation, columns):
    """Add the records whose related record is unreadable to ``result``.

    ``result`` is the value returned by ``_check_access``.
    """
    if records.env.su or not records:
        return result
    checked = records - result[0] if result else records
    forbidden = _forbidden_records(checked, *columns)
    if not forbidden:
        return result
    if result:
        return (result[0] + forbidden, result[1])
    return (forbidden, lambda: forbidden._make_access_error(operation))


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        query = super()._search(domain, offset, limit, order, **kwargs)
        if self.env.su or kwargs.get("bypass_access"):
            return query
        return _filter_query(self, query, order, ("model", "res_id"))

    def _check_access(self, operation):
        result = super()._check_access(operation)
        return _add_forbidden(self, result, operation, ("model", "res_id"))


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        query = super()._search(domain, offset, limit, order, **kwargs)
        if self.env.su or kwargs.get("bypass_access"):
            return query
        return _filter_query(self, query, order, ("res_model", "res_id"))

    def _check_access(self, operation):
        result = super()._check_access(operation)
        return _add_forbidden(self, result, operation, ("res_model", "res_id"))


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        query = super()._search(domain, offset, limit, order, **kwargs)
        if self.env.su or kwargs.get("bypass_access"):
            return query
        return _filter_query(self, query, order, ("res_model", "res_id"))

    def _check_access(self, operation):
        result = super()._check_access(operation)
        return _add_forbidden(self, result, operation, ("res_model", "res_id"))
