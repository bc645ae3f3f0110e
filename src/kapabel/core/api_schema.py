"""Shared pieces of the API's description: the problem details every error answers with, request
bodies that are JSON objects, and the paginator. In core, beside `api_auth`, so that every app's
router can use them without importing the API package above it."""

from __future__ import annotations

from typing import Annotated, Any

from django.db import models
from ninja import Field, Query, Schema
from ninja.pagination import PageNumberPagination
from pydantic import ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_SCHEMA_NAME = "ProblemDetails"


# An id given in a body or a query: positive and within the database's integers (a larger one would
# overflow them; ids in the path are looked up as they are and answer 404).
ID_MAX = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=ID_MAX)]


def id_query(description: str = "") -> Any:
    """An optional id as a query parameter: `campaign_id: int | None = id_query()`. (Not `Id | None`:
    Ninja resolves the annotations of a paginated view in the paginator's module, where `Id` is not.)"""
    return Query(None, ge=1, le=ID_MAX, description=description or None)


class FieldProblem(Schema):
    field: str = Field(description="Where: body.payload.name, query.page, or a model field.")
    message: str


class ProblemDetails(Schema):
    """RFC 9457 problem details: what every error of the API answers with."""

    type: str
    title: str
    status: int
    instance: str
    detail: str | None = None
    errors: list[FieldProblem] | None = Field(None, description="The fields that are not valid (422).")


def choices_schema(choices: type[models.Choices], name: str) -> dict[str, Any]:
    """The description of a Django choices field under its own name, inline: several models call their
    choices `Kind`, and the description holds one schema per name, so they would overwrite each other.
    Use as `Annotated[Model.Kind, WithJsonSchema(choices_schema(Model.Kind, "UnitKind"))]`."""
    return {"title": name, "type": "string", "enum": [str(value) for value in choices.values]}


def problem_response(description: str) -> dict[str, Any]:
    """An operation's response that is a problem details document (for `openapi_extra`)."""
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}}},
    }


def patch_field(**constraints: Any) -> Any:
    """A field of a PATCH body that may be left out (the value then stays as it is) but is not null:
    `name: str = patch_field(min_length=1)`. Give fields that may be emptied `X | None = None`."""
    return Field(None, **constraints)


class BodySchema(Schema):
    """A request body (or a part of one): a JSON object and nothing else.

    Ninja's `Schema` reads its fields as attributes of whatever it is given, so a bare JSON string
    would pass as a body whose fields are all optional (`"x".title` is a method of every string).
    A body that is not an object is refused as a field error (422) instead."""

    @model_validator(mode="wrap")
    @classmethod
    def _object_only(cls, values: Any, handler: Any, info: ValidationInfo) -> Any:
        if not isinstance(values, dict | BodySchema):
            raise PydanticCustomError("json_object", "Input should be a JSON object")
        return handler(values)


class PageQuery(Schema):
    # Bounded so that the offset fits the database's integers (an unbounded page overflowed them).
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int | None = Field(None, ge=1, le=1_000_000, description="At most the operation's maximum.")


class Pagination(PageNumberPagination):
    """Page-number pagination with bounded numbers."""

    Input = PageQuery  # type: ignore[assignment, misc]  # Ninja reads the query schema from `Input`
