"""Campaign creation, submissions, the rating history and the current level."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapabel.assessments import selectors, services
from kapabel.assessments.models import Assessment, Campaign, CurrentLevel, LeaderAnswer, Rating, Source
from kapabel.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def answers_for(campaign, level=2, unknown=()):
    return {
        item.competence.pk: {"level": "unknown" if i in unknown else level, "comment": ""}
        for i, item in enumerate(selectors.campaign_competences(campaign))
    }


def test_campaign_covers_scope_with_one_audit_event(world, aw):
    assert aw.campaign_a.participant_count == 4  # everybody in A
    assert aw.campaign_b.participant_count == 1
    assert AuditEvent.objects.filter(action="assessments.campaign.created").count() == 4
    # The leader survey: the manager answers for the centre they lead.
    assert list(aw.leader_a.assessments.values_list("employee_id", "unit_id")) == [
        (world.manager_employee.pk, world.centre1.pk)
    ]
    assert aw.needs_a.participant_count == 3  # centre 1 and its teams


def test_scope_by_unit_without_subtree_job_role_and_person(world, aw):
    campaign = services.campaign_create(
        municipality=world.a,
        name="Smal",
        kind=Campaign.Kind.INDIVIDUAL,
        framework_version=aw.version_a,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        scope=services.Scope(units=[(world.centre1, False)], employees=[world.outsider]),
        actor="t",
    )
    assert set(campaign.assessments.values_list("employee_id", flat=True)) == {
        world.manager_employee.pk,
        world.outsider.pk,
    }


def test_campaign_refuses_foreign_objects_and_unpublished_versions(world, aw):
    base = dict(
        municipality=world.a,
        name="x",
        kind=Campaign.Kind.INDIVIDUAL,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        actor="t",
    )
    with pytest.raises(ValidationError):
        services.campaign_create(
            framework_version=aw.version_b, scope=services.Scope(units=[(world.a_root, True)]), **base
        )
    with pytest.raises(ValidationError):
        services.campaign_create(
            framework_version=aw.version_a, scope=services.Scope(units=[(world.b_root, True)]), **base
        )
    with pytest.raises(ValidationError):
        services.campaign_create(framework_version=aw.version_a, scope=services.Scope(), **base)


def test_self_draft_then_submit_records_ratings_and_current_level(world, aw):
    assessment = aw.assessment
    user = world.user("employee")
    answers = answers_for(aw.campaign_a, level=3, unknown={0})
    first = next(iter(answers))
    assessment = services.assessment_save_self(
        assessment=assessment, version=0, answers={first: answers[first]}, actor=user
    )
    assert assessment.status == Assessment.Status.DRAFT and assessment.self_version == 1
    assert not Rating.objects.exists()
    with pytest.raises(ValidationError) as exc:  # a submission needs every competence answered
        services.assessment_save_self(assessment=assessment, version=1, answers={}, submit=True, actor=user)
    assert len(exc.value.message_dict) == len(answers)
    assessment = services.assessment_save_self(
        assessment=assessment, version=1, answers=answers, submit=True, actor=user
    )
    assert assessment.status == Assessment.Status.SUBMITTED
    assert Rating.objects.filter(source=Source.SELF).count() == len(answers)
    unknown = CurrentLevel.objects.get(employee=world.employee, competence_id=first)
    assert unknown.level is None and unknown.self_rating_id is not None
    other = next(k for k in answers if k != first)
    assert selectors.current_level(world.employee, other) == (3, "self")
    with pytest.raises(ValidationError):  # submitted answers are final
        services.assessment_save_self(assessment=assessment, version=2, answers=answers, actor=user)


def test_invalid_level_refused(world, aw):
    answers = answers_for(aw.campaign_a)
    key = next(iter(answers))
    answers[key]["level"] = 9
    with pytest.raises(ValidationError) as exc:
        services.assessment_save_self(
            assessment=aw.assessment, version=0, answers=answers, submit=True, actor=world.user("employee")
        )
    assert f"level_{key}" in exc.value.message_dict


def test_stale_version_is_refused_and_nothing_is_written(world, aw):
    user = world.user("employee")
    answers = answers_for(aw.campaign_a)
    services.assessment_save_self(assessment=aw.assessment, version=0, answers=answers, actor=user)
    with pytest.raises(services.StaleVersion) as exc:
        services.assessment_save_self(
            assessment=aw.assessment, version=0, answers=answers, submit=True, actor=user
        )
    assert exc.value.current_version == 1
    assert not Rating.objects.exists()


def test_manager_then_agreed_and_current_level_order(world, aw):
    employee, manager = world.user("employee"), world.user("manager")
    services.assessment_save_self(
        assessment=aw.assessment,
        version=0,
        answers=answers_for(aw.campaign_a, 1),
        submit=True,
        actor=employee,
    )
    with pytest.raises(ValidationError):  # agreed before the manager assessment
        services.assessment_save_manager(
            assessment=aw.assessment,
            version=0,
            answers=answers_for(aw.campaign_a, 3),
            step="agreed",
            actor=manager,
        )
    a = services.assessment_save_manager(
        assessment=aw.assessment, version=0, answers=answers_for(aw.campaign_a, 3), submit=True, actor=manager
    )
    assert a.status == Assessment.Status.MANAGER_ASSESSED
    competence = next(iter(answers_for(aw.campaign_a)))
    assert selectors.current_level(world.employee, competence) == (3, "manager")
    a = services.assessment_save_manager(
        assessment=a,
        version=1,
        answers=answers_for(aw.campaign_a, 2),
        step="agreed",
        submit=True,
        actor=manager,
    )
    assert a.status == Assessment.Status.AGREED
    assert selectors.current_level(world.employee, competence) == (2, "agreed")
    assert CurrentLevel.objects.get(employee=world.employee, competence_id=competence).level == 2
    services.assessment_settings_update(municipality=world.a, current_level_order="self,manager", actor="t")
    row = CurrentLevel.objects.get(employee=world.employee, competence_id=competence)
    assert (row.level, row.source) == (1, "self")
    assert selectors.current_level(world.employee, competence) == (1, "self")


def test_correction_supersedes_and_keeps_history(world, aw):
    employee = world.user("employee")
    services.assessment_save_self(
        assessment=aw.assessment,
        version=0,
        answers=answers_for(aw.campaign_a, 1),
        submit=True,
        actor=employee,
    )
    original = Rating.objects.filter(employee=world.employee).first()
    correction = services.rating_correct(rating=original, level=4, comment="fejl", actor=employee)
    original.refresh_from_db()
    assert original.level == 1 and original.superseded_by_id == correction.pk
    assert correction.supersedes_id == original.pk and correction.rated_at == original.rated_at
    assert selectors.current_level(world.employee, original.competence_id) == (4, "self")
    assert selectors.current_level(
        world.employee,
        original.competence_id,
        as_of=correction.created_at - datetime.timedelta(microseconds=1),
    ) == (1, "self")
    with pytest.raises(ValidationError):
        services.rating_correct(rating=original, level=2, actor=employee)


def test_closed_campaign_and_late_submission_refused(world, aw):
    user = world.user("employee")
    Campaign.objects.filter(pk=aw.campaign_a.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
        opens_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    aw.assessment.campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="lukkede for svar|closed for answers"):
        services.assessment_save_self(
            assessment=aw.assessment, version=0, answers=answers_for(aw.campaign_a), submit=True, actor=user
        )
    services.campaign_close(campaign=aw.campaign_a, actor=world.user("admin"))
    aw.assessment.campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="lukket|closed"):
        services.assessment_save_manager(
            assessment=aw.assessment,
            version=0,
            answers=answers_for(aw.campaign_a),
            actor=world.user("manager"),
        )


def test_leader_survey_records_unit_ratings_and_importance(world, aw):
    assessment = aw.leader_a.assessments.get()
    answers = {
        k: {**v, "importance_now": "essential", "importance_future": "important"}
        for k, v in answers_for(aw.leader_a, 3).items()
    }
    services.assessment_save_self(
        assessment=assessment, version=0, answers=answers, submit=True, actor=world.user("manager")
    )
    ratings = Rating.objects.filter(source=Source.LEADER)
    assert ratings.count() == len(answers) and {r.unit_id for r in ratings} == {world.centre1.pk}
    assert LeaderAnswer.objects.filter(importance_future="important").count() == len(answers)
    assert not CurrentLevel.objects.exists()  # leader ratings describe units, not people


def test_needs_survey_answers_and_wishes(world, aw):
    assessment = aw.needs_a.assessments.get(employee=world.employee)
    wish = selectors.campaign_competences(aw.needs_a)[0].competence.pk
    services.assessment_save_self(
        assessment=assessment,
        version=0,
        needs_answers=["Bedre til Opus"],
        wishes=[wish],
        submit=True,
        actor=world.user("employee"),
    )
    assert assessment.needs_answers.get().answer == "Bedre til Opus"
    assert list(assessment.wishes.values_list("competence_id", flat=True)) == [wish]


def test_reminders_go_once_to_non_submitters_and_managers(world, aw, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    far = services.reminders_send(today=timezone.localdate())
    assert far["participants"] == 0  # 14 days before close: too early (default 3 days)
    day = aw.campaign_a.closes_on - datetime.timedelta(days=2)
    sent = services.reminders_send(today=day)
    recipients = {address for message in mail.outbox for address in message.to}
    assert world.employee.email in recipients and world.b_employee.email in recipients
    assert sent["managers"] >= 1
    manager_mail = [m for m in mail.outbox if world.manager_employee.email in m.to and "pending" in m.subject]
    assert manager_mail or any(world.manager_employee.email in m.to for m in mail.outbox)
    count = len(mail.outbox)
    services.reminders_send(today=day)
    assert len(mail.outbox) == count


def test_every_rating_write_updates_the_gap_aggregates(world, aw, monkeypatch):
    """The rating service hands the changed (person, competence) pairs to the gap upkeep, in the same
    transaction (the gap tests check what the upkeep then does with them)."""
    from kapabel.gaps import upkeep

    seen = []
    original = upkeep.current_levels_changed
    monkeypatch.setattr(
        upkeep, "current_levels_changed", lambda pairs: (seen.append(set(pairs)), original(pairs))
    )
    services.assessment_save_self(
        assessment=aw.assessment,
        version=0,
        answers=answers_for(aw.campaign_a),
        submit=True,
        actor=world.user("employee"),
    )
    assert len(seen) == 1 and len(seen[0]) == 6
    assert {employee for employee, _competence in seen[0]} == {world.employee.pk}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["self", "manager", "agreed", "correct"]), st.sampled_from([None, 1, 2, 3, 4])
        ),
        min_size=1,
        max_size=12,
    ),
    order=st.permutations(["agreed", "manager", "self"]),
)
def test_maintained_current_level_equals_recomputation(world, aw, ops, order):
    """Random ratings and corrections: `CurrentLevel` always equals the reference definition."""
    Rating.objects.all().update(superseded_by=None, supersedes=None)
    CurrentLevel.objects.all().delete()
    Rating.objects.all().delete()
    services.assessment_settings_update(municipality=world.a, current_level_order=",".join(order), actor="t")
    competence = selectors.campaign_competences(aw.campaign_a)[0].competence
    for op, level in ops:
        if op == "correct":
            latest = Rating.objects.filter(superseded_by__isnull=True, employee=world.employee).first()
            if latest is not None:
                services.rating_correct(rating=latest, level=level, actor="t")
            continue
        services.ratings_record(
            municipality_id=world.a.pk,
            source=op,
            entries=[
                services.RatingEntry(competence_id=competence.pk, level=level, employee_id=world.employee.pk)
            ],
            actor="t",
        )
    row = CurrentLevel.objects.filter(employee=world.employee, competence=competence).first()
    expected = selectors.current_level(world.employee, competence, order=list(order))
    actual = (row.level, row.source or "") if row else (None, "")
    assert actual == expected
