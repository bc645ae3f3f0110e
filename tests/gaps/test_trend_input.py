"""Issue 10 #9d: the trend page and API refuse the same campaign twice, campaigns or dates in the
wrong order and dates that are not dates, with an error on the field (HTML) or a 422 naming it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def bad_inputs(gaps):
    first, second = gaps.campaigns
    return [
        ({"a": first.pk, "b": first.pk}, "b"),
        ({"a": second.pk, "b": first.pk}, "b"),
        ({"a": first.pk}, "b"),
        ({"from": "2026-12-31", "to": "2026-01-01"}, "to"),
        ({"from": "2026-06-01", "to": "2026-06-01"}, "to"),
        ({"from": "2026-13-45", "to": "2026-12-31"}, "from"),
        ({"from": "2026-01-01"}, "to"),
    ]


def test_html_shows_the_error_on_the_field_and_no_figures(world, gaps, login):
    client = login(world.user("coordinator"))
    url = f"/gaps/units/{world.a_root.pk}/trend/"
    for params, field in bad_inputs(gaps):
        response = client.get(url, params)
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == [field], (params, form.errors)
        assert response.context["data"] is None
        assert "form-error-message" in response.content.decode()
    first, second = gaps.campaigns
    good = client.get(url, {"a": first.pk, "b": second.pk})
    assert good.context["data"] is not None and not good.context["form"].errors
    default = client.get(url)  # nothing chosen: the last two campaigns
    assert default.context["data"] is not None and (default.context["a"], default.context["b"]) == (
        first,
        second,
    )


def test_api_answers_422_naming_the_field(world, gaps, login):
    client = login(world.user("coordinator"))
    url = f"/api/v1/gaps/units/{world.a_root.pk}/trend"
    for params, field in bad_inputs(gaps):
        response = client.get(url, params)
        assert response.status_code == 422, params
        # A value the query schema cannot parse is named by its place ("query.from").
        assert [e["field"].removeprefix("query.") for e in response.json()["errors"]] == [field], params
    first, second = gaps.campaigns
    response = client.get(url, {"a": first.pk, "b": second.pk})
    assert response.status_code == 200
    assert any(row["closed"] for row in response.json()["competences"])
    assert client.get(url, {"from": "2026-01-01", "to": "2026-12-31"}).status_code == 200
    assert client.get(url).json()["campaign_b_id"] == second.pk  # nothing chosen: the last two
    assert login(world.user("manager")).get(f"/api/v1/gaps/units/{world.team3.pk}/trend").status_code == 404
