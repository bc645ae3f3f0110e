"""API for frameworks, versions, competences, profiles and individual targets. Same selectors,
permission helpers and services as the HTML views."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from kapabel.competences import permissions, selectors, services
from kapabel.competences.exchange import parse
from kapabel.competences.models import FrameworkVersion, Importance, Profile
from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import BodySchema, Id, choices_schema, id_query
from kapabel.core.web import AuthenticatedHttpRequest
from kapabel.organisation import permissions as org_permissions

router = Router(tags=["competences"])
Format = Literal["moodle-csv", "case-json"]
ProfileKind = Annotated[Profile.Kind, WithJsonSchema(choices_schema(Profile.Kind, "ProfileKind"))]


class FrameworkOut(Schema):
    id: int
    municipality_id: int | None
    name: str
    description: str
    language: str
    identifier: str
    versions: list[dict[str, Any]]

    @staticmethod
    def resolve_versions(obj: Any) -> list[dict[str, Any]]:
        return [{"id": v.id, "number": v.number, "status": v.status} for v in obj.versions.all()]


class FrameworkIn(BodySchema):
    municipality_id: Id
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    language: Literal["da", "en"] = "da"


class ImportIn(BodySchema):
    municipality_id: Id
    format: Format
    content: str = Field(description="The file's text (CSV or JSON).")
    language: Literal["da", "en"] = "da"


class LevelOut(Schema):
    value: int
    name_da: str
    name_en: str
    descriptor_da: str
    descriptor_en: str
    proficient: bool


class CompetenceOut(Schema):
    id: int
    parent_id: int | None
    position: int
    depth: int
    identifier: str
    code: str
    name_da: str
    name_en: str
    description_da: str
    description_en: str
    indicators_da: str
    indicators_en: str
    esco_uri: str
    scale_id: int | None


class VersionOut(Schema):
    id: int
    framework_id: int
    number: int
    status: str
    scale_id: int | None
    scales: list[dict[str, Any]]
    competences: list[CompetenceOut]


class CompetenceIn(BodySchema):
    parent_id: Id | None = None
    code: str = ""
    name_da: str = ""
    name_en: str = ""
    description_da: str = ""
    description_en: str = ""
    indicators_da: str = ""
    indicators_en: str = ""
    esco_uri: str = ""


class ProfileOut(Schema):
    id: int
    municipality_id: int
    framework_version_id: int
    kind: str
    job_role_id: int | None
    unit_id: int | None
    name: str
    number: int
    status: str
    targets: list[dict[str, Any]]

    @staticmethod
    def resolve_targets(obj: Any) -> list[dict[str, Any]]:
        return [
            {"competence_id": t.competence_id, "target_level": t.target_level, "importance": t.importance}
            for t in obj.targets.all()
        ]


class ProfileIn(BodySchema):
    municipality_id: Id
    version_id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: ProfileKind = Profile.Kind.NAMED
    job_role_id: Id | None = None
    unit_id: Id | None = None


class TargetIn(BodySchema):
    competence_id: Id
    target_level: int | None
    importance: Importance = Importance.IMPORTANT


class TargetOut(Schema):
    competence_id: int
    target_level: int
    importance: Importance


class TargetsIn(BodySchema):
    targets: list[TargetIn] = []


class IndividualTargetIn(BodySchema):
    employee_id: Id
    competence_id: Id
    target_level: int
    importance: Importance = Importance.IMPORTANT
    note: str = ""


class IndividualTargetOut(Schema):
    id: int
    employee_id: int
    framework_version_id: int
    competence_id: int
    target_level: int
    importance: str
    note: str


def _version_out(version: FrameworkVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "framework_id": version.framework_id,
        "number": version.number,
        "status": version.status,
        "scale_id": version.scale_id,
        "scales": [
            {
                "id": s.id,
                "name": s.name,
                "levels": [LevelOut.from_orm(level).dict() for level in s.levels.all()],
            }
            for s in selectors.scales_with_levels(version)
        ],
        "competences": [c for _depth, c in selectors.flat_tree(version)],
    }


@router.get("/frameworks", response=list[FrameworkOut], summary="Frameworks you may use")
def list_frameworks(request: AuthenticatedHttpRequest) -> Any:
    return selectors.frameworks_for_user(request.user).prefetch_related("versions")


@router.get("/frameworks/{framework_id}", response=FrameworkOut)
def get_framework(request: AuthenticatedHttpRequest, framework_id: int) -> Any:
    return permissions.get_framework_for_user(request.user, framework_id)


@router.post("/frameworks", response={201: FrameworkOut}, summary="Create a framework (HR, administrators)")
def create_framework(request: AuthenticatedHttpRequest, payload: FrameworkIn) -> Any:
    require_write_scope(request)
    municipality = org_permissions.get_municipality_for_user(request.user, payload.municipality_id)
    permissions.require(permissions.can_edit_in_municipality(request.user, municipality.pk))
    data = payload.dict(exclude={"municipality_id"})
    return 201, services.framework_create(municipality=municipality, actor=request.user, **data)


@router.get("/framework-imports", summary="The formats an import accepts")
def import_formats(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    return {"formats": ["moodle-csv", "case-json"]}


@router.post("/framework-imports", response={201: FrameworkOut}, summary="Import Moodle CSV or CASE JSON")
def import_framework(request: AuthenticatedHttpRequest, payload: ImportIn) -> Any:
    require_write_scope(request)
    municipality = org_permissions.get_municipality_for_user(request.user, payload.municipality_id)
    permissions.require(permissions.can_edit_in_municipality(request.user, municipality.pk))
    data = parse(payload.content, payload.format, language=payload.language)
    return 201, services.framework_import(
        data=data, municipality=municipality, actor=request.user, source="api"
    )


@router.post("/frameworks/{framework_id}/versions", response={201: VersionOut}, summary="New draft version")
def create_version(request: AuthenticatedHttpRequest, framework_id: int) -> Any:
    require_write_scope(request)
    framework = permissions.get_framework_for_user(request.user, framework_id)
    permissions.require(permissions.can_edit_framework(request.user, framework))
    return 201, _version_out(services.version_create_draft(framework=framework, actor=request.user))


@router.get("/framework-versions/{version_id}", response=VersionOut, summary="A version with scales and tree")
def get_version(request: AuthenticatedHttpRequest, version_id: int) -> Any:
    return _version_out(permissions.get_version_for_user(request.user, version_id))


@router.get("/framework-versions/{version_id}/export", summary="Export as Moodle CSV or CASE JSON")
def export(request: AuthenticatedHttpRequest, version_id: int, format: Format = "case-json") -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_id)
    content, content_type, extension = selectors.version_export(version, format)
    response = HttpResponse(content, content_type=content_type)
    name = f"framework-{version.framework_id}-v{version.number}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class StatusIn(BodySchema):
    status: Literal["published", "retired"]


@router.get(
    "/frameworks/{framework_id}/versions", response=list[dict[str, Any]], summary="Versions you may read"
)
def list_versions(request: AuthenticatedHttpRequest, framework_id: int) -> Any:
    framework = permissions.get_framework_for_user(request.user, framework_id)
    return [
        {"id": v.id, "number": v.number, "status": v.status, "published_at": v.published_at}
        for v in selectors.versions_for_user(request.user, framework)
    ]


@router.get("/framework-versions/{version_id}/competences", response=list[CompetenceOut])
def list_competences(request: AuthenticatedHttpRequest, version_id: int) -> Any:
    version = permissions.get_version_for_user(request.user, version_id)
    return [c for _depth, c in selectors.flat_tree(version)]


@router.patch("/framework-versions/{version_id}", response=VersionOut, summary="Publish or retire a version")
def change_version_status(request: AuthenticatedHttpRequest, version_id: int, payload: StatusIn) -> Any:
    require_write_scope(request)
    version = permissions.get_version_for_user(request.user, version_id)
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    if payload.status == "published":
        return _version_out(services.version_publish(version=version, actor=request.user))
    return _version_out(services.version_retire(version=version, actor=request.user))


@router.post("/framework-versions/{version_id}/competences", response={201: CompetenceOut})
def create_competence(request: AuthenticatedHttpRequest, version_id: int, payload: CompetenceIn) -> Any:
    require_write_scope(request)
    version = permissions.get_version_for_user(request.user, version_id)
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    data = payload.dict()
    parent_id = data.pop("parent_id")
    parent = permissions.get_competence_for_user(request.user, parent_id) if parent_id else None
    return 201, services.competence_create(version=version, parent=parent, actor=request.user, **data)


class ProfileMoveIn(BodySchema):
    municipality_id: Id = Field(description="Whose profiles move (you need a whole-municipality grant)")
    version_id: Id = Field(description="A published version of the framework")


@router.get(
    "/frameworks/{framework_id}/profile-moves",
    response=list[ProfileOut],
    summary="The published profiles a move onto the newest (or the given) version would move",
)
def profiles_to_move(
    request: AuthenticatedHttpRequest,
    framework_id: int,
    municipality_id: int | None = None,
    version_id: int | None = None,
) -> Any:
    framework = permissions.get_framework_for_user(request.user, framework_id)
    owner = municipality_id if municipality_id is not None else framework.municipality_id
    if owner is None:
        raise ValidationError({"municipality_id": _("Give the municipality whose profiles would move.")})
    municipality = org_permissions.get_municipality_for_user(request.user, owner)
    permissions.require(permissions.can_move_profiles(request.user, municipality.pk))
    version = (
        permissions.get_version_for_user(request.user, version_id)
        if version_id is not None
        else selectors.published_version(framework)
    )
    if version is None or version.framework_id != framework.pk:
        return []
    return selectors.profiles_on_older_versions(framework, version, municipality.pk)


@router.post(
    "/frameworks/{framework_id}/profile-moves",
    response=list[ProfileOut],
    summary="Move all published profiles of a municipality onto a newer version of the framework",
)
def move_profiles(request: AuthenticatedHttpRequest, framework_id: int, payload: ProfileMoveIn) -> Any:
    require_write_scope(request)
    framework = permissions.get_framework_for_user(request.user, framework_id)
    municipality = org_permissions.get_municipality_for_user(request.user, payload.municipality_id)
    permissions.require(permissions.can_move_profiles(request.user, municipality.pk))
    version = permissions.get_version_for_user(request.user, payload.version_id)
    return services.profiles_move_to_version(
        framework=framework, version=version, municipality=municipality, actor=request.user
    )


@router.get("/profiles", response=list[ProfileOut], summary="Profiles you may see")
def list_profiles(request: AuthenticatedHttpRequest, version_id: int | None = id_query()) -> Any:
    version = permissions.get_version_for_user(request.user, version_id) if version_id else None
    return selectors.profiles_for_user(request.user, framework_version=version).prefetch_related("targets")


@router.get("/profiles/{profile_id}", response=ProfileOut)
def get_profile(request: AuthenticatedHttpRequest, profile_id: int) -> Any:
    return permissions.get_profile_for_user(request.user, profile_id)


@router.post("/profiles", response={201: ProfileOut})
def create_profile(request: AuthenticatedHttpRequest, payload: ProfileIn) -> Any:
    require_write_scope(request)
    municipality = org_permissions.get_municipality_for_user(request.user, payload.municipality_id)
    permissions.require(permissions.can_edit_in_municipality(request.user, municipality.pk))
    version = permissions.get_version_for_user(request.user, payload.version_id)
    job_role = (
        org_permissions.get_job_role_for_user(request.user, payload.job_role_id)
        if payload.job_role_id
        else None
    )
    unit = org_permissions.get_unit_for_user(request.user, payload.unit_id) if payload.unit_id else None
    profile = services.profile_create(
        municipality=municipality,
        framework_version=version,
        name=payload.name,
        kind=payload.kind,
        job_role=job_role,
        unit=unit,
        actor=request.user,
    )
    return 201, profile


@router.put(
    "/profiles/{profile_id}/targets", response=ProfileOut, summary="Set targets (a null level removes)"
)
def set_targets(request: AuthenticatedHttpRequest, profile_id: int, payload: TargetsIn) -> Any:
    require_write_scope(request)
    profile = permissions.get_profile_for_user(request.user, profile_id)
    permissions.require(permissions.can_edit_profile(request.user, profile))
    competences = {c.pk: c for c in profile.framework_version.competences.all()}
    missing = [t.competence_id for t in payload.targets if t.competence_id not in competences]
    if missing:
        raise ValidationError(
            {"competence_id": _("Not in this profile's framework version: %(ids)s") % {"ids": missing}}
        )
    services.profile_set_targets(
        profile=profile,
        targets=[(competences[t.competence_id], t.target_level, t.importance) for t in payload.targets],
        actor=request.user,
    )
    return permissions.get_profile_for_user(request.user, profile_id)


@router.get("/profiles/{profile_id}/targets", response=list[TargetOut])
def list_targets(request: AuthenticatedHttpRequest, profile_id: int) -> Any:
    profile = permissions.get_profile_for_user(request.user, profile_id)
    return list(profile.targets.all())


class ProfileStatusIn(BodySchema):
    status: str = Field("published", description="Only 'published' is accepted.")


@router.patch("/profiles/{profile_id}", response=ProfileOut, summary="Publish a draft profile")
def publish_profile(request: AuthenticatedHttpRequest, profile_id: int, payload: ProfileStatusIn) -> Any:
    require_write_scope(request)
    profile = permissions.get_profile_for_user(request.user, profile_id)
    permissions.require(permissions.can_edit_profile(request.user, profile))
    if payload.status != "published":
        raise ValidationError({"status": _("A profile can only be changed to published here.")})
    return services.profile_publish(profile=profile, actor=request.user)


@router.get("/individual-targets", response=list[IndividualTargetOut])
def list_individual_targets(request: AuthenticatedHttpRequest, employee_id: int | None = id_query()) -> Any:
    employee = (
        org_permissions.get_employee_for_user(request.user, employee_id) if employee_id is not None else None
    )
    return selectors.individual_targets_for_user(request.user, employee=employee)


@router.post("/individual-targets", response={201: IndividualTargetOut}, summary="Set a person's own target")
def set_individual_target(request: AuthenticatedHttpRequest, payload: IndividualTargetIn) -> Any:
    require_write_scope(request)
    employee = org_permissions.get_employee_for_user(request.user, payload.employee_id)
    competence = permissions.get_competence_for_user(request.user, payload.competence_id)
    permissions.require(permissions.can_set_individual_target(request.user, employee))
    target = services.individual_target_set(
        employee=employee,
        competence=competence,
        target_level=payload.target_level,
        importance=payload.importance,
        note=payload.note,
        actor=request.user,
    )
    return 201, target
