"""API for municipalities: list and read the ones you act in; platform administrators create one
(with starter frameworks and a first administrator) through the same service as the page and
`kapabel municipality create`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kapabel.administration import permissions, selectors, services
from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import BodySchema, Pagination
from kapabel.core.web import request_user
from kapabel.organisation import permissions as org_permissions
from kapabel.organisation import selectors as org_selectors

router = Router(tags=["municipalities"])


class MunicipalityOut(Schema):
    id: int
    name: str
    kommunekode: str
    cvr: str


class AdministratorIn(BodySchema):
    username: str = Field(description="An existing user's username (then no password), or a new login's.")
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    password: str | None = Field(
        None, description="Required for a new login; leave out for an existing user."
    )


class MunicipalityIn(BodySchema):
    # Plain strings: the service checks the code (three digits, not taken) and answers 422 with a
    # message, after the permission check.
    name: str = Field(description="For example Aarhus Kommune.")
    kommunekode: str = Field(description="The three-digit municipality code, for example 751.")
    cvr: str = ""
    starters: list[str] = Field(
        default_factory=list, description="Keys from GET /starter-frameworks, e.g. jobcenter."
    )
    administrator: AdministratorIn | None = Field(None, description="The municipality's first administrator.")


class StarterOut(Schema):
    key: str
    name: str
    description: str
    competences: int
    job_roles: list[str]


@router.get("/municipalities", response=list[MunicipalityOut], summary="List the municipalities you act in")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_municipalities(request: HttpRequest) -> Any:
    return org_selectors.municipalities_for_user(request.user).order_by("name")


@router.get("/municipalities/{municipality_id}", response=MunicipalityOut)
def get_municipality(request: HttpRequest, municipality_id: int) -> Any:
    return org_permissions.get_municipality_for_user(request.user, municipality_id)


@router.post(
    "/municipalities",
    response={201: MunicipalityOut},
    summary="Create a municipality, its starter frameworks and first administrator (platform administrators)",
)
def create_municipality(request: HttpRequest, payload: MunicipalityIn) -> Any:
    require_write_scope(request)
    user = request_user(request)
    permissions.require_create_municipality(user)
    admin = payload.administrator
    municipality = services.municipality_setup(
        name=payload.name,
        kommunekode=payload.kommunekode,
        cvr=payload.cvr,
        starters=payload.starters,
        administrator=services.FirstAdministrator(**admin.dict()) if admin is not None else None,
        actor=user,
    )
    return Status(201, municipality)


@router.get(
    "/starter-frameworks", response=list[StarterOut], summary="The starter frameworks a municipality can pick"
)
def list_starters(request: HttpRequest) -> Any:
    return [
        {
            "key": item.key,
            "name": item.name,
            "description": item.description,
            "competences": item.competences,
            "job_roles": list(item.job_roles),
        }
        for item in selectors.starters_catalogue()
    ]
