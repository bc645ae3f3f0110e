"""Internal learning suggestions: colleagues at or above the target, nearest in the organisation first,
never over their maximum of mentees, never across municipalities, only among people the asking user
may see; pairings recorded through the activity service, completing with evidence."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from kapabel.assessments.models import CurrentLevel
from kapabel.learning import services, suggestions
from kapabel.learning.models import Evidence, InternalActivity
from kapabel.learning.services import Refused
from tests.learning import gapdata
from tests.learning.factories import SYSTEM
from tests.learning.test_api import post, token

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def gd(world):
    return gapdata.build(world)


def names(found):
    return [s.name for s in found]


def test_tree_distance():
    assert suggestions.tree_distance("/1/2/3/", "/1/2/3/") == 0
    assert suggestions.tree_distance("/1/2/3/", "/1/2/") == 1
    assert suggestions.tree_distance("/1/2/3/", "/1/2/4/") == 2
    assert suggestions.tree_distance("/1/2/3/4/", "/1/5/6/") == 5


def test_colleagues_at_target_nearest_first_within_what_the_user_sees(world, gd):
    targets = suggestions.person_targets(world.employee)
    assert targets == {gd.economy.pk: 4, gd.communication.pk: 2}
    for _i in range(3):  # Bo Busy already teaches the default maximum of three
        services.internal_activity_create(
            kind="mentoring", learner=world.outsider, mentor=gd.busy, starts_on=TODAY, actor=SYSTEM
        )
    admin = suggestions.internal_suggestions(world.user("admin"), world.employee, targets)[gd.economy.pk]
    # Same team, then the centre's manager, then the sibling team, then another forvaltning.
    assert names(admin) == ["Mads Mentor", "Mette Manager", "Carl Colleague", "Oskar Outsider"]
    assert [s.distance for s in admin] == [0, 1, 2, 5]
    assert all(s.level >= s.target == 4 for s in admin)
    # The manager leads Centre Et (and may suggest themselves): Oskar (Forvaltning To) is not
    # theirs to see.
    manager = suggestions.internal_suggestions(world.user("manager"), world.employee, targets)
    assert names(manager[gd.economy.pk]) == ["Mads Mentor", "Mette Manager", "Carl Colleague"]
    # Lise Low is below the target in both: never suggested.
    assert "Lise Low" not in names(admin) + names(manager[gd.communication.pk])


def test_never_across_municipalities(world, gd):
    CurrentLevel.objects.create(
        municipality=world.b,
        employee=world.b_employee,
        competence=gd.economy,
        framework_version=gd.version,
        level=4,
    )
    found = suggestions.internal_suggestions(
        world.user("platform_admin"), world.employee, {gd.economy.pk: 4}
    )[gd.economy.pk]
    assert "Bente Bby" not in names(found)
    assert names(found)[0] == "Mads Mentor"


def test_pairing_respects_the_maximum_and_completes_with_evidence(world, gd):
    services.learning_settings_update(municipality=world.a, max_mentees=2, actor=SYSTEM)
    hr = world.user("hr")
    first = services.internal_pairing_create(
        learner=world.employee,
        mentor=gd.mentor,
        kind="peer_training",
        competence=gd.economy,
        target_level=2,
        starts_on=TODAY,
        hours=10,
        actor=hr,
    )
    services.internal_pairing_create(
        learner=gd.second, mentor=gd.mentor, kind="mentoring", starts_on=TODAY, actor=hr
    )
    with pytest.raises(Refused) as refused:
        services.internal_pairing_create(
            learner=gd.third, mentor=gd.mentor, kind="shadowing", starts_on=TODAY, actor=hr
        )
    assert refused.value.code == "max_mentees"
    assert "Mads Mentor already teaches 2 colleagues" in refused.value.messages[0]
    found = suggestions.internal_suggestions(hr, gd.third, {gd.economy.pk: 4})[gd.economy.pk]
    assert "Mads Mentor" not in names(found)  # full: not suggested either

    services.internal_activity_update(activity=first, status=InternalActivity.Status.COMPLETED, actor=hr)
    [evidence] = Evidence.objects.filter(activity=first)
    assert (evidence.employee, evidence.competence, evidence.level) == (world.employee, gd.economy, 2)
    services.evidence_confirm(evidence=evidence, actor=world.user("manager"))
    assert CurrentLevel.objects.get(employee=world.employee, competence=gd.economy).level == 2
    # A finished pairing frees the colleague again.
    again = suggestions.internal_suggestions(hr, gd.third, {gd.economy.pk: 4})[gd.economy.pk]
    assert names(again)[0] == "Mads Mentor"


def test_pairing_needs_a_colleague_the_user_may_see(world, gd):
    with pytest.raises(PermissionDenied):
        services.internal_pairing_create(
            learner=world.employee,
            mentor=world.outsider,
            kind="peer_training",
            starts_on=TODAY,
            actor=world.user("manager"),
        )


def suggest_url(employee, competence):
    return f"/api/v1/learning/internal-suggestions?employee_id={employee.pk}&competence_id={competence.pk}"


def test_suggestions_api(world, gd, client, django_assert_max_num_queries):
    url = suggest_url(world.employee, gd.economy)
    response = client.get(url, **token(world, "manager", "read"))
    assert response.status_code == 200
    body = response.json()
    assert [(s["name"], s["distance"], s["level"], s["target"]) for s in body] == [
        ("Mads Mentor", 0, 4, 4),
        ("Mette Manager", 1, 4, 4),
        ("Bo Busy", 2, 4, 4),
        ("Carl Colleague", 2, 4, 4),
    ]
    # Someone the user may not see (another forvaltning / municipality) is 404, like everywhere.
    outsider = suggest_url(world.outsider, gd.economy)
    assert client.get(outsider, **token(world, "manager", "read")).status_code == 404
    assert client.get(url, **token(world, "other_municipality_admin")).status_code == 404
    # No target and none given: a clear 422.
    targetless = suggest_url(world.b_employee, gd.economy)
    assert client.get(targetless, **token(world, "platform_admin")).status_code == 422
    # No one named: your own gaps, each competence's colleagues in turn.
    own = client.get(
        "/api/v1/learning/internal-suggestions?limit=1", **token(world, "employee", "read")
    ).json()
    assert own == []  # an employee sees no colleagues
    hr_own = client.get("/api/v1/learning/internal-suggestions", **token(world, "hr", "read")).json()
    assert hr_own == []  # HR here is no employee
    auth = token(world, "admin", "read")
    # Bounded by the depth of the tree (two per ring read: Team Alfa is four levels down), not by
    # the number of people.
    with django_assert_max_num_queries(8 + 2 * 5):
        client.get(url, **auth)


def test_the_search_stops_at_the_nearest_ring_that_suffices(world, gd, django_assert_max_num_queries):
    from kapabel.core.access import scope_for

    targets = {gd.economy.pk: 4}
    admin = world.user("admin")
    scope_for(admin), world.employee.unit  # resolved once per request anyway
    with django_assert_max_num_queries(4):  # equivalents, settings, one ring: levels and mentees
        found = suggestions.internal_suggestions(admin, world.employee, targets, limit=1)
    assert names(found[gd.economy.pk]) == ["Mads Mentor"]


def test_pairing_api(world, gd, client):
    payload = {
        "employee_id": world.employee.pk,
        "mentor_id": gd.mentor.pk,
        "kind": "mentoring",
        "competence_id": gd.economy.pk,
        "target_level": 3,
        "starts_on": "2026-12-01",
    }
    response = post(client, "/api/v1/learning/pairings", payload, token(world, "hr"))
    assert response.status_code == 201, response.content
    assert response.json()["mentor_id"] == gd.mentor.pk
    listed = client.get(
        f"/api/v1/learning/pairings?employee_id={world.employee.pk}", **token(world, "manager")
    )
    assert [a["mentor_id"] for a in listed.json()["items"]] == [gd.mentor.pk]
    assert (
        client.get("/api/v1/learning/pairings", **token(world, "other_municipality_admin")).json()["items"]
        == []
    )
    read_only = post(client, "/api/v1/learning/pairings", payload, token(world, "hr", "read"))
    assert read_only.status_code == 403
    stranger = post(client, "/api/v1/learning/pairings", payload, token(world, "other_municipality_admin"))
    assert stranger.status_code == 404
