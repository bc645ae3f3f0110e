"""Who may see and do what in clarification: the rules, on top of `kapabel.core.access`.

Every access rule of the app lives here once: as a query (`*_q`, which the selectors filter by), as
a yes/no question (`can_*`, `is_*`), and as a permission-checked fetch (`get_*_for_user`: 404 when
the user may not see the object, so its existence is not revealed). `require_*` answers 403 when the
user may see the object but not do what they asked. Whether a campaign is *open* for a part is not
a permission: that is `Campaign.closed_reason`."""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from kapabel.assessments.models import Assessment, Campaign, Part, Rating, Source
from kapabel.core.access import AccessScope, path_in_subtree, scope_for, subtree_q
from kapabel.core.models import Role, User
from kapabel.organisation.models import OrgUnit

# Create and close campaigns in a municipality.
CAMPAIGN_MANAGERS = (Role.HR, Role.MUNICIPALITY_ADMIN)


# --- Visibility as queries (the selectors filter by these) --------------------------------------


def campaigns_q(user: User) -> Q:
    """Campaigns of the municipalities where the user reads people's data, and those they take part in."""
    scope = scope_for(user)
    if scope.is_platform_admin:
        return Q()
    municipalities = {g.municipality_id for g in scope.grants_for(*scope.PEOPLE_READERS)}
    q = Q(municipality_id__in=sorted(municipalities))
    if scope.employee_id:
        q |= Q(Exists(Assessment.objects.filter(campaign=OuterRef("pk"), employee_id=scope.employee_id)))
    return q


def assessments_q(user: User) -> Q:
    """Assessments of people the user may read (their own; as manager or HR their subtrees)."""
    return scope_for(user).employees_q("employee__")


def ratings_q(user: User) -> Q:
    """Ratings of people the user may read, and leader ratings of units they may see."""
    scope = scope_for(user)
    q = Q(employee__isnull=False) & scope.employees_q("employee__")
    if scope.reads_people:
        q |= Q(unit__isnull=False) & scope.units_q("unit__")
    return q


def _manager_paths(scope: AccessScope, municipality_id: int | None = None) -> list[str]:
    """The unit subtrees the user leads (optionally in one municipality)."""
    return [
        grant.path
        for grant in scope.grants_for(Role.MANAGER)
        if grant.path and (municipality_id is None or grant.municipality_id == municipality_id)
    ]


def managed_q(user: User, prefix: str = "employee__") -> Q:
    """People the user assesses as their manager: in a subtree they lead, not themselves. `prefix`
    reaches the person from the filtered model (default: an assessment's or rating's employee)."""
    scope = scope_for(user)
    q = Q(pk__in=[])
    for path in _manager_paths(scope):
        q |= subtree_q(path, f"{prefix}unit__path")
    if scope.employee_id:
        q &= ~Q(**{f"{prefix}pk": scope.employee_id})
    return q


def _manages(
    scope: AccessScope, employee_id: int, unit_path: str, municipality_id: int | None = None
) -> bool:
    """`managed_q` for one person already in memory."""
    return scope.employee_id != employee_id and any(
        path_in_subtree(unit_path, root) for root in _manager_paths(scope, municipality_id)
    )


# --- Permission-checked fetches ---------------------------------------------------------------


def get_campaign_for_user(user: User, pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.filter(campaigns_q(user)).select_related(
            "municipality", "framework_version__framework", "profile"
        ),
        pk=pk,
    )


def get_assessment_for_user(user: User, pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.filter(assessments_q(user)).select_related(
            "campaign__framework_version", "campaign__profile", "employee__unit", "unit"
        ),
        pk=pk,
    )


def get_rating_for_user(user: User, pk: int) -> Rating:
    return get_object_or_404(
        Rating.objects.filter(ratings_q(user)).select_related(
            "competence", "campaign", "employee__unit", "unit"
        ),
        pk=pk,
    )


# --- Campaigns ------------------------------------------------------------------------------------


def campaign_municipality_ids(user: User) -> list[int]:
    """Municipalities where the user creates and closes campaigns by a role grant."""
    return sorted({g.municipality_id for g in scope_for(user).grants_for(*CAMPAIGN_MANAGERS)})


def can_manage_campaigns(user: User, municipality_id: int) -> bool:
    """Create and close campaigns: HR and municipality administrators of the municipality."""
    return scope_for(user).is_platform_admin or municipality_id in campaign_municipality_ids(user)


def require_manage_campaigns(user: User, municipality_id: int) -> None:
    if not can_manage_campaigns(user, municipality_id):
        raise PermissionDenied


def _campaign_grant_paths(user: User, municipality_id: int) -> list[str] | None:
    """The unit subtrees whose people the user manages campaigns for in the municipality; None when
    that is the whole municipality (an administrator, HR granted the whole municipality). A role
    that only lets the user *see* more (a manager's own unit) does not widen this."""
    scope = scope_for(user)
    if scope.is_platform_admin:
        return None
    paths: list[str] = []
    for grant in scope.grants_for(*CAMPAIGN_MANAGERS):
        if grant.municipality_id != municipality_id:
            continue
        if grant.path is None:
            return None
        paths.append(grant.path)
    return paths


def campaign_grant_q(user: User, municipality_id: int, field: str = "path") -> Q:
    """Units (`field` reaches a unit path) within the user's campaign grant in the municipality."""
    paths = _campaign_grant_paths(user, municipality_id)
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q(path, field)
    return q


def covers_unit(user: User, municipality_id: int, unit_path: str) -> bool:
    """`campaign_grant_q` for one unit path already in memory."""
    paths = _campaign_grant_paths(user, municipality_id)
    return paths is None or any(path_in_subtree(unit_path, root) for root in paths)


def units_outside_grant(user: User, municipality_id: int, unit_ids: Collection[int]) -> set[int]:
    """Of `unit_ids`, the units outside the user's campaign grant in the municipality."""
    if not unit_ids or _campaign_grant_paths(user, municipality_id) is None:
        return set()
    return set(
        OrgUnit.objects.filter(pk__in=list(unit_ids))
        .exclude(campaign_grant_q(user, municipality_id))
        .values_list("pk", flat=True)
    )


def can_change_campaign(user: User, campaign: Campaign) -> bool:
    """Close (or otherwise change) a campaign: a campaign manager of its municipality whose grant
    covers the campaign's whole population, i.e. the unit of every assessment in it. An HR
    consultant granted one subtree may not close a campaign that also runs elsewhere."""
    if not can_manage_campaigns(user, campaign.municipality_id):
        return False
    if _campaign_grant_paths(user, campaign.municipality_id) is None:
        return True
    return not (
        Assessment.objects.filter(campaign=campaign)
        .exclude(campaign_grant_q(user, campaign.municipality_id, "unit__path"))
        .exists()
    )


def require_change_campaign(user: User, campaign: Campaign) -> None:
    if not can_change_campaign(user, campaign):
        raise PermissionDenied


def remind_q(user: User, campaign: Campaign) -> Q | None:
    """Participants of `campaign` the user may send a reminder to (a filter on assessments): a
    campaign manager those within their campaign grant, a manager their own people. None when the
    user may remind nobody in it."""
    q: Q | None = None
    if can_manage_campaigns(user, campaign.municipality_id):
        q = campaign_grant_q(user, campaign.municipality_id, "unit__path")
    if _manager_paths(scope_for(user), campaign.municipality_id):
        q = managed_q(user) if q is None else q | managed_q(user)
    return q


def can_remind(user: User, campaign: Campaign) -> bool:
    return remind_q(user, campaign) is not None


def require_remind(user: User, campaign: Campaign) -> None:
    if not can_remind(user, campaign):
        raise PermissionDenied


def can_manage_settings(user: User, municipality_id: int) -> bool:
    return scope_for(user).is_municipality_admin(municipality_id)


def require_manage_settings(user: User, municipality_id: int) -> None:
    if not can_manage_settings(user, municipality_id):
        raise PermissionDenied


def can_follow_campaigns(user: User) -> bool:
    """See campaign lists, participants and progress: managers, HR, coordinators, administrators."""
    return scope_for(user).reads_people


def require_follow_campaigns(user: User) -> None:
    if not can_follow_campaigns(user):
        raise PermissionDenied


def is_employee(user: User) -> bool:
    """Has an employee record, so their own assessments and ratings."""
    return scope_for(user).employee_id is not None


# --- Assessments ----------------------------------------------------------------------------------


def is_participant(user: User, assessment: Assessment) -> bool:
    """The person whose assessment it is: they save the self-assessment or the survey answers."""
    return scope_for(user).employee_id == assessment.employee_id


def require_participant(user: User, assessment: Assessment) -> None:
    if not is_participant(user, assessment):
        raise PermissionDenied


def can_assess_as_manager(user: User, assessment: Assessment) -> bool:
    """The person's manager in a campaign with manager assessments: leads a unit whose subtree holds
    the person, in the campaign's municipality, and is not the person."""
    campaign = assessment.campaign
    if not campaign.has_part(Part.MANAGER):
        return False
    return _manages(
        scope_for(user), assessment.employee_id, assessment.employee.unit.path, campaign.municipality_id
    )


def require_manager_of(user: User, assessment: Assessment) -> None:
    if not can_assess_as_manager(user, assessment):
        raise PermissionDenied


def require_part(user: User, assessment: Assessment, part: Part | str) -> None:
    """403 unless the user is the one who saves `part` of this assessment: the participant their own
    answers, the manager the manager assessment and the agreed level."""
    if part in (Part.MANAGER, Part.AGREED):
        require_manager_of(user, assessment)
    else:
        require_participant(user, assessment)


# --- Ratings --------------------------------------------------------------------------------------


def can_correct_rating(user: User, rating: Rating) -> bool:
    """The author's side may correct: the person their own self rating, a manager the manager and
    agreed ratings of their people, HR and administrators any rating of a person (or leader rating of
    a unit) their grant covers."""
    scope = scope_for(user)
    if rating.source == Source.SELF:
        return scope.employee_id == rating.employee_id
    if rating.source == Source.LEADER:
        return rating.author_id == user.pk or (
            rating.unit is not None
            and can_manage_campaigns(user, rating.municipality_id)
            and covers_unit(user, rating.municipality_id, rating.unit.path)
        )
    employee = rating.employee
    if (
        employee is not None
        and can_manage_campaigns(user, rating.municipality_id)
        and covers_unit(user, rating.municipality_id, employee.unit.path)
    ):
        return True
    return employee is not None and _manages(scope, employee.pk, employee.unit.path)
