"""Every API operation, fuzzed from its own OpenAPI description with Schemathesis: no server error,
and every answer is one the description promises (status code, content type, body schema).

Bounded and reproducible: a fixed number of examples per operation (valid and invalid requests),
derandomized, no example database. It runs as an HR officer and as a municipality administrator, each
with a write token, on the `world` with frameworks, profiles, campaigns, assessments and ratings;
about half of the ids it sends are ids of real objects, so requests reach past the 404s. The app is
called in-process through its WSGI handler: no server is started.

`KAPABEL_FUZZ_EXAMPLES=100 pytest tests/api/test_schemathesis.py -s` runs it harder and prints what
it did."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kapabel.assessments.models import Assessment, Campaign, Rating
from kapabel.competences.models import Competence, Framework, FrameworkVersion, Profile
from kapabel.core import tokens
from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee, HRImport, JobRole, OrgUnit
from tests.assessments.factories import build_assessment_world
from tests.gaps.data import build_gap_data

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("KAPABEL_FUZZ_EXAMPLES", "12"))  # per operation and persona, valid requests
NEGATIVE_EXAMPLES = max(1, EXAMPLES * 2 // 3)  # and invalid ones

# Parameter and body field names that hold ids, and what they are ids of.
ID_OF = {
    "unit_id": OrgUnit,
    "parent_id": OrgUnit,
    "unit_ids": OrgUnit,
    "unit_ids_without_subtree": OrgUnit,
    "employee_id": Employee,
    "employee_ids": Employee,
    "job_role_id": JobRole,
    "job_role_ids": JobRole,
    "municipality_id": Municipality,
    "framework_id": Framework,
    "version_id": FrameworkVersion,
    "framework_version_id": FrameworkVersion,
    "competence_id": Competence,
    "wishes": Competence,
    "profile_id": Profile,
    "campaign_id": Campaign,
    "a": Campaign,
    "b": Campaign,
    "assessment_id": Assessment,
    "rating_id": Rating,
    "import_id": HRImport,
}


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The project's WSGI handler inside the test's transaction: as Django's test client does, the
    connection is not closed at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def real_ids() -> dict[str, list[int]]:
    ids = {
        model: list(model.objects.order_by("pk").values_list("pk", flat=True))
        for model in set(ID_OF.values())
    }
    return {name: ids[model] for name, model in ID_OF.items() if ids[model]}


def with_real_ids(value: Any, ids: dict[str, list[int]], draw: Callable[[Any], Any]) -> Any:
    """`value` (a body, or part of one) with about half of its ids replaced by ids of real objects."""
    if isinstance(value, list):
        return [with_real_ids(item, ids, draw) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        known = ids.get(key)
        if known and isinstance(item, int) and not isinstance(item, bool) and draw(st.booleans()):
            item = draw(st.sampled_from(known))
        elif known and isinstance(item, list) and item and draw(st.booleans()):
            item = draw(st.lists(st.sampled_from(known), min_size=1, max_size=3))
        result[key] = with_real_ids(item, ids, draw)
    return result


def fuzz(
    operation: Any, mode: GenerationMode, examples: int, headers: dict[str, str], statuses: Counter
) -> None:
    ids = real_ids()

    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Any, data: Any) -> None:
        for container in (case.path_parameters, case.query):
            if container:
                container.update(with_real_ids(dict(container), ids, data.draw))
        if isinstance(case.body, dict | list):
            case.body = with_real_ids(case.body, ids, data.draw)
        response = case.call(headers=headers)
        statuses[(operation.label, response.status_code)] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.mark.parametrize("persona", ["hr", "admin"])
def test_every_operation_keeps_its_description(world, wsgi_app, persona):
    build_assessment_world(world)
    build_gap_data(world)
    _token, raw = tokens.token_create(user=world.user(persona), name="fuzz", scope="write", actor="t")
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    failures: list[str] = []
    statuses: Counter = Counter()
    operations = 0
    start = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, examples in (
            (GenerationMode.POSITIVE, EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            try:
                fuzz(operation, mode, examples, headers, statuses)
            except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every operation
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    by_status = Counter()
    for (_label, status), n in statuses.items():
        by_status[status] += n
    answered = {label for (label, status), _n in statuses.items() if status < 300}
    print(
        f"\n{persona}: {operations} operations, {sum(by_status.values())} requests in "
        f"{time.monotonic() - start:.0f} s; by status {dict(sorted(by_status.items()))}; "
        f"{len(answered)} operations answered 2xx"
    )
    assert not failures, "\n\n".join(failures)
    assert operations > 50
    assert 401 not in by_status  # the token was accepted: the run tested more than authentication
    # And it reached past validation and lookups: a third of the operations answered 2xx (many of the
    # later apps' operations are for platform administrators or need an object the fuzzer cannot name).
    assert len(answered) > operations // 3
