"""The bulk rebuild writes only what differs: nothing when nothing changed, and after any change
the same tables a rebuild from empty gives (hypothesis); its database helpers are exact."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapabel.assessments.models import AssessmentSettings, Rating
from kapabel.competences.models import Profile
from kapabel.gaps import rebuild, upkeep
from kapabel.gaps.models import (
    GapAggregate,
    GapCampaignLevels,
    GapFact,
    GapPriorityGroup,
    GapSettings,
    GapTrendAggregate,
)
from kapabel.gaps.rebuild import bulk, facts, totals
from kapabel.gaps.rebuild.arrays import NONE
from kapabel.organisation import services
from kapabel.organisation.models import Employee, OrgUnit
from tests.conftest import make_employee
from tests.gaps import writers
from tests.gaps.data import add_second_version
from tests.gaps.test_scale import random_data

TABLES = (GapFact, GapAggregate, GapPriorityGroup, GapCampaignLevels, GapTrendAggregate)


@contextmanager
def rows_written() -> Iterator[list[int]]:
    """Counts the rows inserted, updated or deleted in the five gap tables inside the block (one
    element after it): SQLite, by temporary triggers on each table; PostgreSQL, by the current
    transaction's statistics."""
    names = [model._meta.db_table for model in TABLES]
    result: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = (
                "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
                " WHERE relname = ANY(%s)"
            )
            cursor.execute(query, [names])
            before = cursor.fetchone()[0]
            yield result
            cursor.execute(query, [names])
            result.append(cursor.fetchone()[0] - before)
            return
        cursor.execute("CREATE TEMP TABLE test_gap_writes (n integer)")
        for name in names:
            for event in ("INSERT", "UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TEMP TRIGGER test_{name}_{event} AFTER {event} ON main.{name}"
                    " BEGIN INSERT INTO test_gap_writes VALUES (1); END"
                )
        try:
            yield result
            cursor.execute("SELECT count(*) FROM test_gap_writes")
            result.append(cursor.fetchone()[0])
        finally:
            for name in names:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(f"DROP TRIGGER test_{name}_{event}")
            cursor.execute("DROP TABLE test_gap_writes")


def _snapshot(municipality: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the five tables of a municipality, without ids."""
    result = {}
    for model in TABLES:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = model.objects.filter(municipality=municipality).values_list(*fields)
        result[model.__name__] = sorted(
            (tuple(tuple(sorted(v.items())) if isinstance(v, dict) else v for v in row) for row in rows),
            key=repr,
        )
    return result


def _wipe(municipality: Any) -> None:
    for model in TABLES:
        model.objects.filter(municipality=municipality).delete()


def test_a_rebuild_over_unchanged_data_writes_no_row(world, gaps):
    random_data(world, gaps, 11)
    assert upkeep.verify(world.a) == []  # kept person by person: equal to a recomputation
    with rows_written() as written:
        upkeep.rebuild(world.a)
    assert written == [0]
    _wipe(world.a)
    with rows_written() as written:
        count = upkeep.rebuild(world.a)
    assert count == GapFact.objects.filter(municipality=world.a).count() > 0
    assert written[0] >= count  # the build from empty wrote every fact (the counter counts)
    with rows_written() as written:
        upkeep.rebuild(world.a)
    assert written == [0]


def _difference(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> int:
    """Rows that differ: in one snapshot and not the other (a changed row counts twice)."""
    return sum(
        sum(
            (
                (Counter(before[name]) - Counter(after[name]))
                + (Counter(after[name]) - Counter(before[name]))
            ).values()
        )
        for name in before
    )


def test_a_rebuild_after_a_move_writes_only_rows_that_differ(world, gaps):
    random_data(world, gaps, 12)
    moved = Employee.objects.get(pk=world.outsider.pk)
    with upkeep.suspended():
        services.employee_update(employee=moved, unit=world.team1, actor="t")
    before = _snapshot(world.a)
    with rows_written() as written:
        upkeep.rebuild(world.a)
    assert upkeep.verify(world.a) == []
    differing = _difference(before, _snapshot(world.a))
    # An updated row is one write, a replaced one two (delete, insert): never more than what differs.
    assert 0 < differing / 2 <= written[0] <= differing


CHANGES = st.lists(
    st.one_of(
        st.tuples(
            st.just("rate"),
            st.integers(0, 6),
            st.integers(0, 7),
            st.sampled_from(["self", "manager", "agreed"]),
            st.one_of(st.none(), st.integers(1, 4)),
            st.integers(0, 2),
        ),
        st.tuples(st.just("move"), st.integers(0, 6), st.integers(0, 6)),
        st.tuples(st.just("role"), st.integers(0, 6), st.integers(0, 2)),
        st.tuples(st.just("active"), st.integers(0, 6), st.booleans()),
        st.tuples(st.just("unit"), st.integers(1, 6), st.integers(0, 6)),
        st.tuples(
            st.just("individual"),
            st.integers(0, 6),
            st.integers(0, 7),
            st.one_of(st.none(), st.integers(1, 4)),
        ),
        st.tuples(st.just("weights"), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9)),
        st.tuples(
            st.just("order"), st.sampled_from(["self,agreed", "manager,self,agreed", "agreed,manager,self"])
        ),
        st.tuples(st.just("profile"), st.integers(0, 3), st.integers(1, 4)),
        st.tuples(st.just("damage"), st.sampled_from(TABLES), st.integers(0, 1000)),
    ),
    min_size=1,
    max_size=6,
)


class _Changes:
    """Changes behind the upkeep's back (inside `upkeep.suspended()`, or straight to the tables),
    so that only the rebuild brings the maintained tables up to date."""

    def __init__(self, world: Any, gaps: Any) -> None:
        self.world, self.gaps = world, gaps
        self.units = list(OrgUnit.objects.filter(municipality=world.a).order_by("pk"))
        self.roles = [
            world.role_a,
            services.jobrole_create(municipality=world.a, title="Pædagog", actor="t"),
            None,
        ]
        self.people = [world.employee, world.colleague, world.manager_employee, world.outsider]
        self.people += [
            make_employee(world.a, self.units[i], f"H{i}", f"Hypo {i}", self.roles[i % 3]) for i in (2, 5, 6)
        ]
        _, copies = add_second_version(gaps)
        self.competences = gaps.competences + copies
        draft = writers.new_profile_version(profile=gaps.role_profile, framework_version=copies[0].version)
        self.role_profile = writers.publish_profile(profile=draft)  # targets on version 2, mapped from 1

    def person(self, i: int) -> Employee:
        return Employee.objects.get(pk=self.people[i].pk)

    def apply(self, change: tuple[Any, ...]) -> None:
        kind, *args = change
        with upkeep.suspended():
            getattr(self, kind)(*args)

    def rate(self, p: int, c: int, source: str, level: int | None, campaign: int) -> None:
        campaigns = [None, *self.gaps.campaigns]  # (of version 1: its competences only)
        writers.record_rating(
            employee=self.person(p),
            competence=self.competences[c % 4 if campaign else c],
            source=source,
            level=level,
            campaign=campaigns[campaign],
        )

    def move(self, p: int, u: int) -> None:
        services.employee_update(
            employee=self.person(p), unit=OrgUnit.objects.get(pk=self.units[u].pk), actor="t"
        )

    def role(self, p: int, r: int) -> None:
        services.employee_update(employee=self.person(p), job_role=self.roles[r], actor="t")

    def active(self, p: int, active: bool) -> None:
        services.employee_update(employee=self.person(p), active=active, actor="t")

    def unit(self, u: int, parent: int) -> None:
        unit, new_parent = (OrgUnit.objects.get(pk=self.units[i].pk) for i in (u, parent))
        if not new_parent.path.startswith(unit.path) and new_parent.pk != unit.parent_id:
            services.orgunit_update(unit=unit, parent=new_parent, actor="t")

    def individual(self, p: int, c: int, level: int | None) -> None:
        writers.set_individual_target(employee=self.person(p), competence=self.competences[c], level=level)

    def weights(self, essential: int, important: int, nice: int) -> None:  # not through the service
        GapSettings.objects.update_or_create(
            municipality=self.world.a,
            defaults={
                "weight_essential": essential,
                "weight_important": important,
                "weight_nice_to_have": nice,
            },
        )

    def order(self, order: str) -> None:  # the levels in campaigns follow; CurrentLevel is as it was
        AssessmentSettings.objects.update_or_create(
            municipality=self.world.a, defaults={"current_level_order": order}
        )

    def profile(self, c: int, level: int) -> None:
        draft = writers.new_profile_version(profile=Profile.objects.get(pk=self.role_profile.pk))
        writers.set_profile_target(
            profile=draft, competence=self.competences[4 + c], level=level, importance="important"
        )
        self.role_profile = writers.publish_profile(profile=draft)

    def damage(self, model: Any, i: int) -> None:  # a stored row changed or lost behind everyone's back
        rows = list(model.objects.filter(municipality=self.world.a).order_by("pk"))
        if not rows:
            return
        row = rows[i % len(rows)]
        if i % 3 == 0:
            row.delete()
        elif model is GapCampaignLevels:
            model.objects.filter(pk=row.pk).update(levels={"1": 9})
        elif model is GapFact:
            model.objects.filter(pk=row.pk).update(level=None, gap=7, weight=99)
        else:
            model.objects.filter(pk=row.pk).update(people=row.people + 1)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(changes=CHANGES, chunk=st.sampled_from([2, 5, 10000]))
def test_a_rebuild_after_changes_equals_a_rebuild_from_empty(world, gaps, changes, chunk, monkeypatch):
    with transaction.atomic():  # each example starts from the fixture's data
        monkeypatch.setattr(rebuild, "CHUNK", chunk)
        state = _Changes(world, gaps)
        upkeep.rebuild(world.a)
        for change in changes:
            state.apply(change)
        upkeep.rebuild(world.a)
        after_changes = _snapshot(world.a)
        assert upkeep.verify(world.a) == []
        _wipe(world.a)
        upkeep.rebuild(world.a)
        assert _snapshot(world.a) == after_changes
        transaction.set_rollback(True)


# --- The database helpers ------------------------------------------------------------------------

ROWS = "FROM (SELECT 5 AS x, CAST(NULL AS integer) AS y, 7 AS z UNION ALL SELECT 70000, 3, 8) t"


@pytest.mark.django_db
@pytest.mark.parametrize("word_bits", [62, 8])
def test_read_is_exact_also_outside_the_announced_bounds(monkeypatch, word_bits):
    monkeypatch.setattr(bulk, "WORD_BITS", word_bits)  # 8: several words, and a column too wide for one
    plain = bulk.read(["x", "y", "z"], ROWS)
    packed = bulk.read(["x", "y", "z"], ROWS, [], [bulk.Bounds(0, 10), bulk.Bounds(NONE, 5), bulk.sure(7, 8)])
    expected = [[5, NONE, 7], [70000, 3, 8]]
    assert sorted(plain.tolist()) == sorted(packed.tolist()) == expected
    inside = bulk.read(
        ["x", "y", "z"], ROWS, [], [bulk.Bounds(0, 70000), bulk.sure(NONE, 3), bulk.sure(7, 8)]
    )
    assert sorted(inside.tolist()) == expected
    assert bulk.read(["x"], ROWS + " WHERE x < 0").shape == (0, 1)


@pytest.mark.parametrize("word_bits", [62, 12])
def test_insert_ints_writes_every_value_and_null(world, gaps, monkeypatch, word_bits):
    monkeypatch.setattr(bulk, "WORD_BITS", word_bits)  # 12: three words per row, joined by position
    competence = gaps.competences[0].pk
    rows = np.array(
        [
            [world.team1.pk, world.role_a.pk, competence, 1, 2, 3],
            [world.team2.pk, NONE, competence, 40000, 0, 123456],
        ],
        dtype=np.int64,
    )
    GapPriorityGroup.objects.all().delete()
    bulk.insert_ints(
        GapPriorityGroup._meta.db_table,
        ("unit_id", "job_role_id", "competence_id", "people", "gap_sum", "weighted_gap_sum"),
        rows,
        {"municipality_id": world.a.pk},
    )
    stored = GapPriorityGroup.objects.order_by("unit_id").values_list(
        "municipality_id", "unit_id", "job_role_id", "competence_id", "people", "gap_sum", "weighted_gap_sum"
    )
    assert list(stored) == [
        (world.a.pk, world.team1.pk, world.role_a.pk, competence, 1, 2, 3),
        (world.a.pk, world.team2.pk, None, competence, 40000, 0, 123456),
    ]


def _indexes() -> dict[str, list[tuple[str, tuple[str, ...], bool]]]:
    """Every gap table's indexes and unique constraints: (name, columns, unique)."""
    with connection.cursor() as cursor:
        found = {}
        for model in TABLES:
            table = model._meta.db_table
            constraints = connection.introspection.get_constraints(cursor, table)
            found[table] = sorted(
                (name, tuple(c["columns"]), bool(c["unique"]))
                for name, c in constraints.items()
                if c["index"] or c["unique"]
            )
    return found


def test_a_build_from_empty_drops_and_builds_the_indexes_again(world, gaps, monkeypatch):
    """A first build drops GapFact's (unit, competence) index (PostgreSQL: every secondary index
    and unique constraint, of the totals tables too) and builds them again as they were."""
    monkeypatch.setattr(facts, "BULK_LOAD_FACTS", 1)
    monkeypatch.setattr(totals, "BULK_LOAD_ROWS", 1)
    dropped: list[list[str]] = []
    original = facts.bulk_load
    monkeypatch.setattr(facts, "bulk_load", lambda *a: dropped.append(original(*a)) or dropped[-1])
    dropped_totals: list[str] = []
    drop = bulk.drop_indexes
    monkeypatch.setattr(bulk, "drop_indexes", lambda table: dropped_totals.append(table) or drop(table))
    indexes = _indexes()
    assert "gap_fact_unit_idx" in dict((n, c) for n, c, _u in indexes[GapFact._meta.db_table])
    for model in TABLES:
        model.objects.all().delete()
    upkeep.rebuild(world.a)
    assert upkeep.verify(world.a) == []
    assert _indexes() == indexes
    assert dropped[0]
    if connection.vendor == "postgresql":
        assert sorted(dropped_totals) == sorted(
            m._meta.db_table for m in (GapFact, GapAggregate, GapPriorityGroup, GapTrendAggregate)
        )
        assert any("gap_fact_unique" in statement for statement in dropped[0])
    upkeep.rebuild(world.b)  # the tables hold Aby's rows now: Bby's few do not drop the indexes
    assert dropped[1] == []
    # A rebuild that fails after the drop takes it back with everything else.
    _wipe(world.a)
    monkeypatch.setattr(totals.Totals, "sync", lambda self, batch: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        upkeep.rebuild(world.a)
    assert _indexes() == indexes
    assert not GapFact.objects.filter(municipality=world.a).exists()


@pytest.mark.parametrize("odd", [{"1": None}, {}, {"1": 2.5}, {"99999": 1, "1": 3}])
def test_odd_stored_snapshots_are_replaced(world, gaps, odd):
    """A snapshot NumPy cannot read as {"competence": level} pairs is compared as JSON instead."""
    row = GapCampaignLevels.objects.filter(municipality=world.a).order_by("pk").first()
    GapCampaignLevels.objects.filter(pk=row.pk).update(levels=odd)
    assert upkeep.verify(world.a) != []
    upkeep.rebuild(world.a)
    assert upkeep.verify(world.a) == []
    with rows_written() as written:
        upkeep.rebuild(world.a)
    assert written == [0]


def test_ratings_of_other_sources_and_superseded_ones_do_not_count(world, gaps):
    """The packed read of ratings filters what the reference filters (source outside the order,
    superseded, outside campaigns)."""
    first = gaps.campaigns[0]
    rating = writers.record_rating(
        employee=world.employee, competence=gaps.competences[0], source="manager", level=4, campaign=first
    )
    writers.correct_rating(rating=Rating.objects.get(pk=rating.pk), level=1)
    AssessmentSettings.objects.update_or_create(
        municipality=world.a, defaults={"current_level_order": "agreed,self"}
    )
    _wipe(world.a)
    upkeep.rebuild(world.a)
    assert upkeep.verify(world.a) == []
