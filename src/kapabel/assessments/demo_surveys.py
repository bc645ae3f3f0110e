"""Demo step (after the campaigns at 30): answers to the needs survey and a leader survey with the
leaders' answers, so the survey results and the leader-weighted priorities have something to show.
Everything through the services, like the other steps."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kapabel.assessments import selectors, services
from kapabel.assessments.models import Campaign
from kapabel.core.demo import DemoContext

SYSTEM = "demo"
DEMO_MAX_NEEDS = 100
DEMO_MAX_LEADERS = 60

NEEDS_ANSWERS = [
    [
        "At bruge de digitale fagsystemer, så jeg ikke skal spørge kollegerne hver gang.",
        "Skriftlig kommunikation med borgerne i et klart sprog.",
        "Overblik over de nye regler på området.",
        "Planlægning af egne opgaver, når der er travlt.",
        "Samarbejdet med de andre afdelinger om de samme borgere.",
        "Budgetopfølgning og økonomistyring i enheden.",
        "At lede møder og projekter på tværs.",
    ],
    [
        "Sagsbehandling og telefonbetjening.",
        "Dokumentation i fagsystemet.",
        "Koordinering med eksterne samarbejdspartnere.",
        "Indkøb, fakturaer og bogføring.",
        "Mødeplanlægning og referater.",
        "Vejledning af borgere ved skranken.",
    ],
]


def build_surveys(ctx: DemoContext) -> None:
    municipality = ctx.data.get("municipality")
    if municipality is None:
        return
    rng = ctx.rng
    demo_people = {u.employee.pk for u in ctx.data.get("users", {}).values() if hasattr(u, "employee")}
    needs = Campaign.objects.filter(municipality=municipality, kind=Campaign.Kind.NEEDS_SURVEY).first()
    answered = 0
    if needs is not None:
        items = selectors.campaign_competences(needs)
        favourites = [item.competence.pk for item in items[: max(1, len(items) // 3)]]
        for assessment in needs.assessments.order_by("pk"):
            if answered >= DEMO_MAX_NEEDS or assessment.employee_id in demo_people or rng.random() > 0.45:
                continue
            wishes = {rng.choice(favourites)} | {
                rng.choice(items).competence.pk for _ in range(rng.randint(0, 2))
            }
            texts = [
                rng.choice(NEEDS_ANSWERS[i % len(NEEDS_ANSWERS)]) if rng.random() < 0.7 else ""
                for i in range(len(needs.questions))
            ]
            services.assessment_save_self(
                assessment=assessment,
                version=0,
                needs_answers=texts,
                wishes=sorted(wishes),
                submit=True,
                actor=SYSTEM,
            )
            answered += 1
    leaders = 0
    source = Campaign.objects.filter(municipality=municipality, kind=Campaign.Kind.INDIVIDUAL).first()
    root = min(ctx.data["units"], key=lambda u: u.depth) if ctx.data.get("units") else None
    if source is not None and root is not None:
        today = timezone.localdate()
        survey = services.campaign_create(
            municipality=municipality,
            name="Lederundersøgelse 2026",
            kind=Campaign.Kind.LEADER_SURVEY,
            description="Hvor vigtige er kompetencerne i din enhed i dag og om tre år?",
            framework_version=source.framework_version,
            opens_on=today - datetime.timedelta(days=10),
            closes_on=today + datetime.timedelta(days=10),
            scope=services.Scope(units=[(root, True)]),
            actor=SYSTEM,
        )
        items = selectors.campaign_competences(survey)
        # The digital competences matter more in three years than now; the rest about as much.
        rising = {item.competence.pk for item in items if "igital" in item.competence.name}
        for assessment in survey.assessments.order_by("pk"):
            if leaders >= DEMO_MAX_LEADERS or assessment.employee_id in demo_people or rng.random() > 0.85:
                continue
            answers = {}
            for item in items:
                top = max(1, len(item.levels))
                now = rng.choice(["essential", "important", "important", "nice_to_have"])
                future = "essential" if item.competence.pk in rising else rng.choice([now, now, "important"])
                answers[item.competence.pk] = {
                    "level": rng.randint(1, top),
                    "importance_now": now,
                    "importance_future": future,
                    "comment": "",
                }
            services.assessment_save_self(
                assessment=assessment, version=0, answers=answers, submit=True, actor=SYSTEM
            )
            leaders += 1
    ctx.report.append(f"  Undersøgelser: {answered} svar på behovsundersøgelsen, {leaders} ledere har svaret")
