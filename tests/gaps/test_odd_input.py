"""Odd input on the gap pages answers 404 or an empty result, never a server error (issue 10 #8)."""

from __future__ import annotations

HUGE = "99999999999999999999999"


def test_drill_down_with_a_competence_id_beyond_the_database_integers_is_404(world, gaps, login):
    client = login(world.user("coordinator"))
    response = client.get(f"/gaps/units/{world.a_root.pk}/people/?competence={HUGE}")
    assert response.status_code == 404


def test_trend_page_as_of_the_last_day_of_the_calendar(world, gaps, login):
    client = login(world.user("coordinator"))
    response = client.get(f"/gaps/units/{world.a_root.pk}/trend/?from=0001-01-01&to=9999-12-31")
    assert response.status_code == 200
