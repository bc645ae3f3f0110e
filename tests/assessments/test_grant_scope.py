"""Issue 10 #1: an HR consultant granted one subtree acts only on the people of that subtree.

The `hr` persona is granted Forvaltning 1's subtree (Centre 1, Team 1, Team 2). The job role
`role_a` is also held by the outsider in Team 3 (Forvaltning 2), so a job-role scope reaches one
person outside the grant. A scope that reaches anybody outside the grant is refused with a message
that says how many people are outside it (not silently shrunk)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kapabel.assessments import permissions, selectors, services
from kapabel.assessments.models import Campaign, Rating, Source
from kapabel.core.models import Role
from kapabel.organisation import services as org_services
from kapabel.organisation.models import RoleAssignment
from tests.conftest import SYSTEM, make_user

pytestmark = pytest.mark.django_db


def payload(world, aw, **scope):
    return {
        "municipality_id": world.a.pk,
        "name": "Afklaring fra HR",
        "framework_version_id": aw.version_a.pk,
        "closes_on": aw.campaign_a.closes_on.isoformat(),
        **scope,
    }


def post(client, data):
    return client.post("/api/v1/campaigns", json.dumps(data), content_type="application/json")


def hr_who_also_manages_team3(world):
    """HR for Forvaltning 1 who also leads Team 3: they *see* the outsider, but their HR grant does
    not cover them, so they may not enrol them in a campaign."""
    user = make_user("hr_manager")
    RoleAssignment.objects.create(user=user, role=Role.HR, municipality=world.a, unit=world.forvaltning1)
    employee = org_services.employee_create(
        municipality=world.a, external_id="E9", name="Hanne HR", unit=world.forvaltning1, actor=SYSTEM
    )
    org_services.employee_link_user(employee=employee, user=user, actor=SYSTEM)
    org_services.orgunit_set_managers(unit=world.team3, managers=[employee], actor=SYSTEM)
    return user


def test_api_job_role_scope_reaching_outside_the_grant_is_refused_with_the_count(world, aw, login):
    client = login(world.user("hr"))
    before = Campaign.objects.count()
    response = post(client, payload(world, aw, job_role_ids=[world.role_a.pk]))
    assert response.status_code == 422, response.content
    assert "1 " in response.json()["detail"]
    assert Campaign.objects.count() == before
    # Within the grant it works: Team 1 with its subtree is one person.
    inside = post(client, payload(world, aw, unit_ids=[world.team1.pk]))
    assert inside.status_code == 201 and inside.json()["participant_count"] == 1


def test_api_unit_and_named_people_outside_the_grant_are_refused(world, aw, login):
    client = login(hr_who_also_manages_team3(world))
    before = Campaign.objects.count()
    for scope in (
        {"unit_ids": [world.team3.pk]},
        {"unit_ids_without_subtree": [world.team3.pk]},
        {"employee_ids": [world.outsider.pk]},
        {"unit_ids": [world.team1.pk], "employee_ids": [world.outsider.pk]},
    ):
        response = post(client, payload(world, aw, **scope))
        assert response.status_code == 422, (scope, response.content)
        assert "1 " in response.json()["detail"]
    assert Campaign.objects.count() == before
    # The plain subtree HR does not even see the outsider: 404 for the unknown person.
    hr = login(world.user("hr"))
    assert post(hr, payload(world, aw, employee_ids=[world.outsider.pk])).status_code == 404


def test_service_intersects_every_kind_of_scope_with_the_grant(world, aw):
    user = hr_who_also_manages_team3(world)
    base = dict(
        municipality=world.a,
        name="x",
        kind=Campaign.Kind.INDIVIDUAL,
        framework_version=aw.version_a,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        actor=user,
    )
    for scope in (
        services.Scope(job_roles=[world.role_a]),
        services.Scope(units=[(world.a_root, True)]),
        services.Scope(units=[(world.team3, False)]),
        services.Scope(employees=[world.outsider]),
    ):
        with pytest.raises(ValidationError, match=r"^\['1 "):
            services.campaign_create(scope=scope, **base)
    # Leader survey: the unit answered for counts; Centre 1 is inside the grant, Team 3 is not.
    survey = {**base, "kind": Campaign.Kind.LEADER_SURVEY}
    with pytest.raises(ValidationError):
        services.campaign_create(scope=services.Scope(units=[(world.team3, False)]), **survey)
    assert services.campaign_create(scope=services.Scope(units=[(world.centre1, True)]), **survey)
    # An administrator covers the whole municipality; the job role reaches all four people.
    admin = {**base, "actor": world.user("admin")}
    assert (
        services.campaign_create(scope=services.Scope(job_roles=[world.role_a]), **admin).participant_count
        == 4
    )


def test_html_job_role_scope_outside_the_grant_shows_the_refusal(world, aw, login):
    client = login(world.user("hr"))
    response = client.post(
        reverse("assessments:campaign_create"),
        {
            "name": "Rolle-afklaring",
            "kind": "individual",
            "framework_version": aw.version_a.pk,
            "opens_on": aw.campaign_a.opens_on.isoformat(),
            "closes_on": aw.campaign_a.closes_on.isoformat(),
            "job_roles": [world.role_a.pk],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors and errors[0].startswith("1 ")
    assert errors[0] in response.content.decode()
    assert not Campaign.objects.filter(name="Rolle-afklaring").exists()


def test_subtree_hr_may_not_close_a_municipality_wide_campaign(world, aw, login):
    hr = world.user("hr")
    assert not permissions.can_change_campaign(hr, aw.campaign_a)  # covers Team 3 too
    client = login(hr)
    response = client.patch(
        f"/api/v1/campaigns/{aw.campaign_a.pk}",
        json.dumps({"status": "closed"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    close = reverse("assessments:campaign_close", kwargs={"campaign_pk": aw.campaign_a.pk})
    assert client.get(close).status_code == 403
    assert client.post(close).status_code == 403
    detail = client.get(reverse("assessments:campaign_detail", kwargs={"campaign_pk": aw.campaign_a.pk}))
    assert close not in detail.content.decode()
    assert not Campaign.objects.get(pk=aw.campaign_a.pk).is_closed
    # The needs survey runs in Centre 1 only: inside the grant, so HR may close it.
    assert permissions.can_change_campaign(hr, aw.needs_a)
    closed = client.patch(
        f"/api/v1/campaigns/{aw.needs_a.pk}",
        json.dumps({"status": "closed"}),
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert permissions.can_change_campaign(world.user("admin"), aw.campaign_a)


def test_hr_corrects_only_ratings_their_grant_covers(world, aw, login):
    """HR for Forvaltning 2 who coordinates the whole municipality sees every rating, but corrects
    only those of people in Forvaltning 2."""
    user = make_user("hr_f2")
    RoleAssignment.objects.create(user=user, role=Role.HR, municipality=world.a, unit=world.forvaltning2)
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, municipality=world.a)
    manager = world.user("manager")
    answers = {
        item.competence.pk: {"level": 2, "comment": ""}
        for item in selectors.campaign_competences(aw.campaign_a)
    }
    services.assessment_save_manager(
        assessment=aw.assessment, version=0, answers=answers, actor=manager, step="manager", submit=True
    )
    rating = Rating.objects.filter(employee=world.employee, source=Source.MANAGER).first()
    assert rating is not None
    assert not permissions.can_correct_rating(user, rating)
    response = login(user).post(
        f"/api/v1/ratings/{rating.pk}/corrections", json.dumps({"level": 3}), content_type="application/json"
    )
    assert response.status_code == 403
    assert permissions.can_correct_rating(world.user("admin"), rating)
