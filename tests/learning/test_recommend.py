"""Recommendations on a hand-computed case (see tests/learning/gapdata.py for the gaps).

Team Alfa: three people at 1 of 4 in "Økonomi og budget" (gap 3, weight 3) and 1 of 2 in
"Kommunikation" (gap 1, weight 2); Mads Mentor meets both targets. An hour away is worth 350 kr.

- Økonomistyring: +2 in økonomi, 4.200 kr., 6 teaching days (44,4 hours):
  weighted 2·3·3 = 18; cost 3 · (4.200 + 44,4·350) = 59.220 kr.; score 0,000304
- Kommunikation i praksis: +1 in kommunikation, 1.000 kr., 1 day (7,4 hours):
  weighted 1·2·3 = 6; cost 3 · (1.000 + 7,4·350) = 10.770 kr.; score 0,000557
- Budget light (e-learning): +1 in økonomi, free, 3 hours:
  weighted 1·3·3 = 9; cost 3 · 3·350 = 3.150 kr.; score 0,002857
- Peer training in økonomi with the unit's one colleague (3 mentees): 1 level each, 24 hours:
  weighted 1·3·3 = 9; cost 3 · 24·350 = 25.200 kr.; score 0,000357
- Peer training in kommunikation: weighted 1·2·3 = 6; score 0,000238
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kapabel.learning import recommend, services
from tests.learning import gapdata
from tests.learning.factories import SYSTEM, make_offer
from tests.learning.test_api import token


@pytest.fixture
def case(world, lw):
    gd = gapdata.build(world)
    offers = {
        "economy": make_offer(
            world.a,
            lw.provider,
            "Økonomistyring",
            price_per_participant=Decimal("4200"),
            teaching_days=Decimal("6"),
            competences={gd.economy: 2},
        ),
        "communication": make_offer(
            world.a,
            lw.provider,
            "Kommunikation i praksis",
            price_per_participant=Decimal("1000"),
            teaching_days=Decimal("1"),
            competences={gd.communication: 1},
        ),
        "light": make_offer(
            world.a,
            lw.provider,
            "Budget light",
            kind="e_learning",
            hours=Decimal("3"),
            competences={gd.economy: 1},
        ),
        "inactive": make_offer(world.a, lw.provider, "Gammelt kursus", competences={gd.economy: 3}),
        "foreign": make_offer(world.b, lw.b_offer.provider, "Bby økonomi", competences={gd.economy: 3}),
    }
    services.offer_update(offer=offers["inactive"], active=False, actor=SYSTEM)
    return gd, offers


def test_unit_recommendations_in_order_with_reasons(world, case):
    gd, offers = case
    with translation.override("da"):
        found = recommend.for_unit(world.user("hr"), world.team1)
    assert [r.title for r in found] == [
        "Budget light",
        "Kommunikation i praksis",
        "Sidemandsoplæring i Økonomi og budget med kolleger i enheden",
        "Økonomistyring",
        "Sidemandsoplæring i Kommunikation med kolleger i enheden",
    ]
    by_title = {r.title: r for r in found}
    economy = by_title["Økonomistyring"]
    assert (economy.weighted_closed, economy.people, economy.cost) == (18, 3, Decimal("59220"))
    assert economy.score == pytest.approx(18 / 59220)
    assert economy.summary == (
        "lukker 2 af 3 niveauer i Økonomi og budget for 3 personer; 6 undervisningsdage; 4.200 kr. pr. person"
    )
    assert by_title["Budget light"].summary == (
        "lukker 1 af 3 niveauer i Økonomi og budget for 3 personer; 3 timer; ingen deltagerpris"
    )
    assert by_title["Budget light"].score == pytest.approx(9 / 3150)
    peer = by_title["Sidemandsoplæring i Økonomi og budget med kolleger i enheden"]
    assert (peer.kind, peer.weighted_closed, peer.people, peer.score) == (
        "internal",
        9,
        3,
        pytest.approx(9 / 25200),
    )
    assert peer.reasons[0] == "1 kollega i enheden når målet i Økonomi og budget"
    assert offers["inactive"].title not in by_title and offers["foreign"].title not in by_title


def test_person_recommendations_name_the_colleague(world, case):
    gd, _offers = case
    with translation.override("en"):
        found = recommend.for_employee(world.user("hr"), world.employee)
    assert [r.title for r in found] == [
        "Budget light",
        "Kommunikation i praksis",
        "Peer training with Mads Mentor in Økonomi og budget",
        "Økonomistyring",
        "Peer training with Mads Mentor in Kommunikation",
    ]
    economy = found[3]
    assert (
        economy.summary
        == "closes 2 of 3 levels in Økonomi og budget for 1 person; 6 teaching days; 4,200 kr. per person"
    )
    peer = found[2]
    assert peer.colleague_id == gd.mentor.pk
    assert peer.reasons[0] == "Mads Mentor (Team Alfa) is at level 4 in Økonomi og budget, the target is 4"


def test_hour_value_is_data(world, case):
    services.learning_settings_update(municipality=world.a, hour_value=Decimal("0"), actor=SYSTEM)
    found = recommend.for_unit(world.user("hr"), world.team1)
    # Time is free now: what has no fee costs only the 1 kr. floor and leads, by gap closed.
    assert [(r.kind, r.score) for r in found[:3]] == [("offer", 9.0), ("internal", 9.0), ("internal", 6.0)]
    assert found[3].title == "Kommunikation i praksis"


def test_small_groups_are_hidden_from_who_may_not_see_everyone(world, case):
    assert recommend.for_unit(world.user("employee"), world.team1) == []  # 3 people < 5
    assert recommend.for_unit(world.user("hr"), world.team1)


def test_unit_recommendations_cost_the_same_queries_for_more_people(
    world, case, django_assert_max_num_queries
):
    from kapabel.core.access import scope_for
    from tests.conftest import make_employee
    from tests.gaps import writers

    gd, _offers = case
    hr = world.user("hr")
    scope_for(hr)  # resolved once per request
    with django_assert_max_num_queries(12):
        small = recommend.for_unit(hr, world.team1)
    for i in range(12):
        person = make_employee(world.a, world.team1, f"X{i}", f"Extra {i}", world.role_a)
        writers.record_rating(employee=person, competence=gd.economy, source="agreed", level=2)
    with django_assert_max_num_queries(12):
        larger = recommend.for_unit(hr, world.team1)
    assert larger[0].people == small[0].people + 12


def test_recommendations_api(world, case, client):
    gd, _offers = case
    unit = client.get(
        f"/api/v1/learning/recommendations?unit_id={world.team1.pk}", **token(world, "hr", "read")
    )
    assert unit.status_code == 200, unit.content
    first = unit.json()[0]
    assert first["title"] == "Budget light" and first["reasons"][0].startswith("lukker 1 af 3 niveauer")
    english = client.get(
        f"/api/v1/learning/recommendations?unit_id={world.team1.pk}",
        HTTP_ACCEPT_LANGUAGE="en",
        **token(world, "hr", "read"),
    ).json()[0]
    assert english["reasons"][0] == "closes 1 of 3 levels in Økonomi og budget for 3 people"
    person = client.get(
        f"/api/v1/learning/recommendations?employee_id={world.employee.pk}&limit=2",
        **token(world, "manager", "read"),
    )
    assert [r["title"] for r in person.json()] == ["Budget light", "Kommunikation i praksis"]
    both = client.get(
        f"/api/v1/learning/recommendations?employee_id={world.employee.pk}&unit_id=1", **token(world, "hr")
    )
    assert both.status_code == 422
    assert (
        client.get(
            f"/api/v1/learning/recommendations?employee_id={world.employee.pk}",
            **token(world, "other_municipality_admin"),
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/learning/recommendations?unit_id={world.team3.pk}", **token(world, "manager")
        ).status_code
        == 404
    )
