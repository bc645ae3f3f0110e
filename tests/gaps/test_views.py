"""Gap views, exports and API as the personas: scoping, suppression, query counts."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from kapabel.gaps import selectors
from kapabel.gaps.selectors import suppress_group
from tests.conftest import make_employee
from tests.gaps import writers


def test_suppress_group_primary_and_differencing():
    assert suppress_group(20, {"a": 10, "b": 10}, 5) == (False, set())
    assert suppress_group(20, {"a": 17, "b": 3}, 5) == (False, {"a", "b"})  # 3 alone would be derivable
    assert suppress_group(12, {"a": 6, "b": 6}, 5) == (False, set())
    # two people placed directly in the parent: parent minus children would reveal them
    assert suppress_group(14, {"a": 6, "b": 6}, 5) == (False, {"a"})
    assert suppress_group(3, {"a": 2, "b": 1}, 5) == (True, {"a", "b"})
    assert suppress_group(8, {"a": 8}, 5) == (False, set())
    assert suppress_group(9, {"a": 8}, 5) == (False, {"a"})  # one direct person: hide the child instead


def test_heatmap_for_hr_shows_numbers_and_links(world, gaps, login, django_assert_max_num_queries):
    client = login(world.user("hr"))
    with django_assert_max_num_queries(20):
        response = client.get(f"/gaps/units/{world.forvaltning1.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Center Et" in body and "Team Gamma" not in body
    assert 'scope="col"' in body and "gap-b" in body
    assert f"/gaps/units/{world.forvaltning1.pk}/people/?competence={gaps.competences[0].pk}" in body
    expand = client.get(f"/gaps/units/{world.forvaltning1.pk}/?rows=children", HTTP_HX_REQUEST="true")
    assert "<tr" in expand.content.decode() and "<html" not in expand.content.decode()


def test_heatmap_query_count_does_not_grow_with_people(world, gaps, login, django_assert_max_num_queries):
    for i in range(30):
        person = make_employee(world.a, world.team1, f"X{i}", f"Extra {i}", world.role_a)
        writers.record_rating(employee=person, competence=gaps.competences[0], source="self", level=1 + i % 4)
    client = login(world.user("coordinator"))
    with django_assert_max_num_queries(20):
        assert client.get("/gaps/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/gaps/units/{world.a_root.pk}/").status_code == 200
    with django_assert_max_num_queries(25):
        assert (
            client.get(
                f"/gaps/units/{world.team1.pk}/people/?competence={gaps.competences[0].pk}"
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(20):
        assert client.get("/gaps/priorities/").status_code == 200


def test_employee_sees_own_unit_only_aggregated_and_suppressed(world, gaps, login):
    client = login(world.user("employee"))
    body = client.get("/gaps/").content.decode()
    assert "Team Alfa" in body
    assert "gap-suppressed" in body  # one person in Team Alfa: below the minimum of 5
    people = client.get(f"/gaps/units/{world.team1.pk}/people/?competence={gaps.competences[0].pk}")
    assert "Emma Employee" in people.content.decode()
    assert client.get(f"/gaps/units/{world.team2.pk}/").status_code == 404
    api = client.get(f"/api/v1/gaps/units/{world.team1.pk}/heatmap").json()
    assert all(
        cell["suppressed"] and cell["share_below"] is None
        for cell in api["rows"][0]["cells"]
        if cell["people"] != 0
    )


def test_small_group_shown_once_large_enough(world, gaps, login):
    for i in range(5):
        person = make_employee(world.a, world.team1, f"S{i}", f"Stor {i}", world.role_a)
        writers.record_rating(employee=person, competence=gaps.competences[0], source="agreed", level=1)
    client = login(world.user("employee"))
    data = client.get(f"/api/v1/gaps/units/{world.team1.pk}/heatmap").json()
    cell = next(c for c in data["rows"][0]["cells"] if c["competence_id"] == gaps.competences[0].pk)
    assert not cell["suppressed"] and cell["known"] == 6


def test_person_profile_chart_and_table(world, gaps, login):
    client = login(world.user("manager"))
    response = client.get(f"/gaps/people/{world.employee.pk}/")
    body = response.content.decode()
    assert 'role="img"' in body and "<table" in body and "Kommunikation med borgere" in body
    assert client.get(f"/gaps/people/{world.outsider.pk}/").status_code == 404
    own = login(world.user("employee")).get("/gaps/me/")
    assert "Kommunikation med borgere" in own.content.decode()


def test_exports_are_real_numbers(world, gaps, login):
    client = login(world.user("hr"))
    response = client.get(f"/gaps/units/{world.forvaltning1.pk}/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].value == "Forvaltning Et"
    assert isinstance(sheet["B2"].value, float) and sheet["B2"].number_format == "0%"
    csv_response = client.get(f"/gaps/units/{world.forvaltning1.pk}/?export=csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "Forvaltning Et" and "," in rows[1][1]  # Danish decimal comma
    for url in (
        f"/gaps/people/{world.employee.pk}/?export=csv",
        "/gaps/priorities/?export=xlsx",
        f"/gaps/units/{world.forvaltning1.pk}/trend/?export=csv",
        f"/gaps/units/{world.team1.pk}/people/?competence={gaps.competences[0].pk}&export=csv",
    ):
        assert client.get(url)["Content-Disposition"].startswith("attachment"), url
    assert client.get(f"/gaps/units/{world.team3.pk}/?export=csv").status_code == 404


def test_priorities_and_trend(world, gaps, login):
    client = login(world.user("coordinator"))
    data = client.get(f"/api/v1/gaps/units/{world.a_root.pk}/priorities").json()
    ranked = [row["weighted_gap_sum"] for row in data["competences"]]
    assert ranked == sorted(ranked, reverse=True)
    assert data["groups"] and data["groups"][0]["people"] >= 1
    first, second = gaps.campaigns
    result = selectors.trend(world.user("coordinator"), world.a_root, a=first, b=second)
    assert any(row["closed"] is not None and row["closed"] > 0 for row in result["rows"])
    page = client.get(f"/gaps/units/{world.a_root.pk}/trend/?a={first.pk}&b={second.pk}")
    assert "Kommunikation med borgere" in page.content.decode()
    dates = client.get(f"/gaps/units/{world.a_root.pk}/trend/?from=2026-01-01&to=2026-12-31")
    assert dates.status_code == 200


@pytest.mark.parametrize("persona", ["other_municipality_admin", "manager"])
def test_cross_scope_is_404(world, gaps, login, persona):
    client = login(world.user(persona))
    target = world.team3 if persona == "manager" else world.team1
    assert client.get(f"/gaps/units/{target.pk}/").status_code == 404
    assert client.get(f"/gaps/units/{target.pk}/priorities/").status_code == 404
    assert client.get(f"/gaps/priorities/?unit={target.pk}").status_code == 404
    assert client.get(f"/api/v1/gaps/units/{target.pk}/heatmap").status_code == 404
    assert "Team Gamma" not in client.get("/api/v1/gaps/heatmap").content.decode() or persona != "manager"


def test_person_profile_words_when_levels_or_targets_are_missing(world, gaps, login):
    # Once "Samlet vægtet gab: 0" with every level unknown, "… for 0 kompetencer", and "denne
    # person" on the employee's own page.
    from kapabel.organisation import services as organisation
    from tests.conftest import make_user

    newcomer = make_employee(world.a, world.team1, "E9", "Nina Ny", world.role_a)
    manager = login(world.user("manager"))
    body = manager.get(f"/gaps/people/{newcomer.pk}/").content.decode()
    assert "Samlet vægtet gab" not in body and "Niveauet er endnu ikke kendt for nogen af de" in body
    for employee in (world.employee, world.colleague):
        assert "for 0 kompetencer" not in manager.get(f"/gaps/people/{employee.pk}/").content.decode()
    loner = make_employee(world.a, world.team1, "E10", "Lone Uden Stilling")
    user = make_user("lone")
    organisation.employee_link_user(employee=loner, user=user, actor="tests")
    own = login(user).get("/gaps/me/").content.decode()
    assert "denne person" not in own and "giver dig endnu et mål" in own
