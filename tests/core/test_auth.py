from django.conf import settings as django_settings

from tests.conftest import PASSWORD


def test_argon2_is_the_password_hasher():
    # The test suite swaps in a fast hasher per test; the real settings put Argon2 first.
    from importlib import reload

    import kapabel.settings as kapabel_settings

    assert reload(kapabel_settings).PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_and_logout(world, client):
    response = client.post("/account/login/", {"username": "hr", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/account/logout/")
    assert client.get("/").status_code == 302


def test_failed_logins_are_throttled(world, client, settings):
    settings.KAPABEL_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        response = client.post("/account/login/", {"username": "hr", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/account/login/", {"username": "hr", "password": PASSWORD})
    assert response.status_code == 200, "the right password is refused while locked out"
    assert "locked_out" in [e.code for e in response.context["form"].non_field_errors().as_data()]
    # Another user is not affected.
    assert client.post("/account/login/", {"username": "admin", "password": PASSWORD}).status_code == 302


def test_password_change(world, client):
    client.force_login(world.user("employee"))
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-Longer-pass-42",
            "new_password2": "a-much-Longer-pass-42",
        },
    )
    assert response.status_code == 302
    world.user("employee").refresh_from_db()
    assert world.user("employee").check_password("a-much-Longer-pass-42")


def test_session_cookie_is_http_only():
    assert django_settings.SESSION_COOKIE_HTTPONLY


def test_a_right_password_clears_the_failures_before_it(world, client, settings):
    settings.KAPABEL_LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        client.post("/account/login/", {"username": "hr", "password": "wrong"})
    assert client.post("/account/login/", {"username": "hr", "password": PASSWORD}).status_code == 302
    client.post("/account/logout/")
    for _ in range(3):
        response = client.post("/account/login/", {"username": "hr", "password": "wrong"})
        assert "invalid_login" in [e.code for e in response.context["form"].non_field_errors().as_data()]
    response = client.post("/account/login/", {"username": "hr", "password": PASSWORD})
    assert "locked_out" in [e.code for e in response.context["form"].non_field_errors().as_data()]
