"""The workflow rules, each in one place: is a campaign open for a part (by date and status), which
manager step comes next, and who may act on an assessment."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kapabel.assessments import permissions, selectors, services
from kapabel.assessments.models import Assessment, Campaign, Part

DAY = datetime.timedelta(days=1)
OPENS = datetime.date(2026, 3, 2)
CLOSES = datetime.date(2026, 3, 13)


def campaign(kind=Campaign.Kind.INDIVIDUAL, status=Campaign.Status.OPEN) -> Campaign:
    return Campaign(kind=kind, status=status, opens_on=OPENS, closes_on=CLOSES)


@pytest.mark.parametrize(
    ("part", "day", "is_open"),
    [
        # The participant's own answers: from the open date up to and including the close date.
        (Part.SELF, OPENS - DAY, False),
        (Part.SELF, OPENS, True),
        (Part.SELF, CLOSES, True),
        (Part.SELF, CLOSES + DAY, False),
        # The manager and the agreed level: from the open date until the campaign is closed.
        (Part.MANAGER, OPENS - DAY, False),
        (Part.MANAGER, OPENS, True),
        (Part.MANAGER, CLOSES + DAY, True),
        (Part.AGREED, OPENS - DAY, False),
        (Part.AGREED, CLOSES + 30 * DAY, True),
        # An individual clarification has no survey part.
        (Part.SURVEY, OPENS, False),
    ],
)
def test_individual_campaign_open_by_date(part, day, is_open):
    assert campaign().is_open_for(part, day) is is_open
    assert (campaign().closed_reason(part, day) is None) is is_open


@pytest.mark.parametrize("kind", [Campaign.Kind.LEADER_SURVEY, Campaign.Kind.NEEDS_SURVEY])
def test_survey_open_by_date_and_without_manager_parts(kind):
    survey = campaign(kind)
    assert survey.participant_part == Part.SURVEY
    assert not survey.is_open_for(Part.SURVEY, OPENS - DAY)
    assert survey.is_open_for(Part.SURVEY, OPENS) and survey.is_open_for(Part.SURVEY, CLOSES)
    assert not survey.is_open_for(Part.SURVEY, CLOSES + DAY)
    for part in (Part.SELF, Part.MANAGER, Part.AGREED):
        assert not survey.is_open_for(part, OPENS)
    with translation.override("en"):
        assert "individual" in survey.closed_reason(Part.MANAGER, OPENS)


@pytest.mark.parametrize("part", list(Part))
def test_a_closed_campaign_is_closed_for_every_part_on_every_day(part):
    closed = campaign(status=Campaign.Status.CLOSED)
    for day in (OPENS - DAY, OPENS, CLOSES, CLOSES + DAY):
        assert not closed.is_open_for(part, day)


def test_reasons_tell_the_user_why():
    with translation.override("en"):
        assert "opens on" in campaign().closed_reason(Part.SELF, OPENS - DAY)
        assert "closed for answers" in campaign().closed_reason(Part.SELF, CLOSES + DAY)
        assert "closed" in campaign(status=Campaign.Status.CLOSED).closed_reason(Part.MANAGER, OPENS)


@pytest.mark.django_db
def test_the_query_form_agrees_with_the_method(world, aw):
    """`Campaign.open_q` selects exactly the campaigns `is_open_for` calls open, for every part, on
    the days around both dates, open and closed."""
    campaigns = [aw.campaign_a, aw.leader_a, aw.needs_a]
    opens, closes = aw.campaign_a.opens_on, aw.campaign_a.closes_on
    days = [opens - DAY, opens, closes, closes + DAY]
    for status in (Campaign.Status.OPEN, Campaign.Status.CLOSED):
        Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).update(status=status)
        for c in campaigns:
            c.refresh_from_db()
        for part in Part:
            for day in days:
                found = set(Campaign.objects.filter(Campaign.open_q(part, day)).values_list("pk", flat=True))
                assert found & {c.pk for c in campaigns} == {
                    c.pk for c in campaigns if c.is_open_for(part, day)
                }, (status, part, day)


@pytest.mark.django_db
def test_services_refuse_a_save_the_rule_calls_closed(world, aw):
    Campaign.objects.filter(pk=aw.campaign_a.pk).update(opens_on=timezone.localdate() + DAY)
    aw.assessment.campaign.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.assessment_save_self(assessment=aw.assessment, version=0, answers={}, actor="t")
    assert exc.value.messages == [aw.assessment.campaign.closed_reason(Part.SELF)]
    with pytest.raises(ValidationError):
        services.assessment_save_manager(assessment=aw.assessment, version=0, answers={}, actor="t")
    with pytest.raises(ValidationError, match="individual|individuel"):
        services.assessment_save_manager(
            assessment=aw.leader_a.assessments.get(), version=0, answers={}, actor="t"
        )


def answers(campaign, level=2):
    return {item.competence.pk: {"level": level} for item in selectors.campaign_competences(campaign)}


@pytest.mark.django_db
def test_next_manager_step_goes_manager_then_agreed_then_done(world, aw):
    manager = world.user("manager")
    assessment = aw.assessment
    assert assessment.next_manager_step == Part.MANAGER
    with pytest.raises(ValidationError):  # not the agreed level before the manager assessment
        services.assessment_save_manager(
            assessment=assessment, version=0, answers=answers(aw.campaign_a), step=Part.AGREED, actor=manager
        )
    assessment = services.assessment_save_manager(
        assessment=assessment, version=0, answers=answers(aw.campaign_a), submit=True, actor=manager
    )
    assert assessment.next_manager_step == Part.AGREED
    with pytest.raises(ValidationError):  # the manager assessment is not given twice
        services.assessment_save_manager(
            assessment=assessment, version=1, answers=answers(aw.campaign_a), actor=manager
        )
    assessment = services.assessment_save_manager(
        assessment=assessment,
        version=1,
        answers=answers(aw.campaign_a),
        step=Part.AGREED,
        submit=True,
        actor=manager,
    )
    assert assessment.next_manager_step is None
    assert assessment.status == Assessment.Status.AGREED
    for step in (Part.MANAGER, Part.AGREED):
        with pytest.raises(ValidationError):
            services.assessment_save_manager(
                assessment=assessment, version=2, answers=answers(aw.campaign_a), step=step, actor=manager
            )


@pytest.mark.django_db
def test_agreed_form_starts_empty_unless_the_manager_asks_for_their_levels(world, aw):
    """The agreed levels are not silently the manager's: the form starts empty, and starts from the
    manager's levels only when asked to."""
    assessment = services.assessment_save_manager(
        assessment=aw.assessment, version=0, answers=answers(aw.campaign_a, 3), submit=True, actor="t"
    )
    assert selectors.manager_form_values(assessment, assessment.next_manager_step) == {}
    values = selectors.manager_form_values(assessment, assessment.next_manager_step, start_from_manager=True)
    assert {v["level"] for v in values.values()} == {3}
    assert selectors.manager_form_values(assessment, None) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["employee", "manager", "hr", "coordinator", "admin", "platform_admin"])
def test_who_may_assess_as_manager_agrees_with_the_query(world, aw, persona):
    """`can_assess_as_manager` (one assessment in memory) and `managed_q` (a query) give the same
    people; nobody assesses themselves, and a survey has no manager assessment."""
    user = world.user(persona)
    every = Assessment.objects.select_related("campaign", "employee__unit")
    allowed = {a.pk for a in every if permissions.can_assess_as_manager(user, a)}
    by_query = set(
        every.filter(permissions.managed_q(user), campaign__kind=Campaign.Kind.INDIVIDUAL).values_list(
            "pk", flat=True
        )
    )
    assert allowed == by_query
    if persona == "manager":
        assert allowed == {aw.assessment.pk, aw.colleague_assessment.pk}
    else:
        assert allowed == set()
    for survey in (aw.leader_a, aw.needs_a):
        assert not any(permissions.can_assess_as_manager(user, a) for a in survey.assessments.all())


@pytest.mark.django_db
def test_the_part_decides_who_may_save_it(world, aw):
    employee, manager = world.user("employee"), world.user("manager")
    permissions.require_part(employee, aw.assessment, Part.SELF)
    permissions.require_part(manager, aw.assessment, Part.AGREED)
    with pytest.raises(PermissionDenied):
        permissions.require_part(manager, aw.assessment, Part.SELF)
    with pytest.raises(PermissionDenied):
        permissions.require_part(employee, aw.assessment, Part.MANAGER)
