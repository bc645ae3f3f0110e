"""Two requests race for the last place, in real threads with their own connections and transactions.
Counting is slowed down so that, without the cohort lock, both would see the place free. Exactly one
gets it; the other is waitlisted. Runs on SQLite (IMMEDIATE transactions serialise writers) and on
PostgreSQL (`select_for_update` on the cohort row):
    .venv/bin/python -m kapabel.testing.pgcluster -- .venv/bin/pytest tests/learning"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from kapabel.learning import selectors, services
from kapabel.learning.models import Enrolment, EnrolmentStatus
from kapabel.learning.services import state
from tests.learning.factories import SYSTEM, make_cohort

S = EnrolmentStatus


@pytest.mark.django_db(transaction=True)
def test_two_requests_race_for_the_last_place(world, lw, monkeypatch):
    cohort = make_cohort(lw.offer, capacity=2, days=40)
    services.enrolment_book(cohort=cohort, employee=world.manager_employee, actor=SYSTEM)  # one place left

    real_count = selectors.places_taken

    def slow_count(cohort_arg):
        taken = real_count(cohort_arg)
        time.sleep(0.3)  # the window in which an unlocked rival would count the same free place
        return taken

    monkeypatch.setattr(state.selectors, "places_taken", slow_count)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def book(person):
        # The test database on SQLite is a shared-cache memory database, where a second writer gets
        # "table is locked" at once instead of waiting (a database file waits through busy_timeout).
        # Retrying the whole transaction is what that wait amounts to.
        for _attempt in range(200):
            try:
                return services.enrolment_book(cohort=cohort, employee=person, actor=world.user("hr"))
            except OperationalError as exc:
                if connection.vendor != "sqlite" or "locked" not in str(exc):
                    raise
                time.sleep(0.05)
        raise AssertionError("never got the database")

    def enrol(person):
        try:
            barrier.wait()
            results[person.name] = book(person).status
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(p,)) for p in (world.employee, world.colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(results.values()) == [S.BOOKED, S.WAITLISTED]
    assert Enrolment.objects.filter(cohort=cohort, status=S.BOOKED).count() == 2
    assert real_count(cohort) == cohort.capacity
