"""Two transactions doing the same thing at once, each on its own connection.

The fixture is committed through its own cursor, because the test's own
transaction is invisible to other connections, and is deleted again when the
class is done. A worker runs its function the way an HTTP request does:
through ``retrying``, which rolls back and runs it again after a
serialization failure.
"""

import functools
import threading
import time
import uuid
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged
from odoo.tools import SQL, mute_logger

# Seconds a test waits for a worker to block, finish or reach a barrier.
TIMEOUT = 30
# Runs of a worker's function after serialization failures, as in retrying.
MAX_TRIES = 5


class Worker(threading.Thread):
    """Run ``function(env)`` in a transaction of its own, then commit.

    A serialization failure rolls the transaction back and runs the function
    again in a new one, up to ``MAX_TRIES`` times, as
    ``odoo.service.model.retrying`` does for HTTP requests. ``retrying`` itself
    is not used: it takes the registry lock, which the test runner holds.

    ``hold`` (an event), when given, is awaited after the function returned
    and before the commit, so the transaction stays open, with its locks,
    until the test sets it. ``max_tries`` of 1 runs the function once, as the
    cron runner does.
    """

    def __init__(self, registry, uid, function, hold=None, max_tries=MAX_TRIES):
        super().__init__(daemon=True)
        self.max_tries = max_tries
        self.registry = registry
        self.uid = uid
        self.function = function
        self.hold = hold
        self.backend_pid = None
        self.tries = 0
        self.result = None
        self.error = None
        self.done = threading.Event()

    def run(self):
        try:
            while True:
                self.tries += 1
                try:
                    self.result = self._run_once()
                    return
                except errors.SerializationFailure:
                    if self.tries >= self.max_tries:
                        raise
        except Exception as error:  # noqa: BLE001 - handed to the test thread
            self.error = error
        finally:
            self.done.set()

    def _run_once(self):
        """Run the function in a new transaction, committed unless it raises."""
        with self.registry.cursor() as cr:
            self.backend_pid = cr._cnx.get_backend_pid()
            # The test runner holds the lock of Registry(), which a new
            # Environment would take to find the registry.
            cr.transaction = Transaction(self.registry)
            env = api.Environment(cr, self.uid, {})
            return self._attempt(env)

    def _attempt(self, env):
        # A worker blocked for good would hang the test run.
        env.cr.execute(SQL("SET LOCAL lock_timeout = %s", f"{TIMEOUT}s"))
        result = self.function(env)
        env.flush_all()
        if self.hold is not None and not self.hold.wait(TIMEOUT):
            raise TimeoutError("the test never released the worker")
        return result


@tagged("post_install", "-at_install")
class TestConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            cls._create_fixture(env)
        cls.addClassCleanup(cls._delete_fixture)

    @classmethod
    def _create_fixture(cls, env):
        suffix = uuid.uuid4().hex[:6].upper()
        cls.folder_id = (
            env["customer.archive.folder"]
            .create({"name": f"Race {suffix}", "code": f"R{suffix}"[:10]})
            .id
        )
        cls.manager_ids = [
            new_test_user(
                env,
                login=f"race_manager_{n}_{suffix}",
                groups="customer_archive.group_archive_manager",
            ).id
            for n in (1, 2)
        ]
        cls.requester_id = new_test_user(
            env,
            login=f"race_requester_{suffix}",
            groups="customer_archive.group_archive_user",
        ).id

        Partner = env["res.partner"]
        cls.new_customer_ids = Partner.create(
            [{"name": f"Race Newcomer {n}"} for n in range(3)]
        ).ids

        folder = env["customer.archive.folder"].browse(cls.folder_id)
        today = env["customer.archive.greeting"]._greeting_today(env.company)
        # 1992 is a leap year, so even 29 February has a birth date there.
        birthday = today.replace(year=1992)
        birthday_customers = Partner.create(
            [
                {
                    "name": f"Race Birthday {n}",
                    "email": f"race.birthday.{n}.{suffix.lower()}@example.com",
                    "archive_birthday": birthday,
                    "archive_marketing_consent": True,
                }
                for n in range(4)
            ]
        )
        birthday_customers._archive_register(folder)
        cls.birthday_customer_ids = birthday_customers.ids

        customer = Partner.create({"name": "Race Consulted"})
        customer._archive_register(folder)
        cls.customer_id = customer.id

        now = fields.Datetime.now()
        request = (
            env["customer.archive.consultation"]
            .with_user(cls.requester_id)
            .create(
                {
                    "partner_ids": [(6, 0, customer.ids)],
                    "purpose": "Answer a complaint",
                    "date_from": now,
                    "date_to": now + timedelta(days=1),
                }
            )
        )
        request.action_submit()
        cls.request_id = request.id

        env.cr.execute(
            SQL("SELECT COALESCE(MAX(id), 0) FROM customer_archive_access_log")
        )
        cls.last_log_id = env.cr.fetchone()[0]

    @classmethod
    def _delete_fixture(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # The access log is append-only for the ORM; the test removes the
            # entries it appended so that the chain ends where it started.
            cr.execute(
                SQL(
                    "DELETE FROM customer_archive_access_log WHERE id > %s",
                    cls.last_log_id,
                )
            )
            env["customer.archive.hash.chain.head"]._reset_chain_head(
                "customer_archive_access_log"
            )
            partner_ids = [
                *cls.new_customer_ids,
                *cls.birthday_customer_ids,
                cls.customer_id,
            ]
            env["customer.archive.greeting"].search(
                [("partner_id", "in", partner_ids)]
            ).unlink()
            env["mail.mail"].search([("recipient_ids", "in", partner_ids)]).unlink()
            env["mail.message"].search(
                [
                    ("model", "=", "customer.archive.consultation"),
                    ("res_id", "=", cls.request_id),
                ]
            ).unlink()
            env["mail.activity"].search(
                [
                    ("res_model", "=", "customer.archive.consultation"),
                    ("res_id", "=", cls.request_id),
                ]
            ).unlink()
            # A decided request cannot be deleted through the ORM.
            cr.execute(
                SQL(
                    "DELETE FROM customer_archive_consultation WHERE id = %s",
                    cls.request_id,
                )
            )
            env["res.partner"].browse(partner_ids).unlink()
            folder = env["customer.archive.folder"].browse(cls.folder_id)
            sequence = folder.sequence_id
            folder.unlink()
            sequence.unlink()
            users = env["res.users"].browse([*cls.manager_ids, cls.requester_id])
            user_partners = users.partner_id
            users.unlink()
            user_partners.unlink()

    # Helpers

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _start(self, *workers):
        for worker in workers:
            worker.start()

    def _finish(self, *workers):
        for worker in workers:
            worker.join(TIMEOUT)
            self.assertFalse(worker.is_alive(), "a worker did not finish in time")

    def _wait_until_blocked(self, worker):
        """Return whether ``worker``'s connection is waiting for a lock."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if worker.done.is_set():
                return False
            if worker.backend_pid:
                with self.registry.cursor() as cr:
                    cr.execute(
                        SQL(
                            "SELECT wait_event_type FROM pg_stat_activity "
                            "WHERE pid = %s",
                            worker.backend_pid,
                        )
                    )
                    row = cr.fetchone()
                if row and row[0] == "Lock":
                    return True
            time.sleep(0.05)
        return False

    # Tests

    def test_registrations_in_one_folder_get_distinct_numbers(self):
        both_registered = threading.Barrier(2, timeout=TIMEOUT)

        def register(partner_id, env):
            partner = env["res.partner"].browse(partner_id)
            partner._archive_register(
                env["customer.archive.folder"].browse(self.folder_id)
            )
            number = partner.archive_number
            # Both transactions have drawn before either commits.
            both_registered.wait()
            return number

        workers = [
            Worker(self.registry, SUPERUSER_ID, functools.partial(register, pid))
            for pid in self.new_customer_ids[:2]
        ]
        self._start(*workers)
        self._finish(*workers)
        for worker in workers:
            self.assertIsNone(worker.error)
        numbers = [worker.result for worker in workers]
        self.assertTrue(all(numbers))
        self.assertEqual(len(set(numbers)), 2)
        with self.registry.cursor() as cr:
            stored = self._env(cr)["res.partner"].browse(self.new_customer_ids[:2])
            self.assertEqual(sorted(stored.mapped("archive_number")), sorted(numbers))

    @mute_logger("odoo.sql_db")
    def test_same_customer_registered_twice_keeps_first_number(self):
        partner_id = self.new_customer_ids[2]
        registered, release = threading.Event(), threading.Event()

        def register(env):
            partner = env["res.partner"].browse(partner_id)
            partner._archive_register(
                env["customer.archive.folder"].browse(self.folder_id)
            )
            registered.set()
            return partner.archive_number

        first = Worker(self.registry, SUPERUSER_ID, register, hold=release)
        first.start()
        self.assertTrue(registered.wait(TIMEOUT))
        second = Worker(self.registry, SUPERUSER_ID, register)
        second.start()
        blocked = self._wait_until_blocked(second)
        release.set()
        self._finish(first, second)
        self.assertTrue(blocked, "the second registration did not wait")
        self.assertIsNone(first.error)
        self.assertIsNone(second.error)
        self.assertEqual(second.result, first.result)
        with self.registry.cursor() as cr:
            partner = self._env(cr)["res.partner"].browse(partner_id)
            self.assertEqual(partner.archive_number, first.result)

    @mute_logger("odoo.sql_db")
    def test_two_managers_approve_once(self):
        approved, release = threading.Event(), threading.Event()

        def approve(env):
            env["customer.archive.consultation"].browse(
                self.request_id
            ).action_approve()
            approved.set()
            return env.uid

        first = Worker(self.registry, self.manager_ids[0], approve, hold=release)
        first.start()
        self.assertTrue(approved.wait(TIMEOUT))
        approved.clear()
        second = Worker(self.registry, self.manager_ids[1], approve)
        second.start()
        blocked = self._wait_until_blocked(second)
        release.set()
        self._finish(first, second)
        self.assertTrue(blocked, "the second approval did not wait for the first")
        self.assertIsNone(first.error)
        # The second approval waited for the lock, then failed to serialize,
        # and its second run saw the approved state and was refused.
        self.assertEqual(second.tries, 2)
        self.assertIsInstance(second.error, UserError)
        with self.registry.cursor() as cr:
            request = self._env(cr)["customer.archive.consultation"].browse(
                self.request_id
            )
            self.assertEqual(request.state, "approved")
            self.assertEqual(request.approver_id.id, self.manager_ids[0])

    @mute_logger("odoo.sql_db")
    def test_two_cron_workers_greet_each_customer_once(self):
        both_fetched = threading.Barrier(2, timeout=TIMEOUT)
        first_fetch = threading.local()
        Greeting = self.registry["customer.archive.greeting"]
        fetch = Greeting._greeting_fetch

        def fetch_together(model, rule):
            candidates = fetch(model, rule)
            if not getattr(first_fetch, "done", False):
                first_fetch.done = True
                # Both workers hold the same candidates before either claims.
                both_fetched.wait()
            return candidates

        def run_cron(env):
            return env["customer.archive.greeting"]._cron_send_birthday_greetings()

        workers = [
            Worker(self.registry, SUPERUSER_ID, run_cron, max_tries=1)
            for _n in range(2)
        ]
        with patch.object(Greeting, "_greeting_fetch", fetch_together):
            self._start(*workers)
            self._finish(*workers)
        for worker in workers:
            self.assertIsNone(worker.error)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            for partner_id in self.birthday_customer_ids:
                greetings = env["customer.archive.greeting"].search(
                    [("partner_id", "=", partner_id), ("kind", "=", "birthday")]
                )
                mails = env["mail.mail"].search([("recipient_ids", "in", partner_id)])
                with self.subTest(partner_id=partner_id):
                    self.assertEqual(len(greetings), 1)
                    self.assertEqual(greetings.state, "done")
                    self.assertEqual(len(mails), 1)

    @mute_logger("odoo.sql_db")
    def test_two_log_appends_keep_chain(self):
        appended, release = threading.Event(), threading.Event()

        def append(env):
            # Reads first, as a request does, so the transaction's snapshot
            # is older than the other append's commit.
            env["res.partner"].browse(self.customer_id).fetch(["name"])
            entry = env["customer.archive.access.log"]._log(
                "export", partners=env["res.partner"].browse(self.customer_id)
            )
            appended.set()
            return entry.id

        def append_after_read(env):
            env["res.partner"].browse(self.customer_id).fetch(["name"])
            self.assertTrue(appended.wait(TIMEOUT))
            entry = env["customer.archive.access.log"]._log(
                "export", partners=env["res.partner"].browse(self.customer_id)
            )
            return entry.id

        first = Worker(self.registry, SUPERUSER_ID, append, hold=release)
        second = Worker(self.registry, SUPERUSER_ID, append_after_read)
        self._start(first, second)
        blocked = self._wait_until_blocked(second)
        release.set()
        self._finish(first, second)
        self.assertTrue(blocked, "the second append did not wait for the first")
        self.assertIsNone(first.error)
        self.assertIsNone(second.error)
        with self.registry.cursor() as cr:
            Log = self._env(cr)["customer.archive.access.log"]
            first_entry, second_entry = Log.browse([first.result, second.result])
            self.assertEqual(second_entry.previous_hash, first_entry.entry_hash)
            self.assertEqual(Log._first_broken_entry_id(), 0)
