"""The profile matrix saves all profiles or none, and new profiles and frameworks are made in the
municipality the user works in now (the header's choice), never the first of a list."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from kapabel.competences import services
from kapabel.competences.models import Framework, Profile
from kapabel.core.models import Role
from kapabel.organisation.models import RoleAssignment
from tests.competences.factories import make_framework

pytestmark = pytest.mark.django_db


def _two_profiles(world):
    _f, version, _area, items = make_framework(world.a, publish=True)
    first = services.profile_create(
        municipality=world.a, framework_version=version, name="A ideal", actor="t"
    )
    second = services.profile_create(
        municipality=world.a, framework_version=version, name="B ideal", actor="t"
    )
    services.profile_set_targets(profile=first, targets=[(items[0], 2, "important")], actor="t")
    return version, items, first, second


def _targets(profile):
    return sorted(profile.targets.values_list("competence_id", "target_level", "importance"))


def test_matrix_save_refuses_everything_when_one_profile_is_wrong(world):
    _version, items, first, second = _two_profiles(world)
    before = _targets(first)
    with pytest.raises(ValidationError) as info:
        services.profile_matrix_save(
            targets=[
                (first, [(items[0], 4, "essential"), (items[1], 3, "important")]),
                (second, [(items[0], 9, "essential")]),  # not a level of the scale
            ],
            actor="t",
        )
    assert "B ideal" in info.value.messages[0]  # the message names the profile
    assert _targets(first) == before and _targets(second) == []
    services.profile_matrix_save(
        targets=[(first, [(items[0], 4, "essential")]), (second, [(items[1], 1, "nice_to_have")])], actor="t"
    )
    assert _targets(first) == [(items[0].pk, 4, "essential")]
    assert _targets(second) == [(items[1].pk, 1, "nice_to_have")]


def test_matrix_page_leaves_the_first_profile_unchanged_when_the_second_is_invalid(world, login):
    version, items, first, second = _two_profiles(world)
    before = _targets(first)
    client = login(world.user("admin"))
    response = client.post(
        f"/frameworks/versions/{version.pk}/profiles/",
        {
            f"t-{first.pk}-{items[0].pk}": "4",
            f"i-{first.pk}-{items[0].pk}": "essential",
            f"t-{second.pk}-{items[1].pk}": "9",
            f"i-{second.pk}-{items[1].pk}": "essential",
        },
    )
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert _targets(first) == before and _targets(second) == []


def test_profile_is_created_in_the_municipality_chosen_in_the_header(world, login):
    _f, version, _area, _items = make_framework(None, name="National", publish=True)
    client = login(world.user("platform_admin"))
    assert client.post("/municipality/", {"municipality": world.b.pk}).status_code == 302
    response = client.post(
        f"/frameworks/versions/{version.pk}/new-profile/", {"name": "Bby ideal", "kind": "named"}
    )
    assert response.status_code == 302
    assert Profile.objects.get(name="Bby ideal").municipality == world.b


def test_profile_create_is_refused_where_the_user_may_not_edit(world, login):
    """HR in A who only coordinates in B: working in B, they may not create a profile there."""
    _f, version, _area, _items = make_framework(None, name="National", publish=True)
    RoleAssignment.objects.create(user=world.user("hr"), role=Role.COORDINATOR, municipality=world.b)
    client = login(world.user("hr"))
    assert client.get(f"/frameworks/versions/{version.pk}/new-profile/").status_code == 200  # in A
    assert client.post("/municipality/", {"municipality": world.b.pk}).status_code == 302
    url = f"/frameworks/versions/{version.pk}/new-profile/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Bby ideal", "kind": "named"}).status_code == 403
    assert not Profile.objects.exists()


def test_framework_is_created_in_the_municipality_chosen_in_the_header(world, login):
    client = login(world.user("platform_admin"))
    client.post("/municipality/", {"municipality": world.b.pk})
    response = client.post("/frameworks/new/", {"name": "Bby ramme", "description": "", "language": "da"})
    assert response.status_code == 302
    assert Framework.objects.get(name="Bby ramme").municipality == world.b
