"""Campaign fixtures shared by the assessment tests, the access walk and the browser crawl."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from kapabel.assessments import services
from kapabel.assessments.models import Campaign
from kapabel.assessments.sample import build_framework

SYSTEM = "tests"


def build_assessment_world(world, *, competences: int = 6) -> SimpleNamespace:
    """Framework versions for A and B, an open individual campaign in each covering everyone, and a
    leader survey and a needs survey in A."""
    today = timezone.localdate()
    version_a = build_framework(municipality=world.a, competences=competences, name="Rammen A")
    version_b = build_framework(municipality=world.b, competences=competences, name="Rammen B")
    closes = today + datetime.timedelta(days=14)
    campaign_a = services.campaign_create(
        municipality=world.a,
        name="Afklaring Aby 2026",
        kind=Campaign.Kind.INDIVIDUAL,
        framework_version=version_a,
        opens_on=today,
        closes_on=closes,
        scope=services.Scope(units=[(world.a_root, True)]),
        actor=SYSTEM,
    )
    campaign_b = services.campaign_create(
        municipality=world.b,
        name="Afklaring Bby 2026",
        kind=Campaign.Kind.INDIVIDUAL,
        framework_version=version_b,
        opens_on=today,
        closes_on=closes,
        scope=services.Scope(units=[(world.b_root, True)]),
        actor=SYSTEM,
    )
    leader_a = services.campaign_create(
        municipality=world.a,
        name="Lederundersøgelse Aby",
        kind=Campaign.Kind.LEADER_SURVEY,
        framework_version=version_a,
        opens_on=today,
        closes_on=closes,
        scope=services.Scope(units=[(world.a_root, True)]),
        actor=SYSTEM,
    )
    needs_a = services.campaign_create(
        municipality=world.a,
        name="Behovsundersøgelse Aby",
        kind=Campaign.Kind.NEEDS_SURVEY,
        framework_version=version_a,
        opens_on=today,
        closes_on=closes,
        questions=["Hvad skal du blive bedre til for at løse kerneopgaven?"],
        scope=services.Scope(units=[(world.centre1, True)]),
        actor=SYSTEM,
    )
    assessments = {a.employee_id: a for a in campaign_a.assessments.all()}
    return SimpleNamespace(
        version_a=version_a,
        version_b=version_b,
        campaign_a=campaign_a,
        campaign_b=campaign_b,
        leader_a=leader_a,
        needs_a=needs_a,
        assessment=assessments[world.employee.pk],
        colleague_assessment=assessments[world.colleague.pk],
        outsider_assessment=assessments[world.outsider.pk],
        manager_assessment=assessments[world.manager_employee.pk],
        b_assessment=campaign_b.assessments.get(employee=world.b_employee),
    )
