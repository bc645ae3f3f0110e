"""Issue 10 #9c: after a framework revision, move all of a municipality's profiles onto the new
version at once (service, framework page button, API): targets follow the competence mappings,
the old versions are retired, one transaction, audited; afterwards the gap analysis names one
version of each competence."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from kapabel.competences import services
from kapabel.competences.models import Profile, Status
from kapabel.core.models import AuditEvent
from kapabel.gaps.models import GapFact
from tests.gaps.data import add_second_version, build_gap_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised(world):
    data = build_gap_data(world)
    v2, copies = add_second_version(data)
    return data, v2, copies


def targets(profile):
    return sorted(profile.targets.values_list("competence_id", "target_level", "importance"))


def test_service_moves_every_published_profile_with_mapped_targets(world, revised):
    data, v2, copies = revised
    framework = data.version.framework
    old = {p.pk: targets(p) for p in (data.role_profile, data.unit_profile)}
    moved = services.profiles_move_to_version(
        framework=framework, version=v2, municipality=world.a, actor=world.user("admin")
    )
    assert sorted(p.name for p in moved) == ["Forvaltning To", "Sagsbehandler"]
    by_v1 = {c.pk: copy.pk for c, copy in zip(data.competences, copies, strict=True)}
    for new in moved:
        assert new.framework_version == v2 and new.status == Status.PUBLISHED
        before = new.based_on
        assert before.lineage == new.lineage and new.number == before.number + 1
        assert targets(new) == sorted((by_v1[c], lvl, imp) for c, lvl, imp in old[before.pk])
        assert Profile.objects.get(pk=before.pk).status == Status.RETIRED
    # Only the municipality's own profiles: B's profile of another framework is untouched.
    assert not Profile.objects.filter(municipality=world.b, status=Status.RETIRED).exists()
    assert AuditEvent.objects.filter(action="competences.profile.moved_to_version").count() == 2
    assert AuditEvent.objects.filter(action="competences.framework.profiles_moved").count() == 1
    # The gap facts now name version 2's competences only.
    version_ids = set(
        GapFact.objects.filter(municipality=world.a).values_list("competence__version_id", flat=True)
    )
    assert version_ids == {v2.pk}
    with pytest.raises(ValidationError, match="older version"):  # nothing left to move
        services.profiles_move_to_version(framework=framework, version=v2, municipality=world.a, actor="t")


def test_move_is_all_or_nothing(world, revised):
    data, v2, _copies = revised
    draft = services.profile_create_version(profile=data.unit_profile, actor="t")
    with pytest.raises(ValidationError, match="Forvaltning To"):
        services.profiles_move_to_version(
            framework=data.version.framework, version=v2, municipality=world.a, actor="t"
        )
    # Neither profile moved (the role profile had no draft but waits for the whole move).
    assert Profile.objects.filter(framework_version=v2).count() == 0
    assert Profile.objects.get(pk=data.role_profile.pk).status == Status.PUBLISHED
    assert draft.status == Status.DRAFT
    v1 = data.version
    with pytest.raises(ValidationError):  # not onto a draft or another framework's version
        services.profiles_move_to_version(framework=v1.framework, version=v1, municipality=world.a, actor="t")


def test_framework_page_button_for_whole_municipality_editors(world, revised, login):
    data, v2, _copies = revised
    framework = data.version.framework
    url = f"/frameworks/{framework.pk}/move-profiles/"
    hr = login(world.user("hr"))  # a subtree grant: no button, and 403
    assert url not in hr.get(f"/frameworks/{framework.pk}/").content.decode()
    assert hr.post(url).status_code == 403
    assert login(world.user("other_municipality_admin")).post(url).status_code == 404
    admin = login(world.user("admin"))
    page = admin.get(f"/frameworks/{framework.pk}/").content.decode()
    assert url in page
    assert admin.get(url).status_code == 405
    response = admin.post(url)
    assert response.status_code == 302
    assert Profile.objects.filter(framework_version=v2, status=Status.PUBLISHED).count() == 2
    assert url not in admin.get(f"/frameworks/{framework.pk}/").content.decode()


def test_api_moves_the_profiles(world, revised, login):
    data, v2, _copies = revised
    framework = data.version.framework
    body = json.dumps({"municipality_id": world.a.pk, "version_id": v2.pk})
    route = f"/api/v1/frameworks/{framework.pk}/profile-moves"
    assert login(world.user("hr")).post(route, body, content_type="application/json").status_code == 403
    response = login(world.user("admin")).post(route, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert {p["framework_version_id"] for p in response.json()} == {v2.pk}
    again = login(world.user("admin")).post(route, body, content_type="application/json")
    assert again.status_code == 422


def test_api_lists_what_a_move_would_move(world, revised, login):
    data, v2, _copies = revised
    route = f"/api/v1/frameworks/{data.version.framework.pk}/profile-moves"
    listed = login(world.user("admin")).get(route).json()  # the owner's profiles, the newest version
    assert sorted(p["name"] for p in listed) == ["Forvaltning To", "Sagsbehandler"]
    assert login(world.user("hr")).get(route).status_code == 403
    assert login(world.user("other_municipality_admin")).get(route).status_code == 404
