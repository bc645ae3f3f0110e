"""Issue 10 #1 for frameworks and profiles: an HR consultant granted one subtree (the `hr` persona,
Forvaltning 1) edits only profiles whose people lie within the grant, and invites only people they
may see to comment. Framework content (the competence tree) is not about people and stays editable
by every HR consultant of the owning municipality."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from kapabel.competences import permissions, services
from kapabel.competences.models import Comment, Consultation, Profile
from tests.competences.factories import make_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    return make_framework(world.a, publish=True)[1]


def test_service_refuses_a_profile_for_people_outside_the_grant(world, version):
    hr = world.user("hr")
    base = dict(municipality=world.a, framework_version=version, actor=hr)
    with pytest.raises(ValidationError) as info:
        services.profile_create(name="Team Gamma", kind=Profile.Kind.UNIT, unit=world.team3, **base)
    assert "unit" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.profile_create(name="Rolle", kind=Profile.Kind.JOB_ROLE, job_role=world.role_a, **base)
    assert "kind" in info.value.message_dict
    assert not Profile.objects.exists()
    inside = services.profile_create(name="Team Alfa", kind=Profile.Kind.UNIT, unit=world.team1, **base)
    named = services.profile_create(name="Ideal", kind=Profile.Kind.NAMED, **base)
    # Moving a profile out of the grant by an update is refused too, and nothing changes.
    with pytest.raises(ValidationError):
        services.profile_update(profile=inside, unit=world.team3, actor=hr)
    inside.refresh_from_db()
    assert inside.unit == world.team1
    # Administrators cover the whole municipality; system actors (imports, commands) are not limited.
    assert services.profile_create(
        name="Rolle",
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_a,
        **{**base, "actor": world.user("admin")},
    )
    assert services.profile_update(profile=named, kind=Profile.Kind.UNIT, unit=world.team3, actor="t")


def test_api_profile_outside_the_grant_is_refused(world, version, login):
    client = login(world.user("hr"))
    data = {"municipality_id": world.a.pk, "version_id": version.pk, "name": "Rolle", "kind": "job_role"}
    response = client.post(
        "/api/v1/profiles",
        json.dumps({**data, "job_role_id": world.role_a.pk}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"
    unit = {**data, "kind": "unit", "unit_id": world.team3.pk}
    assert client.post("/api/v1/profiles", json.dumps(unit), content_type="application/json").status_code in (
        404,
        422,
    )
    assert not Profile.objects.exists()
    inside = {**data, "kind": "unit", "unit_id": world.team1.pk}
    assert (
        client.post("/api/v1/profiles", json.dumps(inside), content_type="application/json").status_code
        == 201
    )


def test_html_profile_for_a_unit_outside_the_grant_shows_the_field_error(world, version, login):
    client = login(world.user("hr"))
    response = client.post(
        f"/frameworks/versions/{version.pk}/new-profile/",
        {"name": "Team Gamma", "kind": "unit", "unit": world.team3.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert not Profile.objects.exists()


def test_subtree_hr_may_not_change_a_job_role_profile(world, version, login):
    items = list(version.competences.filter(parent__isnull=False))
    profile = services.profile_create(
        municipality=world.a,
        framework_version=version,
        name="Sagsbehandler",
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_a,
        actor="t",
    )
    hr = world.user("hr")
    assert not permissions.can_edit_profile(hr, profile)
    assert permissions.can_edit_profile(world.user("admin"), profile)
    client = login(hr)
    targets = {"targets": [{"competence_id": items[0].pk, "target_level": 3, "importance": "essential"}]}
    put = client.put(
        f"/api/v1/profiles/{profile.pk}/targets", json.dumps(targets), content_type="application/json"
    )
    assert put.status_code == 403
    assert client.post(f"/frameworks/profiles/{profile.pk}/publish/").status_code == 403
    matrix = client.post(
        f"/frameworks/versions/{version.pk}/profiles/", {f"t-{profile.pk}-{items[0].pk}": "3"}
    )
    assert matrix.status_code == 403
    assert not profile.targets.exists()
    # A proposal in a consultation on that profile is decided by a whole-municipality editor only.
    consultation = services.consultation_open(actor="t", profile=profile, participants=[world.employee])
    comment = services.comment_add(
        consultation=consultation, author="t", body="Mere", competence=items[0], proposed_target_level=3
    )
    assert (
        client.post(f"/frameworks/comments/{comment.pk}/decide/", {"decision": "accept"}).status_code == 403
    )
    assert Comment.objects.get(pk=comment.pk).decision == Comment.Decision.PENDING


def test_consultation_participants_must_be_people_the_editor_sees(world, version, login):
    hr = world.user("hr")
    profile = services.profile_create(municipality=world.a, framework_version=version, name="Ideal", actor=hr)
    with pytest.raises(ValidationError) as info:
        services.consultation_open(actor=hr, profile=profile, participants=[world.employee, world.outsider])
    assert "participants" in info.value.message_dict
    assert info.value.message_dict["participants"][0].startswith("1 ")
    assert not Consultation.objects.exists()
    client = login(hr)
    url = f"/frameworks/profiles/{profile.pk}/consult/"
    page = client.get(url).content.decode()
    assert world.employee.name in page and world.outsider.name not in page
    response = client.post(url, {"participants": [world.employee.pk, world.outsider.pk]})
    assert response.status_code == 200 and not Consultation.objects.exists()
    assert client.post(url, {"participants": [world.employee.pk]}).status_code == 302
    # An administrator sees (and may invite) everyone in the municipality.
    other = services.profile_create(municipality=world.a, framework_version=version, name="Andet", actor="t")
    assert services.consultation_open(actor=world.user("admin"), profile=other, participants=[world.outsider])
