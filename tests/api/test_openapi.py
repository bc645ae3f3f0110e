"""The OpenAPI description: one schema per name, and the error answers of every operation."""

from __future__ import annotations

import json
from collections import defaultdict

from ninja import Schema
from ninja.openapi.schema import OpenAPISchema

from kapabel.api.api import api


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def test_every_schema_class_of_the_project_has_its_own_name():
    """The description holds one schema per class name: two classes of one name (two apps'
    `CompetenceOut`) would document one of them with the other's shape."""
    by_name = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("kapabel."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    duplicates = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not duplicates
    assert len(by_name) > 40  # the routers were imported


def test_no_name_in_the_description_stands_for_two_shapes(monkeypatch):
    """Every definition Ninja puts under a name (models, enums such as the several `Kind`s, the
    paginator's query) is the same wherever it is used."""
    seen = defaultdict(list)
    original = OpenAPISchema.add_schema_definitions

    def record(self, definitions):
        for name, definition in definitions.items():
            seen[name].append(json.dumps(definition, sort_keys=True))
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", record)
    document = api.get_openapi_schema()
    clashes = {name: len(set(shapes)) for name, shapes in seen.items() if len(set(shapes)) > 1}
    assert not clashes
    assert "CompetenceOut" in seen and "GapCompetenceOut" in seen
    assert "ProblemDetails" in document["components"]["schemas"]


def test_every_operation_documents_its_errors_as_problem_details(client):
    document = client.get("/api/v1/openapi.json").json()
    problem = {"$ref": "#/components/schemas/ProblemDetails"}
    count = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = {"401", "403", "404", "422"}
            if "requestBody" in operation:
                expected |= {"400", "413"}
            documented = operation["responses"]
            assert expected <= set(documented), (method, path)
            for status in expected:
                content = documented[status]["content"]
                assert content == {"application/problem+json": {"schema": problem}}, (method, path, status)
            count += 1
    assert count > 50
    locking = document["paths"]["/api/v1/assessments/{assessment_id}"]["put"]["responses"]
    assert locking["409"]["content"]["application/problem+json"]["schema"] == problem
    schema = document["components"]["schemas"]["ProblemDetails"]
    assert set(schema["required"]) == {"type", "title", "status", "instance"}
