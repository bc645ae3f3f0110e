"""The maintained aggregates always equal a recomputation from scratch (hypothesis stateful)."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kapabel.assessments.models import Rating
from kapabel.competences.models import Profile, Status
from kapabel.gaps import upkeep
from kapabel.gaps.definition import gap, weighted_gap
from kapabel.gaps.models import GapAggregate, GapFact
from kapabel.organisation import services
from kapabel.organisation.models import Employee, OrgUnit
from tests.conftest import make_employee
from tests.gaps import writers
from tests.gaps.data import add_second_version, build_gap_data

LEVELS = st.one_of(st.none(), st.integers(1, 4))


def test_gap_definition():
    assert gap(3, None) is None  # unknown, never zero
    assert gap(3, 1) == 2
    assert gap(3, 4) == 0
    assert weighted_gap(2, 3) == 6
    assert weighted_gap(None, 3) is None


def test_fixture_aggregates_match_and_unknown_is_not_zero(world, gaps):
    assert upkeep.verify(world.a) == []
    # Forvaltning Et subtree: employee, colleague, manager (role profile: 4 targets each)
    row = GapAggregate.objects.get(unit=world.forvaltning1, competence=gaps.competences[3])
    assert (row.people, row.known) == (3, 0)  # no ratings for K3: unknown, not a zero gap
    fact = GapFact.objects.get(employee=world.outsider, competence=gaps.competences[3])
    assert (fact.target_level, fact.target_source) == (2, "job_role")  # role profile beats unit profile
    services.employee_update(employee=world.outsider, job_role=None, actor="t")
    fact = GapFact.objects.get(employee=world.outsider, competence=gaps.competences[3])
    assert (fact.target_level, fact.target_source) == (4, "unit")
    assert GapFact.objects.filter(employee=world.outsider).count() == 1
    fact = GapFact.objects.get(employee=world.employee, competence=gaps.competences[0])
    assert fact.target_source == "job_role"


def test_individual_target_beats_role_profile(world, gaps):
    writers.set_individual_target(employee=world.employee, competence=gaps.competences[0], level=1)
    fact = GapFact.objects.get(employee=world.employee, competence=gaps.competences[0])
    assert (fact.target_level, fact.target_source, fact.gap) == (1, "individual", 0)
    assert upkeep.verify(world.a) == []


def test_ratings_on_an_earlier_version_follow_the_mapping(world, gaps):
    v2, copies = add_second_version(gaps)
    draft = writers.new_profile_version(profile=gaps.role_profile, framework_version=v2)
    assert {t.competence_id for t in draft.targets.all()} <= {c.pk for c in copies}
    writers.publish_profile(profile=draft)
    fact = GapFact.objects.get(employee=world.employee, competence=copies[0])
    old = GapFact.objects.filter(employee=world.employee, competence=gaps.competences[0])
    assert not old.exists()
    assert fact.level is not None  # rated against version 1, mapped to version 2
    assert upkeep.verify(world.a) == []


def test_unit_move_and_employee_changes_keep_aggregates(world, gaps):
    services.orgunit_update(unit=world.centre1, parent=world.forvaltning2, actor="t")
    assert upkeep.verify(world.a) == []
    assert not GapAggregate.objects.filter(unit=world.forvaltning1).exists()
    services.employee_update(employee=world.colleague, unit=world.team3, actor="t")
    services.employee_update(employee=world.employee, active=False, actor="t")
    services.employee_update(employee=world.outsider, job_role=None, actor="t")
    assert upkeep.verify(world.a) == []


def test_settings_weight_change_needs_rebuild(world, gaps):
    from kapabel.gaps.models import GapSettings

    GapSettings.objects.create(municipality=world.a, weight_essential=10)
    assert upkeep.verify(world.a) != []
    upkeep.rebuild(world.a)
    assert upkeep.verify(world.a) == []


class GapMachine(RuleBasedStateMachine):
    """Random ratings, corrections, unit moves, employee moves, role changes, profile changes."""

    world = None
    data = None

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        w = self.world
        self.units = list(OrgUnit.objects.filter(municipality=w.a).order_by("pk"))
        self.people = [w.employee, w.colleague, w.manager_employee, w.outsider]
        self.people.append(make_employee(w.a, w.team2, "H1", "Hanne Hypotese", None))
        self.roles = [w.role_a, services.jobrole_create(municipality=w.a, title="Pædagog", actor="t")]
        self.competences = self.data.competences
        self.profiles = [self.data.role_profile, self.data.unit_profile]

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @rule(
        p=st.integers(0, 4),
        c=st.integers(0, 3),
        source=st.sampled_from(["self", "manager", "agreed"]),
        level=LEVELS,
    )
    def rate(self, p, c, source, level):
        writers.record_rating(
            employee=Employee.objects.get(pk=self.people[p].pk),
            competence=self.competences[c],
            source=source,
            level=level,
        )

    @precondition(
        lambda self: Rating.objects.filter(superseded_by__isnull=True, employee__isnull=False).exists()
    )
    @rule(i=st.integers(0, 1000), level=LEVELS)
    def correct(self, i, level):
        ratings = list(
            Rating.objects.filter(superseded_by__isnull=True, employee__municipality=self.world.a).order_by(
                "pk"
            )
        )
        writers.correct_rating(rating=ratings[i % len(ratings)], level=level)

    @rule(u=st.integers(1, 6), parent=st.integers(0, 6))
    def move_unit(self, u, parent):
        unit = OrgUnit.objects.get(pk=self.units[u].pk)
        new_parent = OrgUnit.objects.get(pk=self.units[parent].pk)
        if new_parent.path.startswith(unit.path) or new_parent.pk == unit.parent_id:
            return
        services.orgunit_update(unit=unit, parent=new_parent, actor="t")

    @rule(p=st.integers(0, 4), u=st.integers(0, 6))
    def move_employee(self, p, u):
        services.employee_update(
            employee=Employee.objects.get(pk=self.people[p].pk),
            unit=OrgUnit.objects.get(pk=self.units[u].pk),
            actor="t",
        )

    @rule(p=st.integers(0, 4), r=st.integers(0, 2))
    def change_role(self, p, r):
        role = self.roles[r] if r < 2 else None
        services.employee_update(
            employee=Employee.objects.get(pk=self.people[p].pk), job_role=role, actor="t"
        )

    @rule(p=st.integers(0, 4), active=st.booleans())
    def activate(self, p, active):
        services.employee_update(
            employee=Employee.objects.get(pk=self.people[p].pk), active=active, actor="t"
        )

    @rule(
        pr=st.integers(0, 1),
        c=st.integers(0, 3),
        level=st.integers(1, 4),
        importance=st.sampled_from(["essential", "important", "nice_to_have"]),
        new_version=st.booleans(),
    )
    def change_profile(self, pr, c, level, importance, new_version):
        # Published profiles are frozen: a change is a new version, edited, then published.
        profile = Profile.objects.get(pk=self.profiles[pr].pk)
        draft = writers.new_profile_version(profile=profile)
        if new_version:  # also drop a target, as a reworked ideal would
            writers.set_profile_target(
                profile=draft, competence=self.competences[c], level=None, importance=importance
            )
        writers.set_profile_target(
            profile=draft, competence=self.competences[(c + 1) % 4], level=level, importance=importance
        )
        writers.publish_profile(profile=draft)
        self.profiles[pr] = draft

    @rule(pr=st.integers(0, 1))
    def retire_profile(self, pr):
        profile = Profile.objects.get(pk=self.profiles[pr].pk)
        if profile.status == Status.PUBLISHED:
            writers.retire_profile(profile=profile)

    @rule(p=st.integers(0, 4), c=st.integers(0, 3), level=st.one_of(st.none(), st.integers(1, 4)))
    def individual_target(self, p, c, level):
        writers.set_individual_target(
            employee=Employee.objects.get(pk=self.people[p].pk), competence=self.competences[c], level=level
        )

    @invariant()
    def aggregates_equal_recomputation(self):
        assert upkeep.verify(self.world.a) == []


@pytest.mark.django_db(transaction=False)
def test_aggregates_equal_recomputation_after_random_changes(world):
    GapMachine.world = world
    GapMachine.data = build_gap_data(world)
    run_state_machine_as_test(
        GapMachine,
        settings=settings(
            max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )


def test_suspended_upkeep_defers_to_one_rebuild(world, gaps):
    with upkeep.suspended():
        services.employee_update(employee=world.outsider, unit=world.team1, actor="t")
        assert upkeep.verify(world.a) != []  # nothing was kept up to date inside the block
    upkeep.rebuild(world.a)
    assert upkeep.verify(world.a) == []


def test_an_hr_import_keeps_the_gap_aggregates_current(world, gaps):
    """The HR import writes in bulk past the per-person services; its one rebuild must leave the
    aggregates equal to a recomputation (here: a person moved and one deactivated by the sheet)."""
    from kapabel.gaps.models import GapFact
    from tests.organisation.hr_import_helpers import run

    sheet = (
        b"Medarbejdernummer;Navn;E-mail;Enhed;Stilling;Timer pr. uge;Ansat fra;Ansat til;Leder\n"
        b"E4;Oskar Outsider;e4@example.dk;A111;;37;01.01.2020;;nej\n"
        b"E2;Carl Colleague;e2@example.dk;A112;;37;01.01.2020;01.01.2026;nej\n"
        b"E9;Nina Ny;e9@example.dk;A111;Sagsbehandler Aby;37;01.01.2026;;nej\n"
    )
    hr_import = run(world.a, {"ark.csv": sheet}, format="kapabel")
    assert hr_import.status == "succeeded", hr_import.problems
    assert Employee.objects.get(pk=world.outsider.pk).unit_id == world.team1.pk
    newcomer = Employee.objects.get(municipality=world.a, external_id="E9")
    assert GapFact.objects.filter(employee=newcomer).exists()  # her role profile's targets apply
    assert upkeep.verify(world.a) == []


def test_new_weights_rebuild_the_weighted_gaps(world, gaps):
    from django.core.management import call_command

    from kapabel.core.models import AuditEvent
    from kapabel.gaps.models import GapFact

    fact = GapFact.objects.filter(employee__municipality=world.a, gap__gt=0).first()
    assert fact is not None
    call_command("gap-settings", "--municipality", "101", "--weights", "10,5,1", "--min-group-size", "3")
    fact = GapFact.objects.get(employee_id=fact.employee_id, competence_id=fact.competence_id)  # rebuilt
    weights = {"essential": 10, "important": 5, "nice_to_have": 1}
    assert fact.weighted_gap == fact.gap * weights[fact.importance]
    assert upkeep.verify(world.a) == []
    assert AuditEvent.objects.filter(action="gaps.settings.updated").exists()
