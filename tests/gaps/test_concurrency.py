"""Concurrent gap-changing writes in one municipality: no deadlock, no duplicate aggregate row, no lost
update. Threads write through the real services, each in its own transaction on its own connection, and
overlap on the same units' aggregates (Team Alfa, Team Beta and every ancestor). On PostgreSQL (READ
COMMITTED) this is the load test's failure: `python -m kapabel.testing.pgcluster -- pytest <this file>`.
"""

from __future__ import annotations

import datetime
import threading
import traceback
from collections.abc import Callable

import pytest
from django.db import connection, connections

from kapabel.gaps import upkeep
from kapabel.gaps.services import gap_settings_update
from kapabel.organisation import services
from kapabel.organisation.models import OrgUnit
from tests.conftest import make_employee
from tests.gaps import writers

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
ROUNDS = 4


def _skip_on_in_memory_sqlite() -> None:
    # Django's SQLite test database is in memory with a shared cache: there a second writer fails at
    # once with "database table is locked" (a table lock; the busy timeout does not apply), so the
    # test would measure the test database, not the product. A file database (production) serialises
    # writers through BEGIN IMMEDIATE and the busy timeout.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file-backed SQLite database; run on PostgreSQL (pgcluster)")


def _run_together(work: list[Callable[[], None]]) -> list[str]:
    """Run each callable in its own thread, released together by a barrier; the errors, formatted."""
    barrier = threading.Barrier(len(work))
    errors: list[str] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            connections.close_all()  # this thread's connection; the test database is dropped later

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a writer hangs"
    return errors


def test_concurrent_moves_and_ratings_keep_the_aggregates_exact(world, gaps):
    _skip_on_in_memory_sqlite()
    teams = [world.team1, world.team2]
    people = [
        [
            make_employee(world.a, teams[(t + i) % 2], f"C{t}-{i}", f"Person {t}-{i}", world.role_a)
            for i in range(2)
        ]
        for t in range(THREADS)
    ]
    assert upkeep.verify(world.a) == []
    start = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)

    def writer(t: int) -> Callable[[], None]:
        def job() -> None:
            for r in range(ROUNDS):
                for i, person in enumerate(people[t]):
                    # Moves people between the two teams: every ancestor's totals change.
                    services.employee_update(employee=person, unit=teams[(t + i + r + 1) % 2], actor="load")
                    # A rating changes known/below/gap sums of the same aggregate rows.
                    writers.record_rating(
                        employee=person,
                        competence=gaps.competences[(t + r) % 3],
                        source="self",
                        level=1 + (t + i + r) % 4,
                        rated_at=start + datetime.timedelta(minutes=100 * t + 10 * r + i),
                    )

        return job

    errors = _run_together([writer(t) for t in range(THREADS)])

    assert errors == [], "\n".join(errors)
    assert upkeep.verify(world.a) == []


def test_concurrent_first_people_of_a_new_unit_create_each_aggregate_row_once(world, gaps):
    """The first people placed in an empty unit at the same moment: each aggregate row of that unit is
    new to every writer (two inserts of one key violate `gap_aggregate_unique`)."""
    _skip_on_in_memory_sqlite()
    people = [
        make_employee(world.a, world.team3, f"N{t}", f"Newcomer {t}", world.role_a) for t in range(THREADS)
    ]
    new_team = services.orgunit_create(
        municipality=world.a,
        parent=world.centre1,
        name="Team Delta",
        kind="team",
        external_id="A113",
        actor="t",
    )
    assert upkeep.verify(world.a) == []

    def mover(person):
        return lambda: services.employee_update(employee=person, unit=new_team, actor="load")

    errors = _run_together([mover(person) for person in people])

    assert errors == [], "\n".join(errors)
    assert upkeep.verify(world.a) == []


def test_concurrent_unit_moves_weight_changes_and_employee_moves_keep_the_aggregates_exact(world, gaps):
    """The other writers of the maintained tables at the same time: a unit move (shifts a subtree's
    totals, refreshes the people below a unit profile) and a weight change (a full rebuild)."""
    _skip_on_in_memory_sqlite()
    teams = [world.team1, world.team2]
    people = [
        make_employee(world.a, teams[t % 2], f"M{t}", f"Mover {t}", world.role_a) for t in range(THREADS - 2)
    ]
    parents = [world.forvaltning2, world.centre1]  # Forvaltning To has a unit profile

    def mover(t: int) -> Callable[[], None]:
        def job() -> None:
            for r in range(ROUNDS):
                services.employee_update(employee=people[t], unit=teams[(t + r + 1) % 2], actor="load")

        return job

    def unit_mover() -> None:
        team = OrgUnit.objects.get(pk=world.team2.pk)
        for r in range(ROUNDS):
            services.orgunit_update(unit=team, parent=parents[r % 2], actor="load")

    def weights() -> None:
        for r in range(ROUNDS):
            gap_settings_update(municipality=world.a, actor="load", weight_essential=4 + r % 2)

    errors = _run_together([*(mover(t) for t in range(THREADS - 2)), unit_mover, weights])

    assert errors == [], "\n".join(errors)
    assert upkeep.verify(world.a) == []
