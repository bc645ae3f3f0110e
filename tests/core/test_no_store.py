"""Personal data is never cached (issue 10, defect C): pages, exports and API answers say no-store."""

from kapabel.core import tokens
from kapabel.core.models import PersonalAccessToken


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_exports_and_api_answers_are_not_stored(world, login):
    client = login(world.user("hr"))
    page = client.get("/")
    assert page.status_code == 200 and no_store(page)
    export = client.get("/gaps/?export=csv")
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")
    assert no_store(export)
    api = client.get("/api/v1/me")
    assert api.status_code == 200 and no_store(api)
    assert no_store(client.get("/findes-ikke/")), "an error page of a logged-in person"


def test_api_answers_to_a_token_are_not_stored(world, client):
    _token, raw = tokens.token_create(
        user=world.user("admin"), name="sync", scope=PersonalAccessToken.Scope.READ, actor="tests"
    )
    response = client.get("/api/v1/employees", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and no_store(response)
    assert no_store(client.get("/api/v1/employees")), "the 401 answer too"


def test_static_files_keep_their_caching(db, client):
    static = client.get("/static/vendor/htmx/htmx.min.js")
    assert static.status_code == 200 and not no_store(static)
