"""Campaign pages work in the municipality chosen in the header, never the first of a list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kapabel.assessments.models import Campaign
from kapabel.core.models import Role
from kapabel.organisation.models import RoleAssignment
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CREATE = reverse("assessments:campaign_create")
LIST = reverse("assessments:campaign_list")


def switch(client, municipality):
    response = client.post("/municipality/", {"municipality": municipality.pk})
    assert response.status_code == 302
    return client


def new_campaign(aw, version, unit, name):
    return {
        "name": name,
        "kind": "individual",
        "framework_version": version.pk,
        "opens_on": aw.campaign_a.opens_on.isoformat(),
        "closes_on": aw.campaign_a.closes_on.isoformat(),
        "units": [unit.pk],
    }


def test_hr_in_two_municipalities_creates_where_they_work(world, aw, login):
    user = make_user("hr_two")
    RoleAssignment.objects.create(user=user, role=Role.HR, municipality=world.a)
    RoleAssignment.objects.create(user=user, role=Role.HR, municipality=world.b)
    client = login(user)

    body = client.get(CREATE).content.decode()  # Aby first by name
    assert "Rammen A" in body and "Rammen B" not in body

    switch(client, world.b)
    body = client.get(CREATE).content.decode()
    assert "Rammen B" in body and "Rammen A" not in body
    assert "Team Bby" in body and "Team Alfa" not in body
    # A's framework and units are not choices in B: refused, nothing created.
    response = client.post(CREATE, new_campaign(aw, aw.version_a, world.team1, "Forkert kommune"))
    assert response.status_code == 200 and not Campaign.objects.filter(name="Forkert kommune").exists()
    response = client.post(CREATE, new_campaign(aw, aw.version_b, world.b_team, "Bby-afklaring"))
    assert response.status_code == 302
    created = Campaign.objects.get(name="Bby-afklaring")
    assert created.municipality_id == world.b.pk and created.participant_count == 1

    switch(client, world.a)
    response = client.post(CREATE, new_campaign(aw, aw.version_a, world.team1, "Aby-afklaring"))
    assert response.status_code == 302
    assert Campaign.objects.get(name="Aby-afklaring").municipality_id == world.a.pk


def test_creating_is_refused_in_a_municipality_where_the_user_may_not(world, aw, login):
    """An administrator of A who only coordinates in B: in B the page answers 403 and creates nothing;
    the list offers no new campaign and no settings there."""
    user = make_user("admin_a_coordinator_b")
    RoleAssignment.objects.create(user=user, role=Role.MUNICIPALITY_ADMIN, municipality=world.a)
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, municipality=world.b)
    client = login(user)
    settings_a = reverse("assessments:settings_edit", kwargs={"municipality_pk": world.a.pk})

    body = client.get(LIST).content.decode()
    assert CREATE in body and settings_a in body

    switch(client, world.b)
    count = Campaign.objects.count()
    assert client.get(CREATE).status_code == 403
    response = client.post(CREATE, new_campaign(aw, aw.version_b, world.b_team, "Ikke tilladt"))
    assert response.status_code == 403 and Campaign.objects.count() == count
    body = client.get(LIST).content.decode()
    assert CREATE not in body and settings_a not in body

    switch(client, world.a)
    assert client.get(CREATE).status_code == 200


def test_the_campaign_list_counts_the_participants_each_person_may_see(world, aw, login):
    campaign = aw.campaign_a
    total = campaign.assessments.count()
    in_centre = campaign.assessments.filter(employee__unit__path__startswith=world.centre1.path).count()
    assert campaign.participant_count == total and 0 < in_centre < total  # the world has both

    row = _campaign_row(login(world.user("manager")).get(LIST), campaign)
    assert f"{in_centre} of {total}" in row or f"{in_centre} af {total}" in row

    row = _campaign_row(login(world.user("coordinator")).get(LIST), campaign)  # reads all of A
    assert f">{total}</td>" in row and " of " not in row and " af " not in row


def _campaign_row(response, campaign) -> str:
    body = response.content.decode()
    return body.split(f'<td><a href="/clarification/campaigns/{campaign.pk}/">')[1].split("</tr>")[0]
