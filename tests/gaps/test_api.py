"""The trend in the API: the same default comparison as the page, the same suppression and scoping."""

from __future__ import annotations

import pytest

from kapabel.gaps import selectors


def test_trend_api_compares_the_last_two_campaigns_by_default(world, gaps, login):
    client = login(world.user("coordinator"))
    first, second = gaps.campaigns
    data = client.get(f"/api/v1/gaps/units/{world.a_root.pk}/trend").json()
    assert (data["campaign_a_id"], data["campaign_b_id"]) == (first.pk, second.pk)
    expected = selectors.trend(world.user("coordinator"), world.a_root, a=first, b=second)
    assert [row["closed"] for row in data["competences"]] == [row["closed"] for row in expected["rows"]]
    assert any(row["closed"] is not None and row["closed"] > 0 for row in data["competences"])
    assert {u["unit_name"] for u in data["units"]} == {"Forvaltning Et", "Forvaltning To"}
    page = client.get(f"/gaps/units/{world.a_root.pk}/trend/")
    assert page.context["a"] == first and page.context["b"] == second  # the page chooses the same


def test_trend_api_by_dates_and_by_chosen_campaigns(world, gaps, login):
    client = login(world.user("coordinator"))
    first, second = gaps.campaigns
    chosen = client.get(f"/api/v1/gaps/units/{world.a_root.pk}/trend?a={first.pk}&b={second.pk}").json()
    assert (chosen["campaign_a_id"], chosen["campaign_b_id"]) == (first.pk, second.pk)
    swapped = client.get(f"/api/v1/gaps/units/{world.a_root.pk}/trend?a={second.pk}&b={first.pk}")
    assert swapped.status_code == 422  # the second campaign must open on or after the first
    dates = client.get(f"/api/v1/gaps/units/{world.a_root.pk}/trend?from=2026-01-01&to=2026-12-31").json()
    assert dates["date_a"] == "2026-01-01" and dates["campaign_a_id"] is None
    bad = client.get(f"/api/v1/gaps/units/{world.a_root.pk}/trend?from=yesterday")
    assert bad.status_code == 422


def test_trend_api_suppresses_small_groups(world, gaps, login):
    client = login(world.user("employee"))
    data = client.get(f"/api/v1/gaps/units/{world.team1.pk}/trend").json()
    assert any(row["suppressed"] for row in data["competences"])  # one person measured twice
    for row in data["competences"]:
        assert row["people"] is None or row["people"] == 0
        assert row["closed"] is None


@pytest.mark.parametrize("persona", ["other_municipality_admin", "manager"])
def test_trend_api_cross_scope_is_404(world, gaps, login, persona):
    client = login(world.user(persona))
    target = world.team3 if persona == "manager" else world.team1
    assert client.get(f"/api/v1/gaps/units/{target.pk}/trend").status_code == 404
