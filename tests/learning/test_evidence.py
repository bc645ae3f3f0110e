"""Completion creates evidence; confirming it writes a rating with source "evidence" that moves the
current level and the gap aggregates (which stay equal to a recomputation)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from kapabel.assessments.models import CurrentLevel, Rating, Source
from kapabel.assessments.selectors import current_level
from kapabel.gaps import upkeep
from kapabel.gaps.models import GapAggregate, GapFact
from kapabel.learning import services
from kapabel.learning.models import Evidence, InternalActivity
from kapabel.learning.services import Refused
from tests.gaps.data import build_gap_data
from tests.learning.factories import SYSTEM, make_cohort, move_to_past


@pytest.fixture
def gaps(world):
    return build_gap_data(world)


def _complete(world, lw, competence, gain=1):
    services.offer_set_competences(offer=lw.offer, competences={competence: gain}, actor=SYSTEM)
    cohort = make_cohort(lw.offer, capacity=5, days=20)
    enrolment = services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    move_to_past(cohort)
    services.enrolment_complete(enrolment=enrolment, actor=world.user("hr"))
    return enrolment


def test_confirmed_evidence_moves_the_gap_analysis(world, lw, gaps):
    competence = gaps.competences[0]
    before_level, before_source = current_level(world.employee, competence)
    fact = GapFact.objects.get(employee=world.employee, competence=competence)
    aggregate_before = GapAggregate.objects.get(unit=world.team1, competence=competence).gap_sum
    assert fact.gap and fact.gap > 0

    enrolment = _complete(world, lw, competence)
    [evidence] = Evidence.objects.filter(enrolment=enrolment)
    assert evidence.level == before_level + 1
    assert not evidence.is_confirmed
    assert (
        GapFact.objects.get(employee=world.employee, competence=competence).level == before_level
    )  # nothing counts before confirmation

    with pytest.raises(PermissionDenied):
        services.evidence_confirm(evidence=evidence, actor=world.user("employee"))
    with pytest.raises(PermissionDenied):
        services.evidence_confirm(evidence=evidence, actor=world.user("other_municipality_admin"))
    services.evidence_confirm(evidence=evidence, actor=world.user("manager"))

    rating = Rating.objects.get(pk=evidence.rating.pk)
    assert (rating.source, rating.level, rating.employee_id) == (
        Source.EVIDENCE,
        before_level + 1,
        world.employee.pk,
    )
    assert evidence.confirmed_by == world.user("manager")
    current = CurrentLevel.objects.get(employee=world.employee, competence=competence)
    assert (current.level, current.source) == (before_level + 1, Source.EVIDENCE)
    assert current_level(world.employee, competence) == (before_level + 1, Source.EVIDENCE)
    assert GapFact.objects.get(employee=world.employee, competence=competence).level == before_level + 1
    assert GapAggregate.objects.get(unit=world.team1, competence=competence).gap_sum == aggregate_before - 1
    assert upkeep.verify(world.a) == []

    with pytest.raises(Refused):
        services.evidence_confirm(evidence=evidence, actor=world.user("hr"))


def test_a_municipality_can_rank_evidence_after_agreed(world, lw, gaps):
    from kapabel.assessments import services as assessment_services

    competence = gaps.competences[0]
    assessment_services.assessment_settings_update(
        municipality=world.a, current_level_order="agreed,evidence,manager,self", actor=SYSTEM
    )
    enrolment = _complete(world, lw, competence)
    evidence = Evidence.objects.get(enrolment=enrolment)
    services.evidence_confirm(evidence=evidence, actor=world.user("hr"), level=4)
    latest = current_level(world.employee, competence)
    agreed = Rating.objects.filter(employee=world.employee, competence=competence, source="agreed").exists()
    assert latest[1] == ("agreed" if agreed else Source.EVIDENCE)
    assert upkeep.verify(world.a) == []


def test_evidence_level_stays_on_the_scale(world, lw, gaps):
    competence = gaps.competences[0]
    enrolment = _complete(world, lw, competence, gain=9)
    assert Evidence.objects.get(enrolment=enrolment).level == 4  # the top of the 1–4 scale


def test_internal_activity_completes_with_evidence(world, lw, gaps):
    competence = gaps.competences[1]
    activity = services.internal_activity_create(
        kind=InternalActivity.Kind.MENTORING,
        learner=world.employee,
        mentor=world.colleague,
        competence=competence,
        target_level=3,
        starts_on=datetime.date(2026, 1, 5),
        hours=10,
        actor=world.user("manager"),
    )
    with pytest.raises(Refused):
        services.internal_activity_create(
            kind="peer_training",
            learner=world.employee,
            mentor=world.b_employee,
            starts_on=datetime.date(2026, 1, 5),
            actor=SYSTEM,
        )
    services.internal_activity_update(
        activity=activity,
        status=InternalActivity.Status.COMPLETED,
        outcome="Godt forløb",
        actor=world.user("manager"),
    )
    evidence = Evidence.objects.get(activity=activity)
    assert (evidence.level, evidence.employee_id) == (3, world.employee.pk)
    services.evidence_confirm(evidence=evidence, actor=world.user("hr"))
    assert current_level(world.employee, competence) == (3, Source.EVIDENCE)
    assert upkeep.verify(world.a) == []
