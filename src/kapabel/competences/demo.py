"""Demo step: the demo municipality and its neighbour get the starter frameworks with profiles for
their job roles; two drafts are out for comments (one still open with a proposal awaiting HR's
decision, one closed with its proposals decided)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kapabel.competences import services, starter
from kapabel.competences.models import Framework, Importance, Profile, Status
from kapabel.core.demo import DemoContext
from kapabel.organisation.models import Employee, OrgUnit

SYSTEM = "demo"


def build_competences(ctx: DemoContext) -> None:
    municipality = ctx.data["municipality"]
    frameworks = starter.install(municipality=municipality, actor=SYSTEM, job_roles=ctx.data.get("job_roles"))
    ctx.data["frameworks"] = frameworks
    ctx.report.append(
        f"  {len(frameworks)} competence frameworks with profiles: " + ", ".join(f.name for f in frameworks)
    )
    neighbour = ctx.data.get("neighbour")
    if neighbour is not None:
        starter.install(municipality=neighbour, actor=SYSTEM, job_roles=ctx.data.get("neighbour_job_roles"))
    users = ctx.data.get("users", {})
    if {"hr", "leder", "medarbejder"} <= set(users):
        consultations = build_consultations(ctx, frameworks)
        ctx.report.append(f"  {consultations} høringer med kommentarer")


def _published_profile(framework: Framework, job_title: str) -> Profile:
    return Profile.objects.get(
        framework_version__framework=framework,
        job_role__title=job_title,
        status=Status.PUBLISHED,
    )


def build_consultations(ctx: DemoContext, frameworks: list[Framework]) -> int:
    """Consultations on two draft profiles, with comments by the personas and colleagues."""
    users = ctx.data["users"]
    hr, leader, employee = users["hr"], users["leder"], users["medarbejder"]
    by_identifier = {f.identifier: f for f in frameworks}
    jobcentre = next((f for key, f in by_identifier.items() if "jobcenter" in key.lower()), None)
    administrative = next((f for f in frameworks if f is not jobcentre), None)
    if jobcentre is None or administrative is None:
        return 0
    today = timezone.localdate()
    centre = ctx.data["centre"]

    # 1. A new version of the job consultants' profile, open for comments in the centre.
    current = _published_profile(jobcentre, "Jobkonsulent")
    draft = services.profile_create_version(profile=current, actor=hr)
    colleagues = list(
        Employee.objects.filter(unit__path__startswith=centre.path, job_role__title="Jobkonsulent")
        .exclude(pk__in=[employee.employee.pk, leader.employee.pk])
        .order_by("id")[:4]
    )
    open_consultation = services.consultation_open(
        actor=hr,
        participants=[leader.employee, employee.employee, *colleagues],
        profile=draft,
        message="Vi justerer profilen for jobkonsulenter efter den nye beskæftigelsesreform. "
        "Kommentér gerne, særligt hvis et målniveau ikke passer til jeres hverdag.",
        closes_on=today + datetime.timedelta(days=14),
    )
    targets = list(
        draft.targets.select_related("competence").order_by(
            "competence__depth", "competence__position", "competence_id"
        )
    )
    scale = draft.framework_version.scale
    top = max(scale.levels.values_list("value", flat=True)) if scale is not None else 1
    first = next((t for t in targets if t.target_level < top and t.competence.scale_id is None), targets[0])
    second = targets[-1]
    services.comment_add(
        consultation=open_consultation,
        author=employee,
        body="Virksomhedskontakten fylder mere og mere hos os. Jeg foreslår et højere målniveau.",
        competence=first.competence,
        proposed_target_level=min(top, first.target_level + 1),
    )
    services.comment_add(
        consultation=open_consultation,
        author=leader,
        body="Enig i retningen. Husk at vi skal have tid til opkvalificering, hvis niveauet hæves.",
    )
    services.comment_add(
        consultation=open_consultation,
        author=employee,
        body="Beskrivelsen af kompetencen er god, men eksemplerne er mest fra ydelsesområdet.",
        competence=second.competence,
    )

    # 2. A profile for the Ydelsescenter's administrative staff: commented, decided and closed.
    ydelse = OrgUnit.objects.filter(municipality=ctx.data["municipality"], name="Ydelsescenter").first()
    if ydelse is None:
        return 1
    base = _published_profile(administrative, "Administrativ medarbejder")
    unit_profile = services.profile_create(
        municipality=ctx.data["municipality"],
        framework_version=base.framework_version,
        name=f"{ydelse.name} – {administrative.name}",
        kind=Profile.Kind.UNIT,
        unit=ydelse,
        actor=hr,
        description="Fælles profil for de administrative medarbejdere i Ydelsescentret.",
    )
    services.profile_set_targets(
        profile=unit_profile,
        targets=[
            (t.competence, t.target_level, t.importance) for t in base.targets.select_related("competence")
        ],
        actor=hr,
    )
    closed = services.consultation_open(
        actor=hr,
        participants=[leader.employee, employee.employee, *colleagues[:2]],
        profile=unit_profile,
        message="Udkast til en fælles profil for Ydelsescentret.",
        closes_on=today + datetime.timedelta(days=7),
    )
    unit_targets = list(unit_profile.targets.select_related("competence").order_by("competence_id"))
    accepted = services.comment_add(
        consultation=closed,
        author=leader,
        body="Digital sagsbehandling er afgørende hos os; den bør være kritisk.",
        competence=unit_targets[0].competence,
        proposed_importance=Importance.ESSENTIAL,
    )
    rejected = services.comment_add(
        consultation=closed,
        author=employee,
        body="Kan målniveauet sænkes, indtil vi har fået det nye fagsystem?",
        competence=unit_targets[-1].competence,
        proposed_target_level=1,
    )
    services.comment_decide(comment=accepted, accept=True, actor=hr, note="Indarbejdet i profilen.")
    services.comment_decide(
        comment=rejected, accept=False, actor=hr, note="Vi fastholder niveauet og planlægger et kursus."
    )
    services.consultation_close(consultation=closed, actor=hr)
    return 2
