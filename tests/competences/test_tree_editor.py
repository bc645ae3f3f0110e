"""The tree editor's views: drag-and-drop reordering, inline (HTMX) forms and their responses, a
confirmation before removing, and a profile's own edit page, with the usual access cases."""

from __future__ import annotations

import pytest

from kapabel.competences import services
from kapabel.competences.models import Competence, Profile
from tests.competences.factories import make_framework

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def order(area) -> list[int]:
    return list(
        Competence.objects.filter(parent=area).order_by("position", "id").values_list("pk", flat=True)
    )


def test_reorder_sets_the_order_of_one_level(world, login):
    _framework, version, area, items = make_framework(world.a)
    url = f"/frameworks/versions/{version.pk}/reorder/"
    client = login(world.user("hr"))
    new = [items[2].pk, items[0].pk, items[1].pk]
    response = client.post(
        url, {"parent": area.pk, "order": ",".join(map(str, new)), "moved": items[2].pk}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="competence-tree"' in body
    assert "Testramme kompetence 3 blev flyttet." in body and 'data-focus="edit-' in body
    assert response["HX-Retarget"] == "#competence-tree"
    assert order(area) == new
    # An order that does not list exactly that level's competences changes nothing.
    response = client.post(url, {"parent": area.pk, "order": f"{items[0].pk},{items[1].pk}"}, **HTMX)
    assert "alert-error" in response.content.decode() and order(area) == new
    # Without HTMX: a redirect back to the framework; odd input is no server error.
    assert client.post(url, {"parent": area.pk, "order": ",".join(map(str, new))}).status_code == 302
    assert client.post(url, {"parent": "x", "order": "a,b", "moved": "y"}, **HTMX).status_code == 200


def test_reorder_is_refused_to_readers_strangers_and_published_versions(world, login):
    _framework, version, area, items = make_framework(world.a)
    url = f"/frameworks/versions/{version.pk}/reorder/"
    data = {"parent": area.pk, "order": f"{items[1].pk},{items[0].pk},{items[2].pk}"}
    assert login(world.user("employee")).post(url, data).status_code == 404  # a draft is hidden
    assert login(world.user("other_municipality_admin")).post(url, data).status_code == 404
    assert login(world.user("admin")).get(url).status_code == 405
    services.version_publish(version=version, actor="t")
    assert login(world.user("employee")).post(url, data).status_code == 403
    login(world.user("admin")).post(url, data, **HTMX)
    assert order(area) == [items[0].pk, items[1].pk, items[2].pk]


def test_remove_asks_first_then_removes(world, login):
    _framework, _version, area, items = make_framework(world.a)
    client = login(world.user("admin"))
    url = f"/frameworks/competences/{area.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert "De 3 kompetencer under den fjernes også." in page.content.decode()
    fragment = client.get(url, **HTMX).content.decode()
    assert "<html" not in fragment and f'id="confirm-delete-{area.pk}"' in fragment
    assert Competence.objects.filter(pk=area.pk).exists()  # asking removes nothing
    response = client.post(f"/frameworks/competences/{items[0].pk}/delete/", **HTMX)
    assert "Testramme kompetence 1 blev fjernet." in response.content.decode()
    assert not Competence.objects.filter(pk=items[0].pk).exists()
    assert client.post(url).status_code == 302 and not Competence.objects.filter(pk=area.pk).exists()
    assert (
        login(world.user("employee")).get(f"/frameworks/competences/{items[1].pk}/delete/").status_code == 404
    )


def test_inline_forms_answer_with_a_fragment_then_the_tree(world, login):
    _framework, version, area, items = make_framework(world.a)
    client = login(world.user("admin"))
    edit = f"/frameworks/competences/{items[0].pk}/edit/"
    form = client.get(edit, **HTMX).content.decode()
    assert "<html" not in form and f'hx-target="#panel-{items[0].pk}"' in form
    invalid = client.post(edit, {"name_da": "", "name_en": ""}, **HTMX)
    assert invalid.status_code == 200 and "HX-Retarget" not in invalid
    assert "form-error-message" in invalid.content.decode()
    saved = client.post(edit, {"name_da": "Nyt navn", "parent": area.pk}, **HTMX)
    assert saved["HX-Retarget"] == "#competence-tree" and "Nyt navn blev gemt." in saved.content.decode()
    create = f"/frameworks/versions/{version.pk}/new-competence/?parent={area.pk}"
    assert 'id="panel-' in client.get(create, **HTMX).content.decode()
    added = client.post(create, {"name_da": "Tilføjet", "parent": area.pk}, **HTMX)
    assert "Tilføjet blev tilføjet." in added.content.decode()
    assert order(area)[-1] == Competence.objects.get(name_da="Tilføjet").pk


def test_profile_edit_page(world, login):
    _framework, version, _area, items = make_framework(world.a, publish=True)
    profile = services.profile_create(
        municipality=world.a,
        framework_version=version,
        name="Sagsbehandler",
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_a,
        actor="t",
    )
    url = f"/frameworks/profiles/{profile.pk}/edit/"
    admin = login(world.user("admin"))
    detail = admin.get(f"/frameworks/profiles/{profile.pk}/").content.decode()
    assert f'href="{url}"' in detail
    form = {"name": "Sagsbehandler 2026", "kind": "job_role", "job_role": world.role_a.pk}
    form |= {f"t-{profile.pk}-{items[1].pk}": "3", f"i-{profile.pk}-{items[1].pk}": "essential"}
    assert admin.post(url, form).status_code == 302
    profile.refresh_from_db()
    target = profile.targets.get()
    assert profile.name == "Sagsbehandler 2026" and (target.competence, target.target_level) == (items[1], 3)
    # A level outside the scale changes nothing at all (the name neither).
    bad = form | {"name": "Ændret", f"t-{profile.pk}-{items[1].pk}": "9"}
    assert admin.post(url, bad).status_code == 200
    profile.refresh_from_db()
    assert profile.name == "Sagsbehandler 2026"
    # A job-role profile needs an editor for the whole municipality; strangers see nothing.
    assert login(world.user("hr")).get(url).status_code == 403
    assert login(world.user("other_municipality_admin")).get(url).status_code == 404
    services.profile_publish(profile=profile, actor="t")
    admin = login(world.user("admin"))  # one test client: log the administrator in again
    published = admin.get(url)
    assert published.status_code == 302 and published["Location"] == f"/frameworks/profiles/{profile.pk}/"
    assert f'href="{url}"' not in admin.get(f"/frameworks/profiles/{profile.pk}/").content.decode()


def test_the_next_action_clears_the_last_status_line(world, login):
    # "… blev fjernet." once stayed above the tree while the next competence was being edited.
    _framework, version, area, items = make_framework(world.a)
    client = login(world.user("admin"))
    removed = client.post(f"/frameworks/competences/{items[0].pk}/delete/", **HTMX).content.decode()
    assert "blev fjernet." in removed
    cleared = '<div id="competence-tree-status" hx-swap-oob="innerHTML"></div>'
    for url in (
        f"/frameworks/competences/{items[1].pk}/edit/",
        f"/frameworks/competences/{items[1].pk}/delete/",
        f"/frameworks/versions/{version.pk}/new-competence/?parent={area.pk}",
    ):
        assert cleared in client.get(url, **HTMX).content.decode(), url
        assert cleared not in client.get(url).content.decode(), url  # a page of its own has no tree
