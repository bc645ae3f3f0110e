"""The demo makes sense: job roles fit their units, the employee persona has a fitting profile with
targets and current levels, two jobcentre clarifications show a trend, consultations have comments,
and the neighbour municipality has the starter frameworks. Built once, checked fact by fact."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command

from kapabel.assessments.models import Campaign, CurrentLevel
from kapabel.competences import starter
from kapabel.competences.models import Comment, Consultation, Profile, Status
from kapabel.core.models import Municipality
from kapabel.gaps import selectors as gap_selectors
from kapabel.gaps.models import GapFact, GapTrendAggregate
from kapabel.organisation.demo import CENTRE_ROLES
from kapabel.organisation.models import Employee, OrgUnit


def _centre(unit: OrgUnit, by_pk: dict[int, OrgUnit]) -> OrgUnit:
    while unit.kind != OrgUnit.Kind.CENTER and unit.parent_id in by_pk:
        unit = by_pk[unit.parent_id]
    return unit


def test_the_demo_makes_sense(db, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", employees=120, seed=1)
    assert [m.subject for m in mailoutbox] == []  # the demo e-mails nobody
    demo = Municipality.objects.get(kommunekode="999")
    users = {u.username: u for u in get_user_model().objects.all()}

    # Job roles fit their units: every non-leader works in a centre that has their kind of job.
    by_pk = {u.pk: u for u in OrgUnit.objects.filter(municipality=demo)}
    people = Employee.objects.filter(municipality=demo).select_related("job_role", "unit")
    misfits = [
        (p.job_role.title, _centre(p.unit, by_pk).name)
        for p in people
        if p.job_role.title != "Leder"
        and p.job_role.title not in dict(CENTRE_ROLES[_centre(p.unit, by_pk).name])
    ]
    assert misfits == []
    placed = {(p.job_role.title, _centre(p.unit, by_pk).name) for p in people}
    assert ("Lærer", "Ydelsescenter") not in placed and ("Jobkonsulent", "Byggeri") not in placed
    assert ("Lærer", "Skoler") in placed and ("Jobkonsulent", "Jobcenter") in placed

    # The employee persona: a job consultant with a published jobcentre profile, targets in the gap
    # analysis and current levels from last year's agreed clarification.
    persona = users["medarbejder"].employee
    assert persona.job_role.title == "Jobkonsulent"
    profile = Profile.objects.get(job_role=persona.job_role, status=Status.PUBLISHED)
    assert profile.framework_version.framework.identifier == "kapabel-starter-jobcenter"
    targets = GapFact.objects.filter(employee=persona)
    assert targets.count() == profile.targets.count() > 0
    current = CurrentLevel.objects.filter(employee=persona, level__isnull=False)
    assert current.filter(framework_version=profile.framework_version).count() == profile.targets.count()
    assert targets.filter(level__isnull=False, gap__gt=0).exists()  # something to work on

    # Two jobcentre clarifications, last year's closed and this year's open; the trend compares them
    # by default and shows the gap closing.
    jobcentre = Campaign.objects.filter(
        municipality=demo, framework_version=profile.framework_version, kind=Campaign.Kind.INDIVIDUAL
    ).order_by("opens_on")
    assert [c.status for c in jobcentre] == [Campaign.Status.CLOSED, Campaign.Status.OPEN]
    assert jobcentre[0].closes_on < jobcentre[1].opens_on
    centre = OrgUnit.objects.get(municipality=demo, name="Center for Arbejdsmarked")
    choice = gap_selectors.trend_choice(users["hr"], centre)
    assert (choice.a, choice.b) == (jobcentre[0], jobcentre[1])
    root = OrgUnit.objects.get(municipality=demo, parent__isnull=True)
    rows = GapTrendAggregate.objects.filter(
        campaign_a=jobcentre[0], campaign_b=jobcentre[1], unit=root, people__gt=0
    )
    assert rows.exists()
    assert sum(r.gap_b_sum for r in rows) < sum(r.gap_a_sum for r in rows)
    # The persona's own clarification this year is left open for them to try.
    assert jobcentre[1].assessments.get(employee=persona).self_submitted_at is None
    # Nobody is rated on a framework without a profile for their job: the administrative campaign
    # asks the administrative roles only.
    admin = Campaign.objects.get(municipality=demo, name="Kompetenceafklaring 2026")
    titles = set(admin.assessments.values_list("employee__job_role__title", flat=True))
    assert titles and not titles & {"Pædagog", "Lærer", "Social- og sundhedsassistent", "Jobkonsulent"}

    # Consultations with comments: one open with a proposal awaiting a decision, one closed with
    # its proposals decided.
    consultations = Consultation.objects.filter(municipality=demo)
    assert consultations.count() == 2
    comments = Comment.objects.filter(consultation__municipality=demo)
    assert comments.count() >= 5
    assert {c.author.username for c in comments} == {"medarbejder", "leder"}
    decisions = set(comments.values_list("decision", flat=True))
    assert {Comment.Decision.PENDING, Comment.Decision.ACCEPTED, Comment.Decision.REJECTED} <= decisions
    assert {c.is_open for c in consultations} == {True, False}

    # The neighbour has the starter frameworks, with profiles for its job roles.
    neighbour = Municipality.objects.get(kommunekode="998")
    assert starter.installed(neighbour.pk) == set(starter.STARTERS)
    assert Profile.objects.filter(municipality=neighbour, status=Status.PUBLISHED).exists()
    assert users["nabo-admin"].role_assignments.filter(municipality=neighbour).exists()
