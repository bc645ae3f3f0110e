"""Demo step (after the organisation at 10 and the frameworks at 20): an individual clarification
campaign on the first published framework version of the demo municipality, with self, manager and
agreed ratings for part of the staff, plus a needs survey. Everything through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kapabel.assessments import selectors, services
from kapabel.assessments.models import Campaign, Source
from kapabel.assessments.sample import build_framework
from kapabel.core.demo import DemoContext

SYSTEM = "demo"


DEMO_MAX_ANSWERED = 250


def build_campaigns(ctx: DemoContext) -> None:
    municipality = ctx.data.get("municipality")
    if municipality is None:
        return
    version = selectors.framework_versions_for_municipality(municipality.pk).first()
    if version is None:  # no frameworks step ran: make a small one so the demo has something to show
        version = build_framework(municipality=municipality, competences=14)
    root = min(ctx.data["units"], key=lambda u: u.depth) if ctx.data.get("units") else None
    if root is None:
        return
    today = timezone.localdate()
    campaign = services.campaign_create(
        municipality=municipality,
        name="Kompetenceafklaring 2026",
        kind=Campaign.Kind.INDIVIDUAL,
        description="Afklaring af administrative kompetencer før næste uddannelsesforløb.",
        framework_version=version,
        opens_on=today - datetime.timedelta(days=14),
        closes_on=today + datetime.timedelta(days=21),
        scope=services.Scope(units=[(root, True)]),
        actor=SYSTEM,
    )
    services.campaign_create(
        municipality=municipality,
        name="Behovsundersøgelse 2026",
        kind=Campaign.Kind.NEEDS_SURVEY,
        framework_version=version,
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
    rng = ctx.rng
    assessments = list(campaign.assessments.select_related("employee").order_by("pk"))
    # Leave the demo logins' own clarification open so they can try the form.
    demo_people = {u.employee.pk for u in ctx.data.get("users", {}).values() if hasattr(u, "employee")}
    rated = [a for a in assessments if a.employee_id not in demo_people and rng.random() < 0.6]
    # Each answer is a real form submission through the services (about 30 ms with its ratings), so
    # a large demo answers for a sample only: `kapabel demo --employees 50000` must stay under a minute.
    rated = rated[:DEMO_MAX_ANSWERED]
    for assessment in rated:
        base = {item.competence.pk: rng.randint(1, max(1, len(item.levels))) for item in items}

        def answers(shift: int, base=base) -> dict:
            out = {}
            for item in items:
                top = max(1, len(item.levels))
                level = min(top, max(1, base[item.competence.pk] + shift * rng.choice([-1, 0, 0, 1])))
                out[item.competence.pk] = {
                    "level": "unknown" if rng.random() < 0.03 else level,
                    "comment": "",
                }
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
    ctx.report.append(
        f"  Kompetenceafklaring: {len(assessments)} deltagere, {len(rated)} har svaret, "
        f"{len(items)} kompetencer"
    )
