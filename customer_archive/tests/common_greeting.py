from contextlib import contextmanager
from types import SimpleNamespace
from unittest.mock import patch

from odoo.tools import SQL

from .common import ArchiveCase

BATCH_SAVEPOINT = "customer_archive_test_batch"


class WorkerStoppedError(Exception):
    """Raised in place of a commit to stop a run as a killed worker would."""


class GreetingCase(ArchiveCase):
    """Greeting fixture: a company in Asia/Shanghai and helpers to run crons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.greetings = cls.env["customer.archive.greeting"]
        cls.params = cls.env["ir.config_parameter"].sudo()

    def _customer(self, name, birthday=False, email=True, consent=True, **vals):
        """Create and register a customer responsible to ``self.user``."""
        partner = self._create_customer(
            name,
            email=f"{name.lower().replace(' ', '.')}@example.com" if email else False,
            archive_birthday=birthday,
            archive_marketing_consent=consent,
            **vals,
        )
        partner._archive_register(self.folder, user=self.user)
        # Stored birthday fields are computed at flush, with the date of then.
        self.env.flush_all()
        return partner

    def _set(self, key, value):
        self.params.set_param(f"customer_archive.{key}", str(value))

    @contextmanager
    def _commits(self, stop_at=None):
        """Turn each commit into a savepoint, as if the batch were committed.

        With ``stop_at``, that commit raises WorkerStoppedError instead: the
        work done since the previous commit is rolled back, as PostgreSQL does
        when a worker dies before committing, and the error is swallowed. The
        yielded namespace counts the commits and records whether the run
        stopped.
        """
        cr = self.env.cr
        run = SimpleNamespace(commits=0, stopped=False)
        savepoint = SQL.identifier(BATCH_SAVEPOINT)

        def commit():
            run.commits += 1
            if stop_at and run.commits >= stop_at:
                raise WorkerStoppedError(f"stopped at commit {run.commits}")
            self.env.flush_all()
            cr.execute(SQL("SAVEPOINT %s", savepoint))

        cr.execute(SQL("SAVEPOINT %s", savepoint))
        with patch.object(cr, "commit", commit):
            try:
                yield run
            except WorkerStoppedError:
                # Not self.assertRaises: Odoo's version rolls back its whole
                # block, including the batches committed before the stop.
                cr.clear()
                cr.execute(SQL("ROLLBACK TO SAVEPOINT %s", savepoint))
                self.env.invalidate_all()
                run.stopped = True

    def _run(self, method, model="customer.archive.greeting"):
        with self._commits():
            return getattr(self.env[model], method)()

    def _greetings_of(self, partners, kind=None):
        domain = [("partner_id", "in", partners.ids)]
        if kind:
            domain.append(("kind", "=", kind))
        return self.greetings.search(domain)

    def _activities_of(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
