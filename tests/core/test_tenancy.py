"""The municipality an HTML page works in: chosen in the header, remembered, never `[0]`."""

from kapabel.core import tenancy
from kapabel.core.models import Role
from kapabel.organisation.models import RoleAssignment


def test_platform_admin_switches_municipality_and_it_is_remembered(world, login):
    client = login(world.user("platform_admin"))
    page = client.get("/").content.decode()
    assert 'name="municipality"' in page  # the switcher, because they can act in both
    response = client.post("/municipality/", {"municipality": world.b.pk, "next": "/organisation/units/"})
    assert response.status_code == 302 and response["Location"] == "/organisation/units/"
    assert client.session[tenancy.SESSION_KEY] == world.b.pk
    assert response.wsgi_request.session[tenancy.SESSION_KEY] == world.b.pk
    response = client.get("/")
    assert response.context["shell_municipality"] == world.b.name


def test_a_user_cannot_switch_to_a_municipality_they_have_no_role_in(world, login):
    client = login(world.user("admin"))
    assert client.post("/municipality/", {"municipality": world.b.pk}).status_code == 403
    assert tenancy.SESSION_KEY not in client.session
    assert client.get("/").context["shell_municipality"] == world.a.name


def test_an_unsafe_next_goes_home_and_get_is_refused(world, login):
    client = login(world.user("platform_admin"))
    response = client.post("/municipality/", {"municipality": world.a.pk, "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/municipality/").status_code == 405


def test_hr_granted_in_two_municipalities_sees_the_switcher(world, login):
    RoleAssignment.objects.create(user=world.user("hr"), role=Role.HR, municipality=world.b)
    page = login(world.user("hr")).get("/").content.decode()
    assert world.a.name in page and world.b.name in page and 'name="municipality"' in page
    single = login(world.user("coordinator")).get("/").content.decode()
    assert 'name="municipality"' not in single
