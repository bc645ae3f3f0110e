"""The embedded SQLite database does not drop writes under a municipality's normal load (issue 10,
defect A): the real server (gunicorn) on a SQLite file, 20 people at once, 30 % writes."""

import pytest
from django.db import connection

from kapabel.testing import loadtest

pytestmark = pytest.mark.load

CLIENTS = 20


@pytest.fixture
def load_data(transactional_db):
    if connection.vendor != "sqlite":
        pytest.skip("about SQLite's single writer; PostgreSQL has row locks")
    return loadtest.seed(clients=CLIENTS, employees=50)


def test_twenty_people_at_once_lose_no_writes(load_data, concurrent_db, tmp_path):
    # Two threaded workers with ten threads each: all twenty people are served at once, so twenty
    # connections wait for SQLite's write lock together (the hardest case; gunicorn's default sync
    # workers let at most one request per worker wait). As they start, a background job holds the
    # write lock for 6 s: longer than SQLite's own busy timeout (5 s), which used to fail every write
    # that waited for it.
    with loadtest.app_server(
        database_url=f"sqlite:///{concurrent_db}", var_dir=tmp_path, workers=2, threads=10
    ) as base_url:
        connection.close()  # the server has the file to itself
        with loadtest.sqlite_write_lock_held(concurrent_db, seconds=6):
            result = loadtest.run_load(base_url, load_data, clients=CLIENTS, requests=6, write_share=0.3)
    print(result.summary())
    assert len(result.writes) >= CLIENTS * 2, result.summary()
    assert not result.failed_writes, result.summary()
    assert not result.server_errors, result.summary()
