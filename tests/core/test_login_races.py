"""Login throttling holds when attempts arrive at the same time (issue 10, defect B): with real
threads, on a file-backed SQLite database or on PostgreSQL."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client

from kapabel.core.models import FailedLogin
from tests.conftest import PASSWORD

LIMIT = 5
pytestmark = pytest.mark.django_db(transaction=True)


class SlowCountingBackend(ModelBackend):
    """Records every password check. Takes as long as a real Argon2 check, so that attempts sent at
    once are all in flight together, as they are in production."""

    checks: list[bool] = []
    lock = threading.Lock()

    def authenticate(self, request, username=None, password=None, **kwargs):
        time.sleep(0.3)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        with self.lock:
            self.checks.append(user is not None)
        return user


@pytest.fixture
def counted_checks(settings):
    settings.KAPABEL_LOGIN_MAX_FAILURES = LIMIT
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.SlowCountingBackend"]
    SlowCountingBackend.checks = []
    return SlowCountingBackend.checks


def attempt(password: str, start: threading.Barrier | None = None) -> int:
    if start is not None:
        start.wait()
    try:
        return Client().post("/account/login/", {"username": "hr", "password": password}).status_code
    finally:
        connection.close()  # this thread's connection


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(world, concurrent_db, counted_checks):
    start = threading.Barrier(16)
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda n: attempt(f"guess-{n}", start), range(16)))
    assert statuses == [200] * 16
    assert 1 <= len(counted_checks) <= LIMIT, f"{len(counted_checks)} passwords checked, limit {LIMIT}"
    # Refused attempts leave no row; the checked ones stay counted as failures.
    assert FailedLogin.objects.filter(username="hr").count() == len(counted_checks)
    assert not FailedLogin.objects.filter(finished_at__isnull=True).exists()


def test_a_right_password_among_guesses_does_not_reset_the_count_for_them(
    world, concurrent_db, counted_checks
):
    """The right password arrives first and is still being checked while 15 guesses arrive: it gets in,
    but its success does not clear the count for the guesses beside it, then or afterwards."""
    start = threading.Barrier(16)
    with ThreadPoolExecutor(16) as pool:
        right = pool.submit(attempt, PASSWORD)
        deadline = time.monotonic() + 10
        while not FailedLogin.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # the right attempt is recorded and now being checked
        guesses = [pool.submit(attempt, f"guess-{n}", start) for n in range(15)]
        start.wait()
        assert right.result() == 302
        assert [guess.result() for guess in guesses] == [200] * 15
    # Keep guessing, one at a time, until refused.
    for n in range(LIMIT + 1):
        attempt(f"later-{n}")
    wrong = counted_checks.count(False)
    assert wrong <= LIMIT, f"{wrong} wrong passwords checked in all, limit {LIMIT}"
    assert counted_checks.count(True) == 1
