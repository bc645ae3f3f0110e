"""Demo step (after the organisation at 10 and the frameworks at 20): clarification campaigns with
self, manager and agreed ratings, plus a needs survey. Each framework is rated by the people it fits:
the administrative framework by the administrative job roles across the municipality, the jobcentre
framework by the jobcentre units, twice (last year's campaign, closed, and this year's, open), so the
trend shows change and the employee persona has current levels and an open clarification to try.
Everything through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kapabel.assessments import selectors, services
from kapabel.assessments.models import Assessment, Campaign, Source
from kapabel.assessments.sample import build_framework
from kapabel.assessments.selectors import CompetenceItem
from kapabel.competences.models import FrameworkVersion, Profile, Status
from kapabel.core.demo import DemoContext

SYSTEM = "demo"


# Each answer is a real form submission through the services (about 30 ms with its ratings), so a
# large demo answers for a sample only: `kapabel demo --employees 50000` must stay under a minute.
DEMO_MAX_ANSWERED = 220
JOBCENTRE_UNITS = ("Jobcenter", "Center for Arbejdsmarked", "Ydelsescenter")


def _versions(municipality_id: int) -> tuple[FrameworkVersion | None, FrameworkVersion | None]:
    """(administrative, jobcentre) published versions of the starter frameworks, when installed."""
    admin = jobcentre = None
    for version in selectors.framework_versions_for_municipality(municipality_id):
        identifier = version.framework.identifier or ""
        if identifier.endswith("jobcenter") and jobcentre is None:
            jobcentre = version
        elif identifier.endswith("administrative-medarbejder") and admin is None:
            admin = version
    return admin, jobcentre


def _profiled_roles(version: FrameworkVersion) -> list:
    return [
        p.job_role
        for p in Profile.objects.filter(
            framework_version=version, status=Status.PUBLISHED, job_role__isnull=False
        ).select_related("job_role")
    ]


Levels = dict[int, int]


def _rate(ctx: DemoContext, assessment: Assessment, items: list[CompetenceItem], base: Levels) -> bool:
    """Self, usually manager, often agreed ratings around `base` (competence -> level); True when
    the agreed levels were registered."""
    rng = ctx.rng

    def answers(shift: int) -> dict:
        out = {}
        for item in items:
            top = max(1, len(item.levels))
            level = min(top, max(1, base[item.competence.pk] + shift * rng.choice([-1, 0, 0, 1])))
            out[item.competence.pk] = {"level": "unknown" if rng.random() < 0.03 else level, "comment": ""}
        return out

    services.assessment_save_self(
        assessment=assessment, version=0, answers=answers(1), submit=True, actor=SYSTEM
    )
    if rng.random() < 0.7:
        services.assessment_save_manager(
            assessment=assessment, version=0, answers=answers(1), submit=True, actor=SYSTEM
        )
        if rng.random() < 0.6:
            services.assessment_save_manager(
                assessment=assessment,
                version=1,
                answers=answers(0),
                step=Source.AGREED,
                submit=True,
                actor=SYSTEM,
            )
            return True
    return False


def _base(ctx: DemoContext, items: list[CompetenceItem], low: bool = False) -> Levels:
    rng = ctx.rng
    return {
        item.competence.pk: rng.randint(1, max(1, (len(item.levels) + 1) // 2 if low else len(item.levels)))
        for item in items
    }


def build_campaigns(ctx: DemoContext) -> None:
    municipality = ctx.data.get("municipality")
    if municipality is None:
        return
    root = min(ctx.data["units"], key=lambda u: u.depth) if ctx.data.get("units") else None
    if root is None:
        return
    admin, jobcentre = _versions(municipality.pk)
    if admin is None:  # no frameworks step ran: make a small one so the demo has something to show
        admin = selectors.framework_versions_for_municipality(municipality.pk).first() or build_framework(
            municipality=municipality, competences=14
        )
    today = timezone.localdate()
    users = ctx.data.get("users", {})
    demo_people = {u.employee.pk for u in users.values() if hasattr(u, "employee")}
    persona = getattr(users.get("medarbejder"), "employee", None)
    answered = 0

    # Last year's clarification in the jobcentre units: closed, the persona's agreed levels in it.
    units = [u for u in ctx.data["units"] if u.name in JOBCENTRE_UNITS] if jobcentre is not None else []
    earlier: dict[int, Levels] = {}
    if jobcentre is not None and units:
        last_year = services.campaign_create(
            municipality=municipality,
            name="Kompetenceafklaring Jobcenter 2025",
            kind=Campaign.Kind.INDIVIDUAL,
            description="Afklaring af jobcentrets faglige kompetencer.",
            framework_version=jobcentre,
            opens_on=today - datetime.timedelta(days=380),
            closes_on=today,
            scope=services.Scope(units=[(u, True) for u in units]),
            actor=SYSTEM,
        )
        items = selectors.campaign_competences(last_year)
        for assessment in last_year.assessments.order_by("pk"):
            is_persona = persona is not None and assessment.employee_id == persona.pk
            if not is_persona and (assessment.employee_id in demo_people or ctx.rng.random() > 0.85):
                continue
            base = _base(ctx, items, low=True)
            if is_persona:
                # The persona's conversation ended with agreed levels, below target on some.
                base = {pk: 1 + (i % 2) for i, pk in enumerate(sorted(base))}
                services.assessment_save_self(
                    assessment=assessment,
                    version=0,
                    answers=_answers(items, base, 1),
                    submit=True,
                    actor=SYSTEM,
                )
                services.assessment_save_manager(
                    assessment=assessment,
                    version=0,
                    answers=_answers(items, base, 0),
                    submit=True,
                    actor=SYSTEM,
                )
                services.assessment_save_manager(
                    assessment=assessment,
                    version=1,
                    answers=_answers(items, base, 0),
                    step=Source.AGREED,
                    submit=True,
                    actor=SYSTEM,
                )
            else:
                _rate(ctx, assessment, items, base)
            earlier[assessment.employee_id] = base
            answered += 1
        services.campaign_close(campaign=last_year, actor=SYSTEM)
        # Closed last year (the services only create campaigns that close in the future).
        Campaign.objects.filter(pk=last_year.pk).update(closes_on=today - datetime.timedelta(days=320))

    campaign = services.campaign_create(
        municipality=municipality,
        name="Kompetenceafklaring 2026",
        kind=Campaign.Kind.INDIVIDUAL,
        description="Afklaring af administrative kompetencer før næste uddannelsesforløb.",
        framework_version=admin,
        opens_on=today - datetime.timedelta(days=21),
        closes_on=today + datetime.timedelta(days=21),
        scope=services.Scope(job_roles=_profiled_roles(admin))
        if _profiled_roles(admin)
        else services.Scope(units=[(root, True)]),
        actor=SYSTEM,
    )
    services.campaign_create(
        municipality=municipality,
        name="Behovsundersøgelse 2026",
        kind=Campaign.Kind.NEEDS_SURVEY,
        framework_version=admin,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        questions=[
            "Hvad skal du blive bedre til for at løse kerneopgaven?",
            "Hvilke opgaver fylder mest i din hverdag?",
        ],
        scope=services.Scope(units=[(root, True)]),
        actor=SYSTEM,
    )
    items = selectors.campaign_competences(campaign)
    assessments = list(campaign.assessments.order_by("pk"))
    # Leave the demo logins' own clarification open so they can try the form.
    rated = [a for a in assessments if a.employee_id not in demo_people and ctx.rng.random() < 0.6]
    rated = rated[: max(0, DEMO_MAX_ANSWERED - 2 * answered)]
    for assessment in rated:
        _rate(ctx, assessment, items, _base(ctx, items))
    ctx.report.append(
        f"  Kompetenceafklaring: {len(assessments)} deltagere, {len(rated)} har svaret, "
        f"{len(items)} kompetencer"
    )

    # This year's clarification in the jobcentre units: most of last year's have answered again and
    # moved up a level here and there; the persona's own is open for them to try.
    if jobcentre is not None and units:
        this_year = services.campaign_create(
            municipality=municipality,
            name="Kompetenceafklaring Jobcenter 2026",
            kind=Campaign.Kind.INDIVIDUAL,
            description="Opfølgning på sidste års afklaring: hvor er vi nu?",
            framework_version=jobcentre,
            opens_on=today - datetime.timedelta(days=14),
            closes_on=today + datetime.timedelta(days=28),
            scope=services.Scope(units=[(u, True) for u in units]),
            actor=SYSTEM,
        )
        items = selectors.campaign_competences(this_year)
        again = 0
        for assessment in this_year.assessments.order_by("pk"):
            before = earlier.get(assessment.employee_id)
            if before is None or assessment.employee_id in demo_people or ctx.rng.random() > 0.8:
                continue
            grown = {
                item.competence.pk: min(
                    max(1, len(item.levels)), before.get(item.competence.pk, 1) + ctx.rng.choice([0, 1, 1])
                )
                for item in items
            }
            _rate(ctx, assessment, items, grown)
            again += 1
        ctx.report.append(
            f"  Kompetenceafklaring Jobcenter: {len(earlier)} svar i 2025, {again} i 2026, "
            f"{len(items)} kompetencer"
        )


def _answers(items: list[CompetenceItem], base: Levels, shift: int) -> dict:
    return {
        item.competence.pk: {
            "level": min(max(1, len(item.levels)), max(1, base[item.competence.pk] + shift)),
            "comment": "",
        }
        for item in items
    }
