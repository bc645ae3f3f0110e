"""The start pages, the participant list, the review page, "Mine kompetencer" and the survey results
in Chromium, at 1280 px and at 390 px: no WCAG 2.1 A/AA violation (axe-core) and no horizontal
scrolling of the page (WCAG 1.4.10; a wide table may scroll inside its own box)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from axe_playwright_python.sync_playwright import Axe

from kapabel.assessments import selectors, services
from kapabel.assessments.models import Assessment, Campaign
from kapabel.organisation import services as org_services
from tests.conftest import PASSWORD, make_employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
WIDTHS = (1280, 390)
axe = Axe()


@pytest.fixture
def surveys(world):
    """A needs survey and a leader survey with enough answers to show results."""
    version = Campaign.objects.get(name="Afklaring Aby 2026").framework_version
    for i in range(4):
        make_employee(world.a, world.team1, f"N{i}", f"Nina Nummer {i}", world.role_a)
    for i, unit in enumerate([world.forvaltning1, world.team1, world.team2, world.forvaltning2, world.team3]):
        leader = make_employee(world.a, world.forvaltning1, f"L{i}", f"Leder {i}")
        org_services.orgunit_set_managers(unit=unit, managers=[leader], actor="tests")
    created = {}
    for kind, questions in (
        (Campaign.Kind.NEEDS_SURVEY, ["Hvad vil du blive bedre til?"]),
        (Campaign.Kind.LEADER_SURVEY, []),
    ):
        existing = Campaign.objects.get(name="Afklaring Aby 2026")
        created[kind] = campaign = services.campaign_create(
            municipality=world.a,
            name=f"Resultater {kind}",
            kind=kind,
            framework_version=version,
            opens_on=existing.opens_on,
            closes_on=existing.closes_on,
            questions=questions,
            scope=services.Scope(units=[(world.a_root, True)]),
            actor="tests",
        )
        items = selectors.campaign_competences(campaign)
        for assessment in campaign.assessments.order_by("pk"):
            if kind == Campaign.Kind.NEEDS_SURVEY:
                kwargs = {
                    "needs_answers": ["Borgerkommunikation og et langt svar om hverdagen"],
                    "wishes": [items[0].competence.pk],
                }
            else:
                kwargs = {
                    "answers": {
                        i.competence.pk: {
                            "level": 2,
                            "importance_now": "important",
                            "importance_future": "essential",
                            "comment": "Vigtigt",
                        }
                        for i in items
                    }
                }
            services.assessment_save_self(
                assessment=assessment, version=0, submit=True, actor="tests", **kwargs
            )
    return created


def log_in(page, base: str, username: str) -> None:
    page.goto(urljoin(base, "/account/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(urljoin(base, "/"))


def check(page, base: str, path: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(urljoin(base, path))
        assert response is not None and response.status == 200, (
            f"{path} answered {response and response.status}"
        )
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{path} at {width} px: the page scrolls sideways by {overflow} px")
        for violation in axe.run(page, options=WCAG_21_AA).response["violations"]:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
            problems.append(f"{path} at {width} px: {violation['id']} ({violation['help']}) at {targets}")
    return problems


def test_hr_pages(world, surveys, live_server, page):
    campaign = Campaign.objects.get(name="Afklaring Aby 2026")
    log_in(page, live_server.url, world.user("admin").username)
    problems = []
    for path in [
        "/",
        f"/clarification/campaigns/{campaign.pk}/",
        f"/clarification/campaigns/{campaign.pk}/participants/",
        f"/clarification/campaigns/{campaign.pk}/participants/?status=unanswered",
        f"/gaps/surveys/{surveys[Campaign.Kind.NEEDS_SURVEY].pk}/",
        f"/gaps/surveys/{surveys[Campaign.Kind.LEADER_SURVEY].pk}/",
        # Team Beta has one respondent: the page explains why the results are hidden.
        f"/gaps/surveys/{surveys[Campaign.Kind.NEEDS_SURVEY].pk}/?unit={world.team2.pk}",
        f"/gaps/units/{world.a_root.pk}/priorities/",
    ]:
        problems += check(page, live_server.url, path)
    assert not problems, "\n".join(problems)


def test_manager_pages(world, live_server, page):
    submitted = Assessment.objects.get(campaign__name="Afklaring Aby 2026", employee=world.colleague)
    log_in(page, live_server.url, world.user("manager").username)
    problems = check(page, live_server.url, "/")
    problems += check(page, live_server.url, f"/clarification/answers/{submitted.pk}/review/")
    assert not problems, "\n".join(problems)


def test_employee_pages(world, live_server, page):
    own = Assessment.objects.get(campaign__name="Afklaring Aby 2026", employee=world.employee)
    answers = {
        i.competence.pk: {"level": 3, "comment": ""} for i in selectors.campaign_competences(own.campaign)
    }
    services.assessment_save_self(assessment=own, version=0, answers=answers, submit=True, actor="tests")
    log_in(page, live_server.url, world.user("employee").username)
    problems = []
    for path in ["/", "/clarification/mine/", "/clarification/mine/history/"]:
        problems += check(page, live_server.url, path)
    assert not problems, "\n".join(problems)
