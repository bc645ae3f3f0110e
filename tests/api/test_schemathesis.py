"""Every API operation, fuzzed from its own OpenAPI description (Schemathesis, bounded and
derandomized): no server error, and every answer is what the description promises."""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kapabel.core import tokens
from tests.assessments.factories import build_assessment_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("KAPABEL_FUZZ_EXAMPLES", 10))  # per operation, generation mode and persona


@pytest.mark.parametrize("persona", ["hr", "admin"])
def test_every_operation_keeps_its_description(world, persona):
    build_assessment_world(world)
    _token, raw = tokens.token_create(user=world.user(persona), name="fuzz", scope="write", actor="t")
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    failures = []
    statuses: Counter = Counter()
    timings = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        start = time.monotonic()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            def run(case):
                response = case.call(headers=headers)
                statuses[(operation.label, response.status_code)] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every operation
                failures.append(f"{operation.label} ({mode.value}): {exc}")
        timings[operation.label] = time.monotonic() - start
    for (label, status), n in sorted(statuses.items()):
        print(f"{label:70} {status} x{n}")
    for label, seconds in sorted(timings.items(), key=lambda t: -t[1])[:15]:
        print(f"{seconds:6.1f}s {label}")
    assert not failures, "\n\n".join(failures)
