"""Survey results (issue 11, item 5): needs-survey wishes and answers and leader-survey ratings per
campaign and unit, small groups suppressed for every reader (also by differencing), the XLSX export,
and the leader survey's importance now and in three years weighing in the priorities."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kapabel.assessments import selectors as assessment_selectors
from kapabel.assessments import services
from kapabel.assessments.models import Campaign
from kapabel.gaps import selectors
from kapabel.gaps.selectors import surveys
from kapabel.gaps.selectors.leaders import leader_importance
from kapabel.gaps.services import gap_settings_update
from kapabel.organisation import services as org_services
from tests.assessments.factories import build_assessment_world
from tests.conftest import make_employee

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def aw(world):
    return build_assessment_world(world)


def campaign(world, version, kind, *, units=None, questions=()):
    return services.campaign_create(
        municipality=world.a,
        name=f"Undersøgelse {kind}",
        kind=kind,
        framework_version=version,
        opens_on=TODAY,
        closes_on=TODAY + datetime.timedelta(days=10),
        questions=list(questions),
        scope=services.Scope(units=units or [(world.a_root, True)]),
        actor="tests",
    )


@pytest.fixture
def needs(world, aw):
    """Centre 1 grows to seven people who all answer a needs survey: five in Team Alfa, one in Team
    Beta, the manager placed directly in Centre 1."""
    for i in range(4):
        make_employee(world.a, world.team1, f"N{i}", f"Nina Nummer {i}", world.role_a)
    survey = campaign(
        world,
        aw.version_a,
        Campaign.Kind.NEEDS_SURVEY,
        units=[(world.centre1, True)],
        questions=["Hvad vil du blive bedre til?"],
    )
    items = assessment_selectors.campaign_competences(survey)
    for i, assessment in enumerate(survey.assessments.order_by("pk")):
        services.assessment_save_self(
            assessment=assessment,
            version=0,
            needs_answers=["Borgerkommunikation" if i % 2 else f"Svar nummer {i}"],
            wishes=[items[0].competence.pk] + ([items[1].competence.pk] if i < 2 else []),
            submit=True,
            actor="tests",
        )
    return survey


def results_url(survey, **query):
    url = reverse("gaps:survey_results", kwargs={"campaign_pk": survey.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_needs_results_show_wishes_and_answers_without_names(
    world, aw, needs, login, django_assert_max_num_queries
):
    client = login(world.user("admin"))
    with django_assert_max_num_queries(16):
        body = client.get(results_url(needs)).content.decode()
    items = assessment_selectors.campaign_competences(needs)
    assert "7 af 7 deltagere har svaret" in body
    assert items[0].competence.name in body
    assert "100 %" in body and "29 %" in body  # 7 of 7 and 2 of 7 wish to develop the two competences
    assert "Borgerkommunikation" in body and "givet af 3 besvarelser" in body  # one answer, three people
    assert "Emma Employee" not in body and "Nina Nummer" not in body


def test_small_groups_are_hidden_from_every_reader_also_by_subtraction(world, aw, needs, login):
    client = login(world.user("admin"))  # may read everyone, and still sees no small group
    centre = client.get(results_url(needs, unit=world.centre1.pk)).content.decode()
    assert "Borgerkommunikation" in centre
    beta = client.get(results_url(needs, unit=world.team2.pk)).content.decode()
    assert "Resultaterne er skjult" in beta and "Borgerkommunikation" not in beta  # one respondent
    # Team Alfa has five, but Centre 1 minus Team Alfa would leave two: hidden by differencing.
    alfa = client.get(results_url(needs, unit=world.team1.pk)).content.decode()
    assert "Resultaterne er skjult" in alfa and "Borgerkommunikation" not in alfa
    data = surveys.survey_results(world.user("admin"), needs)
    hidden = {c.unit.pk for c in data.units if c.suppressed}
    assert hidden == {world.team1.pk, world.team2.pk}
    # The export of a hidden group is not given either.
    refused = client.get(results_url(needs, unit=world.team1.pk, export="xlsx"))
    assert refused["Content-Type"].startswith("text/html")


def test_needs_export_has_the_same_figures(world, aw, needs, login):
    response = login(world.user("admin")).get(results_url(needs, export="xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    wishes = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert wishes[1][2] == 7 and wishes[1][3] == 1
    answers = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert ("Hvad vil du blive bedre til?", "Borgerkommunikation", 3) in answers


def test_results_follow_the_access_layer(world, aw, needs, login):
    assert login(world.user("employee")).get(results_url(needs)).status_code == 403
    assert login(world.user("other_municipality_admin")).get(results_url(needs)).status_code == 404
    admin = login(world.user("admin"))
    assert admin.get(results_url(needs, unit=world.b_team.pk)).status_code == 404
    individual = reverse("gaps:survey_results", kwargs={"campaign_pk": aw.campaign_a.pk})
    assert admin.get(individual).status_code == 404
    # HR of Forvaltning 1 counts the participants they may see; the manager only Centre 1's.
    body = login(world.user("manager")).get(results_url(needs)).content.decode()
    assert "7 af 7 deltagere har svaret" in body


# --- Leader survey ----------------------------------------------------------------------------------


def leaders(world, count: int):
    """`count` more leaders, each leading one unit (besides Centre 1's manager)."""
    units = [world.forvaltning1, world.team1, world.team2, world.forvaltning2, world.team3, world.a_root]
    people = []
    for i, unit in enumerate(units[:count]):
        person = make_employee(world.a, world.forvaltning1, f"L{i}", f"Leder {i}")
        org_services.orgunit_set_managers(unit=unit, managers=[person], actor="tests")
        people.append(person)
    return people


def answer_leader_survey(survey, importance: dict[int, tuple[str, str]], level: int = 2) -> None:
    for assessment in survey.assessments.order_by("pk"):
        answers = {
            item.competence.pk: {
                "level": level,
                "importance_now": importance.get(item.competence.pk, ("important", "important"))[0],
                "importance_future": importance.get(item.competence.pk, ("important", "important"))[1],
                "comment": "Vigtigt for os" if item.competence.pk in importance else "",
            }
            for item in assessment_selectors.campaign_competences(survey)
        }
        services.assessment_save_self(
            assessment=assessment, version=0, answers=answers, submit=True, actor="t"
        )


def test_leader_results_show_level_and_importance(world, aw, login):
    leaders(world, 5)
    survey = campaign(world, aw.version_a, Campaign.Kind.LEADER_SURVEY)
    first = assessment_selectors.campaign_competences(survey)[0].competence
    answer_leader_survey(survey, {first.pk: ("important", "essential")}, level=3)
    body = login(world.user("admin")).get(results_url(survey)).content.decode()
    assert "6 af 6 deltagere har svaret" in body and "Vigtigt for os" in body
    assert "3,0" in body and "Afgørende: <strong>6</strong>" in body


def test_the_leaders_importance_moves_the_priorities(world, gaps):
    leaders(world, 5)  # six leaders with Centre 1's manager
    survey = campaign(world, gaps.version, Campaign.Kind.LEADER_SURVEY)
    low, high = gaps.competences[0], gaps.competences[2]
    answer_leader_survey(
        survey, {high.pk: ("essential", "essential"), low.pk: ("nice_to_have", "nice_to_have")}
    )
    admin = world.user("admin")
    gap_settings_update(municipality=world.a, actor="tests", leader_influence=0)
    flat = {r["competence"].pk: r for r in selectors.priorities(admin, world.a_root)["rows"]}
    assert all(r["score"] == r["cell"].weighted_gap_sum for r in flat.values())
    gap_settings_update(municipality=world.a, actor="tests", leader_influence=100, leader_future_share=50)
    rows = {r["competence"].pk: r for r in selectors.priorities(admin, world.a_root)["rows"]}
    # Weights 3/2/1 with "important" neutral: essential 3/2, nice to have 1/2, important 1.
    assert rows[high.pk]["leader"].factor == pytest.approx(1.5)
    assert rows[high.pk]["score"] == pytest.approx(round(rows[high.pk]["cell"].weighted_gap_sum * 1.5, 1))
    assert rows[low.pk]["score"] == pytest.approx(round(rows[low.pk]["cell"].weighted_gap_sum * 0.5, 1))
    assert rows[gaps.competences[1].pk]["leader"].factor == pytest.approx(1.0)
    order = [r["competence"].pk for r in selectors.priorities(admin, world.a_root)["rows"]]
    assert order.index(high.pk) < order.index(low.pk)


def test_the_future_share_chooses_between_now_and_in_three_years(world, gaps):
    leaders(world, 5)
    survey = campaign(world, gaps.version, Campaign.Kind.LEADER_SURVEY)
    rising = gaps.competences[1]
    answer_leader_survey(survey, {rising.pk: ("nice_to_have", "essential")})
    settings = gap_settings_update(
        municipality=world.a, actor="tests", leader_influence=100, leader_future_share=0
    )
    assert leader_importance(world.a_root, [rising.pk], settings)[rising.pk].factor == pytest.approx(0.5)
    settings = gap_settings_update(municipality=world.a, actor="tests", leader_future_share=100)
    view = leader_importance(world.a_root, [rising.pk], settings)[rising.pk]
    assert view.factor == pytest.approx(1.5) and view.now_label == "Godt at have"


def test_too_few_leaders_are_neither_used_nor_shown(world, gaps, login):
    leaders(world, 3)  # four leaders: below the minimum group size of 5
    survey = campaign(world, gaps.version, Campaign.Kind.LEADER_SURVEY)
    high = gaps.competences[2]
    answer_leader_survey(survey, {high.pk: ("essential", "essential")})
    row = next(
        r for r in selectors.priorities(world.user("admin"), world.a_root)["rows"] if r["competence"] == high
    )
    assert row["leader"].suppressed and row["score"] == row["cell"].weighted_gap_sum
    body = login(world.user("admin")).get(
        reverse("gaps:priorities_unit", kwargs={"unit_pk": world.a_root.pk})
    )
    assert "skjult: for få ledere har svaret" in body.content.decode()
    api = login(world.user("admin")).get(f"/api/v1/gaps/units/{world.a_root.pk}/priorities").json()
    entry = next(c for c in api["competences"] if c["competence"]["id"] == high.pk)
    assert entry["leaders"]["suppressed"] and entry["leaders"]["importance_now"] is None


def test_a_newer_leader_answer_replaces_an_older_one_for_the_same_unit(world, gaps):
    leaders(world, 5)
    first = campaign(world, gaps.version, Campaign.Kind.LEADER_SURVEY)
    competence = gaps.competences[0]
    answer_leader_survey(first, {competence.pk: ("nice_to_have", "nice_to_have")})
    second = campaign(world, gaps.version, Campaign.Kind.LEADER_SURVEY)
    answer_leader_survey(second, {competence.pk: ("essential", "essential")})
    settings = gap_settings_update(municipality=world.a, actor="tests", leader_influence=100)
    view = leader_importance(world.a_root, [competence.pk], settings)[competence.pk]
    assert view.now == 3 and view.respondents == 6
