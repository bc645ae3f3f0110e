"""The start page per role (issue 11, item 4): what needs doing and what changed, from the sections
the apps register in `kapabel.core.home`; scoped by the access layer, within a query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kapabel.assessments import selectors as assessment_selectors
from kapabel.assessments import services
from kapabel.competences import services as competence_services
from kapabel.competences.models import Profile, Status
from kapabel.core import home
from kapabel.organisation.models import HRImport
from tests.assessments.factories import build_assessment_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def aw(world, gaps):
    return build_assessment_world(world)


def submit(assessment, campaign, actor="tests"):
    answers = {
        i.competence.pk: {"level": 2, "comment": ""}
        for i in assessment_selectors.campaign_competences(campaign)
    }
    services.assessment_save_self(assessment=assessment, version=0, answers=answers, submit=True, actor=actor)


def section(body: str, heading_id: str) -> str:
    """The HTML of one start-page section, by its heading's id."""
    start = body.index(f'id="{heading_id}"')
    return body[start : body.index("</section>", start)]


def test_every_app_registers_its_sections():
    names = {s.name for s in home._SECTIONS}
    assert {
        "organisation.tasks",
        "organisation.me",
        "organisation.team",
        "organisation.imports",
        "organisation.overview",
        "assessments.awaiting",
        "assessments.campaigns",
        "competences.consultations",
        "gaps.my_profile",
        "gaps.team",
        "gaps.biggest",
    } <= names


def test_hr_sees_campaigns_with_completion_gaps_imports_and_decisions(
    world, gaps, aw, login, django_assert_max_num_queries
):
    submit(aw.assessment, aw.campaign_a)
    profile = Profile.objects.create(
        municipality=world.a,
        framework_version=aw.version_a,
        kind=Profile.Kind.NAMED,
        name="Fremtidens sagsbehandler",
        status=Status.DRAFT,
    )
    competence = assessment_selectors.campaign_competences(aw.campaign_a)[0].competence
    consultation = competence_services.consultation_open(
        actor=world.user("admin"), participants=[world.employee], profile=profile
    )
    competence_services.comment_add(
        consultation=consultation,
        author=world.user("employee"),
        body="Målet bør være højere",
        competence=competence,
        proposed_target_level=3,
    )
    HRImport.objects.create(
        municipality=world.a,
        actor_label="hr",
        format="kapabel",
        source="web",
        status=HRImport.Status.SUCCEEDED,
        counts={"changes": 12},
    )
    for n in range(4):  # more campaigns cost no more queries
        services.campaign_create(
            municipality=world.a,
            name=f"Ekstra {n}",
            kind="individual",
            framework_version=aw.version_a,
            opens_on=aw.campaign_a.opens_on,
            closes_on=aw.campaign_a.closes_on,
            scope=services.Scope(units=[(world.team1, True)]),
            actor="tests",
        )
    client = login(world.user("admin"))
    with django_assert_max_num_queries(30):
        body = client.get("/").content.decode()
    campaigns = section(body, "home-campaigns")
    assert "Afklaring Aby 2026" in campaigns and "1 af 4 har svaret (25 %)" in campaigns
    assert "1 nyt svar de seneste 7 dage" in campaigns
    assert "Afklaring Bby 2026" not in campaigns  # another municipality's campaign
    assert "Kommunikation med borgere" in section(body, "home-biggest-gaps")
    decisions = section(body, "home-consultations")
    assert "Fremtidens sagsbehandler" in decisions and "1 forslag venter på din beslutning" in decisions
    assert "12 ændringer" in section(body, "home-imports")
    assert 'id="home-awaiting"' not in body and 'id="my-tasks"' not in body


def test_hr_with_a_subtree_counts_only_their_people(world, gaps, aw, login):
    body = login(world.user("hr")).get("/").content.decode()
    assert "0 af 3 har svaret" in section(body, "home-campaigns")  # Forvaltning 1: not Team Gamma
    assert 'id="home-imports"' not in body  # HR granted a subtree does not import


def test_manager_sees_people_awaiting_them_and_team_gaps(
    world, gaps, aw, login, django_assert_max_num_queries
):
    submit(aw.assessment, aw.campaign_a)
    client = login(world.user("manager"))
    with django_assert_max_num_queries(28):
        body = client.get("/").content.decode()
    awaiting = section(body, "home-awaiting")
    review = reverse("assessments:assessment_review", kwargs={"assessment_pk": aw.assessment.pk})
    assert review in awaiting and "Har svaret; venter på din vurdering" in awaiting
    assert "Carl Colleague" in awaiting and "Har ikke svaret endnu" in awaiting
    assert "Mette Manager" not in awaiting and "Oskar Outsider" not in awaiting
    assert "Center Et" in section(body, "home-team-gaps")
    assert 'id="home-campaigns"' not in body


def test_employee_sees_open_tasks_and_their_own_profile(
    world, gaps, aw, login, django_assert_max_num_queries
):
    client = login(world.user("employee"))
    with django_assert_max_num_queries(15):
        body = client.get("/").content.decode()
    tasks = section(body, "my-tasks")
    assert reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk}) in tasks
    profile = section(body, "home-my-profile")
    assert "mål nået" in profile and "under mål" in profile
    assert "Sagsbehandler Aby" in section(body, "my-details")
    for other in ("home-awaiting", "home-campaigns", "home-biggest-gaps", "home-team-gaps", "home-imports"):
        assert f'id="{other}"' not in body
    submit(aw.assessment, aw.campaign_a, actor=world.user("employee"))
    assert "Afklaring Aby 2026" not in section(client.get("/").content.decode(), "my-tasks")


def test_a_consultation_participant_gets_a_task_until_they_comment(world, gaps, aw, login):
    profile = Profile.objects.create(
        municipality=world.a,
        framework_version=aw.version_a,
        kind=Profile.Kind.NAMED,
        name="Idealet",
        status="draft",
    )
    consultation = competence_services.consultation_open(
        actor=world.user("admin"), participants=[world.employee], profile=profile
    )
    client = login(world.user("employee"))
    assert "Kommentér udkastet “Idealet v1”" in section(client.get("/").content.decode(), "my-tasks")
    competence_services.comment_add(consultation=consultation, author=world.user("employee"), body="Fint")
    assert "Idealet" not in section(client.get("/").content.decode(), "my-tasks")


def test_another_municipality_sees_only_its_own(world, gaps, aw, login):
    body = login(world.user("other_municipality_admin")).get("/").content.decode()
    campaigns = section(body, "home-campaigns")
    assert "Afklaring Bby 2026" in campaigns and "Afklaring Aby 2026" not in campaigns
    assert "Emma Employee" not in body and "Center Et" not in body
