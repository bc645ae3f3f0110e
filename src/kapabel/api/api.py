"""The one NinjaAPI object under /api/v1/: authentication, RFC 9457 problem details, routers."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema

from kapabel.core import outage
from kapabel.core.access import scope_for
from kapabel.core.api_auth import SessionAuth, TokenAuth
from kapabel.core.api_schema import PROBLEM_SCHEMA_NAME, ProblemDetails, problem_response

logger = logging.getLogger("kapabel.api")

# The error answers every operation may give, as problem details (RFC 9457). An operation adds its
# own (409 where it locks optimistically) through `openapi_extra`.
ERROR_RESPONSES = {
    401: "Authentication required: no valid token or session.",
    403: "Not allowed: the role, the scope of the token or the state of the object forbids it.",
    404: "Not found, or not visible to you.",
    422: "The parameters or the body are not valid; `errors` lists the fields.",
}
BODY_ERROR_RESPONSES = {
    400: "The body could not be read (not JSON, or a malformed upload).",
    413: "The body is larger than the server accepts.",
}


class KapabelAPI(NinjaAPI):
    """Ninja's API with the error answers of every operation in its OpenAPI description."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problem = ProblemDetails.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
        )
        schema["components"]["schemas"].update(problem.pop("$defs", {}))
        schema["components"]["schemas"][PROBLEM_SCHEMA_NAME] = problem
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                errors = ERROR_RESPONSES | (BODY_ERROR_RESPONSES if "requestBody" in operation else {})
                responses = operation["responses"]
                for status, description in errors.items():
                    responses.setdefault(status, problem_response(description))
                operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))
        return schema


api = KapabelAPI(
    title="Kapabel API",
    version="1",
    description="Competence development for Danish municipalities. Authenticate with a personal access "
    "token (`Authorization: Bearer kap_…`, created with `kapabel token create`) or a browser session.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def problem(request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    """An RFC 9457 problem details response."""
    body = {"type": "about:blank", "title": title, "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JsonResponse(
        body,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


def _field_message(error: dict[str, Any]) -> str:
    """A request-validation error in the user's language. Pydantic writes its messages in English;
    the common kinds are translated here, a rarer one keeps Pydantic's text."""
    kind = str(error.get("type", ""))
    limits = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("Enter a number.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind.startswith("date_"):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind.startswith("datetime_"):
        return _("Enter a valid date and time (ISO 8601).")
    if kind == "json_object":
        return _("Send a JSON object.")
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        return _("The value has the wrong type.")
    if kind == "string_too_long" and "max_length" in limits:
        return _("Enter at most %(limit)s characters.") % {"limit": limits["max_length"]}
    if kind == "less_than_equal" and "le" in limits:
        return _("Enter a value of at most %(limit)s.") % {"limit": limits["le"]}
    if kind == "greater_than_equal" and "ge" in limits:
        return _("Enter a value of at least %(limit)s.") % {"limit": limits["ge"]}
    if kind == "less_than" and "lt" in limits:
        return _("Enter a value less than %(limit)s.") % {"limit": limits["lt"]}
    if kind == "greater_than" and "gt" in limits:
        return _("Enter a value greater than %(limit)s.") % {"limit": limits["gt"]}
    if kind in ("literal_error", "enum"):
        return _("Choose one of the allowed values.")
    return str(error.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", [])), "message": _field_message(error)}
        for error in exc.errors
    ]
    return problem(
        request, 422, _("The request is not valid."), _("Correct the fields listed in errors."), errors=errors
    )


@api.exception_handler(ValidationError)
def _invalid_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "", "message": message} for message in exc.messages]
    return problem(
        request, 422, _("The data is not valid."), "; ".join(e["message"] for e in errors), errors=errors
    )


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return problem(
        request,
        413,
        _("The request is too large."),
        _("The request body may hold at most %(limit)s kB of data besides files. Send less at a time.")
        % {"limit": (limit or 0) // 1024},
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(
        request,
        401,
        _("Authentication required."),
        _("Send a valid personal access token as 'Authorization: Bearer …'."),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, _("You do not have permission to do this."), str(exc) if str(exc) else "")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, _("Not found."))


def _ninja_message(message: str) -> str:
    """Django Ninja's own error messages (English literals in the library), in the user's language.
    Our routers raise `HttpError` with messages already translated; those pass through."""
    known = {
        "CSRF check Failed": _("The CSRF check failed. Send the CSRF token with the request."),
        "Cannot parse request body": _("The request body could not be read."),
        "Too many requests.": _("Too many requests. Wait a little and try again."),
        "Unauthorized": _("Authentication required."),
        "Forbidden": _("You do not have permission to do this."),
    }
    for english, translated in known.items():
        if message.startswith(english):  # with DEBUG on, Ninja appends the parser's error
            return translated
    return message


@api.exception_handler(SuspiciousOperation)
def _malformed(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """A request Django refuses to read (too many fields or files, a broken multipart body)."""
    return problem(request, 400, _("The request could not be read."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, _ninja_message(str(exc.message)))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if outage.is_database_unavailable(exc):
        outage.log_unavailable(request, exc)
        return outage.unavailable_response(request)
    logger.exception("API error", extra={"path": request.path})
    return problem(
        request, 500, _("Something went wrong on our side."), _("The error has been logged. Try again later.")
    )


class MeOut(Schema):
    username: str
    roles: list[str]
    employee_id: int | None
    municipality_ids: list[int]


@api.get("/me", response=MeOut, tags=["session"], summary="Who am I and which roles do I hold")
def me(request: HttpRequest) -> dict[str, Any]:
    scope = scope_for(request.user)
    return {
        "username": request.user.get_username(),
        "roles": sorted(role.value for role in scope.roles),
        "employee_id": scope.employee_id,
        "municipality_ids": sorted(scope.municipality_ids),
    }


from kapabel.organisation.api import router as organisation_router  # noqa: E402

api.add_router("", organisation_router)

from kapabel.competences.api import router as competences_router  # noqa: E402

api.add_router("", competences_router)

from kapabel.organisation.hr_import.api import router as hr_import_router  # noqa: E402

api.add_router("", hr_import_router)
from kapabel.assessments.api import router as assessments_router  # noqa: E402

api.add_router("", assessments_router)
from kapabel.gaps.api import router as gaps_router  # noqa: E402

api.add_router("", gaps_router)
from kapabel.learning.api import router as learning_router  # noqa: E402

api.add_router("", learning_router)
from kapabel.administration.api import router as administration_router  # noqa: E402

api.add_router("", administration_router)
from kapabel.dialogues.api import router as dialogues_router  # noqa: E402

api.add_router("", dialogues_router)
from kapabel.programmes.api import router as programmes_router  # noqa: E402

api.add_router("", programmes_router)
from kapabel.privacy.api import router as privacy_router  # noqa: E402

api.add_router("", privacy_router)
