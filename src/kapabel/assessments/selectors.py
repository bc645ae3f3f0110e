"""Reads for clarification campaigns and ratings, scoped to the acting user.

Who may see what is decided in `permissions` (its `*_q` queries); the selectors filter by those and
never decide access themselves.

`current_level` is the reference definition of a person's current level for a competence (the
gap analysis and the maintained `CurrentLevel` table must agree with it); `current_levels` reads the
maintained table for many people at once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kapabel.assessments import permissions
from kapabel.assessments.models import (
    DEFAULT_LEVEL_ORDER,
    LEVEL_SOURCES,
    Assessment,
    AssessmentSettings,
    Campaign,
    CurrentLevel,
    Part,
    Rating,
    Source,
)
from kapabel.competences.models import Competence, FrameworkVersion, Profile, ScaleLevel, Status
from kapabel.core.access import scope_for
from kapabel.core.models import Role, User
from kapabel.organisation.models import Employee

# --- Framework content (read-only use of the competences app) ---------------------------------


@dataclass
class CompetenceItem:
    """A competence to rate, with its scale's levels (lowest first) and its area's name."""

    competence: Competence
    levels: list[ScaleLevel]
    area: str = ""
    target: int | None = None
    level_values: set[int] = field(default_factory=set)


def version_competences(version: FrameworkVersion, profile: Profile | None = None) -> list[CompetenceItem]:
    """The ratable competences of a framework version in tree order: the leaves of the tree (areas
    only group), or with a profile the competences it targets. Two queries."""
    competences = list(Competence.objects.filter(version=version).order_by("depth", "position", "id"))
    levels_by_scale: dict[int, list[ScaleLevel]] = defaultdict(list)
    for level in ScaleLevel.objects.filter(scale__version=version).order_by("scale_id", "value"):
        levels_by_scale[level.scale_id].append(level)
    by_id = {c.pk: c for c in competences}
    parents = {c.parent_id for c in competences if c.parent_id}
    targets: dict[int, int] | None = None
    if profile is not None:
        targets = dict(profile.targets.values_list("competence_id", "target_level"))

    # Tree order: depth-first by position.
    children: dict[int | None, list[Competence]] = defaultdict(list)
    for competence in competences:
        children[competence.parent_id].append(competence)
    ordered: list[Competence] = []
    stack = list(reversed(children[None]))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.pk, [])))

    items = []
    for competence in ordered:
        if targets is not None:
            if competence.pk not in targets:
                continue
        elif competence.pk in parents:
            continue
        scale_id = competence.scale_id or version.scale_id
        levels = levels_by_scale.get(scale_id, []) if scale_id else []
        parent = by_id.get(competence.parent_id) if competence.parent_id else None
        items.append(
            CompetenceItem(
                competence=competence,
                levels=levels,
                area=parent.name if parent else "",
                target=targets.get(competence.pk) if targets else None,
                level_values={level.value for level in levels},
            )
        )
    return items


def campaign_competences(campaign: Campaign) -> list[CompetenceItem]:
    """The campaign's competences, computed once per campaign object."""
    cached = getattr(campaign, "_competence_items", None)
    if cached is None:
        cached = version_competences(campaign.framework_version, campaign.profile)
        campaign._competence_items = cached  # type: ignore[attr-defined]  # a per-object cache, not a field
    return cached


def framework_versions_for_municipality(municipality_id: int) -> QuerySet[FrameworkVersion]:
    """Published versions a municipality may run campaigns on: its own, national ones and shared ones."""
    return (
        FrameworkVersion.objects.filter(status=Status.PUBLISHED)
        .filter(
            Q(framework__municipality_id=municipality_id)
            | Q(framework__municipality__isnull=True)
            | Q(framework__shared_with__id=municipality_id)
        )
        .select_related("framework")
        .distinct()
        .order_by("framework__name", "-number")
    )


def profiles_for_municipality(municipality_id: int) -> QuerySet[Profile]:
    return Profile.objects.filter(municipality_id=municipality_id, status=Status.PUBLISHED).select_related(
        "framework_version__framework"
    )


# --- Settings and the current level -------------------------------------------------------------


def level_order_for(municipality_id: int) -> list[str]:
    value = (
        AssessmentSettings.objects.filter(municipality_id=municipality_id)
        .values_list("current_level_order", flat=True)
        .first()
    )
    return [part.strip() for part in (value or DEFAULT_LEVEL_ORDER).split(",") if part.strip()]


def settings_for(municipality_id: int) -> AssessmentSettings:
    """The municipality's settings, or unsaved defaults."""
    found = AssessmentSettings.objects.filter(municipality_id=municipality_id).first()
    return found or AssessmentSettings(municipality_id=municipality_id)


def pick_current(latest: dict[str, tuple[int | None, Any]], order: Iterable[str]) -> tuple[int | None, str]:
    """From {source: (level, …)} the current (level, source): the first source in `order` with a
    level. "Don't know" (None) falls through. (None, "") when no source has a level."""
    for source in order:
        entry = latest.get(source)
        if entry is not None and entry[0] is not None:
            return entry[0], source
    return None, ""


def latest_person_ratings(
    employee_ids: Iterable[int],
    competence_ids: Iterable[int] | None = None,
    *,
    as_of: datetime.datetime | None = None,
) -> dict[tuple[int, int], dict[str, Rating]]:
    """{(employee, competence): {source: latest rating}} from the raw history (not superseded;
    with `as_of`, rated at or before it and ignoring corrections recorded later)."""
    ratings = Rating.objects.filter(employee_id__in=list(employee_ids), source__in=LEVEL_SOURCES)
    if competence_ids is not None:
        ratings = ratings.filter(competence_id__in=list(competence_ids))
    if as_of is None:
        ratings = ratings.filter(superseded_by__isnull=True)
    else:
        # As it stood then: rows recorded by then and not yet replaced by a correction recorded by then.
        ratings = ratings.filter(rated_at__lte=as_of, created_at__lte=as_of).exclude(
            superseded_by__created_at__lte=as_of
        )
    result: dict[tuple[int, int], dict[str, Rating]] = defaultdict(dict)
    for rating in ratings.order_by("rated_at", "id"):
        if rating.employee_id is not None:  # always: person sources only
            result[(rating.employee_id, rating.competence_id)][rating.source] = rating
    return result


def current_level(
    employee: Employee | int,
    competence: Competence | int,
    *,
    order: list[str] | None = None,
    as_of: datetime.datetime | None = None,
) -> tuple[int | None, str]:
    """The reference definition: (level, source) of a person's current level for a competence, from
    the raw history; (None, "") is unknown. `as_of` gives the level as it stood at that time."""
    employee_id = employee if isinstance(employee, int) else employee.pk
    competence_id = competence if isinstance(competence, int) else competence.pk
    if order is None:
        municipality_id = Employee.objects.values_list("municipality_id", flat=True).get(pk=employee_id)
        order = level_order_for(municipality_id)
    latest = latest_person_ratings([employee_id], [competence_id], as_of=as_of).get(
        (employee_id, competence_id), {}
    )
    return pick_current({s: (r.level, r) for s, r in latest.items()}, order)


def current_levels(
    *, employee_ids: Iterable[int] | None = None, competence_ids: Iterable[int] | None = None
) -> QuerySet[CurrentLevel]:
    """The maintained current levels (one row per person × competence ever rated). Not scoped: callers
    pass employees they already scoped, e.g. `employees_for_user(...)`'s ids or a subquery."""
    rows = CurrentLevel.objects.all()
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=employee_ids)
    if competence_ids is not None:
        rows = rows.filter(competence_id__in=competence_ids)
    return rows


# --- Campaigns ----------------------------------------------------------------------------------


def campaigns_for_user(user: User) -> QuerySet[Campaign]:
    """Campaigns of the municipalities where the user reads people's data, and those they take part in."""
    return (
        Campaign.objects.filter(permissions.campaigns_q(user))
        .select_related("municipality", "framework_version__framework", "profile")
        .order_by("-opens_on", "-id")
    )


def _open_for_participants_q(today: datetime.date, prefix: str = "") -> Q:
    """Campaigns whose participants may answer today, whatever the kind."""
    return Campaign.open_q(Part.SELF, today, prefix) | Campaign.open_q(Part.SURVEY, today, prefix)


# --- Assessments --------------------------------------------------------------------------------


def assessments_for_user(user: User) -> QuerySet[Assessment]:
    """Assessments of people the user may read (their own; as manager or HR their subtrees)."""
    return Assessment.objects.filter(permissions.assessments_q(user)).select_related(
        "campaign", "employee", "unit"
    )


def my_open_assessments(user: User) -> QuerySet[Assessment]:
    """The user's own assessments in campaigns open today that they have not submitted."""
    employee_id = scope_for(user).employee_id
    if not employee_id:
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(
            _open_for_participants_q(timezone.localdate(), "campaign__"),
            employee_id=employee_id,
            self_submitted_at__isnull=True,
        )
        .select_related("campaign", "unit")
        .order_by("campaign__closes_on", "id")
    )


def my_assessments(user: User) -> QuerySet[Assessment]:
    employee_id = scope_for(user).employee_id
    if not employee_id:
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(employee_id=employee_id)
        .select_related("campaign", "unit")
        .order_by("-campaign__opens_on", "-id")
    )


def my_assessment_in(campaign: Campaign, user: User) -> Assessment | None:
    """The user's own assessment in a campaign, if they take part."""
    return my_assessments(user).filter(campaign=campaign).first()


def pending_manager_assessments(user: User) -> QuerySet[Assessment]:
    """Individual clarifications of the manager's people, in campaigns open for the manager assessment,
    without an agreed level."""
    if not scope_for(user).has_role(Role.MANAGER):
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(
            permissions.managed_q(user),
            Campaign.open_q(Part.MANAGER, timezone.localdate(), "campaign__"),
            agreed_at__isnull=True,
        )
        .select_related("campaign", "employee", "unit")
        .order_by("campaign__closes_on", "campaign_id", "employee__name", "id")
    )


def pending_manager_counts(user: User) -> list[dict[str, Any]]:
    """Per open campaign, how many of the manager's people still need their assessment or agreement."""
    rows = (
        pending_manager_assessments(user)
        .values("campaign_id", "campaign__name")
        .annotate(n=Count("id"))
        .order_by("campaign__name")
    )
    return [{"campaign_id": r["campaign_id"], "name": r["campaign__name"], "count": r["n"]} for r in rows]


def manager_form_values(
    assessment: Assessment, step: Part | None, *, start_from_manager: bool = False
) -> dict[str, Any]:
    """The answers the manager's form starts from: the saved draft of the step. The agreed level
    starts empty (the levels are agreed in the conversation, not assumed to be the manager's); only
    when the manager asks for it (`start_from_manager`) does it start from the levels they submitted."""
    drafts = assessment.manager_draft or {}
    values = drafts.get(str(step), {}) if step else {}
    if step == Part.AGREED and not values and start_from_manager:
        values = drafts.get(Part.MANAGER, {})
    return dict(values)


def managed_among(assessments: QuerySet[Assessment], user: User, ids: Iterable[int]) -> set[int]:
    """Of the given assessments (ids from a page the user already sees), those the user assesses as
    the person's manager, so the page can link to the review. Empty for a campaign without manager
    assessments. One query."""
    return set(assessments.filter(permissions.managed_q(user), pk__in=list(ids)).values_list("pk", flat=True))


# The participant list's status filter: the assessment statuses, and "has not answered" (not started
# or a draft), the people a reminder goes to.
UNANSWERED = "unanswered"


def campaign_participants(
    campaign: Campaign, user: User, *, unit_id: int | None = None, status: str = ""
) -> QuerySet[Assessment]:
    """The campaign's participants the user may see, optionally in one unit (the unit a participant
    takes part for) and with one status (`Assessment.Status` or `UNANSWERED`)."""
    rows = (
        assessments_for_user(user)
        .filter(campaign=campaign)
        .select_related("employee__job_role")
        .order_by("unit__path", "employee__name", "id")
    )
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    if status == UNANSWERED:
        rows = rows.filter(self_submitted_at__isnull=True)
    elif status:
        rows = rows.filter(status=status)
    return rows


def participant_units(campaign: Campaign, user: User) -> list[tuple[int, str]]:
    """(id, name) of the units the campaign's participants the user may see take part for, in tree
    order: the participant list's unit filter. One query."""
    rows = (
        assessments_for_user(user)
        .filter(campaign=campaign)
        .order_by("unit__path")
        .values_list("unit_id", "unit__name")
        .distinct()
    )
    return list(rows)


def remind_candidates(campaign: Campaign, user: User, unit_id: int | None = None) -> QuerySet[Assessment]:
    """The participants `user` may remind who have not submitted their answers (optionally in one
    unit): what the reminder button counts and `services.campaign_remind` sends to."""
    allowed = permissions.remind_q(user, campaign)
    if allowed is None:
        return Assessment.objects.none()
    rows = Assessment.objects.filter(allowed, campaign=campaign, self_submitted_at__isnull=True)
    return rows if unit_id is None else rows.filter(unit_id=unit_id)


def campaigns_to_invite(today: datetime.date) -> QuerySet[Campaign]:
    """Campaigns that invite their participants, open for answers today, with someone not invited."""
    return Campaign.objects.filter(
        _open_for_participants_q(today),
        Exists(Assessment.objects.filter(campaign=OuterRef("pk"), invited_at__isnull=True)),
        send_invitations=True,
    ).select_related("municipality")


def campaign_progress(campaign: Campaign, user: User) -> dict[str, Any]:
    """Share submitted and agreed, for the campaign and per unit, over the participants the user may
    see. One grouped query."""
    rows = (
        campaign_participants(campaign, user)
        .order_by()
        .values("unit_id", "unit__name", "unit__path")
        .annotate(
            total=Count("id"),
            submitted=Count("id", filter=Q(self_submitted_at__isnull=False)),
            assessed=Count("id", filter=Q(manager_submitted_at__isnull=False)),
            agreed=Count("id", filter=Q(agreed_at__isnull=False)),
        )
        .order_by("unit__path")
    )
    units = []
    totals = {"total": 0, "submitted": 0, "assessed": 0, "agreed": 0}
    for typed_row in rows:
        row: dict[str, Any] = dict(typed_row)
        for key in totals:
            totals[key] += row[key]
        units.append(
            {
                "unit_id": row["unit_id"],
                "unit_name": row["unit__name"],
                **{key: row[key] for key in totals},
                "submitted_share": row["submitted"] / row["total"] if row["total"] else 0.0,
                "agreed_share": row["agreed"] / row["total"] if row["total"] else 0.0,
            }
        )
    totals_out: dict[str, Any] = dict(totals)
    totals_out["submitted_share"] = totals["submitted"] / totals["total"] if totals["total"] else 0.0
    totals_out["agreed_share"] = totals["agreed"] / totals["total"] if totals["total"] else 0.0
    return {"units": units, "totals": totals_out}


def invitation_counts(campaign: Campaign) -> dict[str, int]:
    """Of the campaign's participants: how many were invited, and of those how many had an e-mail
    address to send to (`sent`) or not (`without_email`)."""
    counts = Assessment.objects.filter(campaign=campaign, invited_at__isnull=False).aggregate(
        invited=Count("id"), without_email=Count("id", filter=Q(employee__email=""))
    )
    return {**counts, "sent": counts["invited"] - counts["without_email"]}


# --- Start page -----------------------------------------------------------------------------------


def campaigns_in_progress(user: User, *, limit: int = 5) -> list[dict[str, Any]]:
    """For HR and administrators: the open campaigns of their municipalities (soonest to close first)
    with how far the participants they may see have got: answered, agreed, and answered in the last
    seven days. Two queries."""
    scope = scope_for(user)
    if not scope.reads_people:
        return []
    today = timezone.localdate()
    campaigns = list(
        Campaign.objects.filter(
            permissions.campaigns_q(user), status=Campaign.Status.OPEN, closes_on__gte=today
        ).order_by("closes_on", "id")[:limit]
    )
    if not campaigns:
        return []
    week_ago = timezone.now() - datetime.timedelta(days=7)
    counts = {
        row["campaign_id"]: row
        for row in assessments_for_user(user)
        .filter(campaign__in=campaigns)
        .order_by()
        .values("campaign_id")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=Q(self_submitted_at__isnull=False)),
            agreed=Count("id", filter=Q(agreed_at__isnull=False)),
            recent=Count("id", filter=Q(self_submitted_at__gte=week_ago)),
        )
    }
    rows = []
    for campaign in campaigns:
        row = counts.get(campaign.pk, {"total": 0, "answered": 0, "agreed": 0, "recent": 0})
        if not row["total"]:
            continue
        rows.append(
            {
                "campaign": campaign,
                "total": row["total"],
                "answered": row["answered"],
                "agreed": row["agreed"],
                "recent": row["recent"],
                "answered_pct": round(100 * row["answered"] / row["total"]),
                "agreed_pct": round(100 * row["agreed"] / row["total"]),
                "individual": campaign.has_part(Part.MANAGER),
                "opened": campaign.opens_on <= today,
            }
        )
    return rows


def awaiting_manager(user: User, *, limit: int = 10) -> dict[str, Any]:
    """For a manager: their people in open individual clarifications waiting for them, the next step
    of each (their assessment, or the agreed level after the conversation), and how many wait in all.
    Two queries."""
    pending = pending_manager_assessments(user)
    people = list(pending[:limit])
    return {
        "people": [
            {"assessment": a, "step": a.next_manager_step, "answered": a.self_submitted_at is not None}
            for a in people
        ],
        "total": pending.count() if len(people) == limit else len(people),
    }


@dataclass
class LevelRow:
    """One competence on "My competences": the current level, its name on the scale, and where it
    came from."""

    competence: Competence
    area: str
    level: int | None
    level_name: str
    source: str
    rated_at: datetime.datetime | None


def my_current_levels(user: User) -> list[dict[str, Any]]:
    """The user's own competences with their current level, grouped by framework version (newest
    first), in tree order within each. Two queries."""
    employee_id = scope_for(user).employee_id
    if not employee_id:
        return []
    rows = list(
        CurrentLevel.objects.filter(employee_id=employee_id)
        .select_related("competence__version__framework", "competence__parent")
        .order_by(
            "competence__version__framework__name",
            "-competence__version__number",
            "competence__parent__position",
            "competence__position",
            "competence_id",
        )
    )
    scales = {scale_id for r in rows if (scale_id := r.competence.scale_id or r.competence.version.scale_id)}
    names = {
        (level.scale_id, level.value): level.name for level in ScaleLevel.objects.filter(scale_id__in=scales)
    }
    sources = dict(Source.choices)
    groups: dict[int, dict[str, Any]] = {}
    for row in rows:
        version = row.competence.version
        scale_id = row.competence.scale_id or version.scale_id
        group = groups.setdefault(version.pk, {"version": version, "rows": []})
        group["rows"].append(
            LevelRow(
                competence=row.competence,
                area=row.competence.parent.name if row.competence.parent else "",
                level=row.level,
                level_name=names.get((scale_id, row.level), "") if scale_id and row.level is not None else "",
                source=str(sources.get(row.source, "")),
                rated_at=row.rated_at,
            )
        )
    return list(groups.values())


# --- Ratings ------------------------------------------------------------------------------------


def ratings_for_user(user: User) -> QuerySet[Rating]:
    """Ratings the user may read: of people they may read; leader ratings of units they may see."""
    return Rating.objects.filter(permissions.ratings_q(user)).select_related("competence", "campaign")


def rating_history(employee: Employee, user: User) -> QuerySet[Rating]:
    """All of a person's ratings, newest first, corrections and superseded rows included."""
    return (
        ratings_for_user(user)
        .filter(employee=employee)
        .select_related("competence", "campaign", "framework_version__framework")
        .order_by("-rated_at", "-id")
    )


def side_by_side(assessment: Assessment, items: list[CompetenceItem]) -> list[dict[str, Any]]:
    """Per competence of the campaign: the self, manager and agreed ratings given in this assessment,
    and whether self and manager disagree. One query."""
    by_key: dict[tuple[int, str], Rating] = {}
    for rating in Rating.objects.filter(assessment=assessment, superseded_by__isnull=True).order_by(
        "rated_at", "id"
    ):
        by_key[(rating.competence_id, rating.source)] = rating
    rows = []
    for item in items:
        own = by_key.get((item.competence.pk, Source.SELF))
        manager = by_key.get((item.competence.pk, Source.MANAGER))
        agreed = by_key.get((item.competence.pk, Source.AGREED))
        rows.append(
            {
                "item": item,
                "self": own,
                "manager": manager,
                "agreed": agreed,
                "disagree": bool(own and manager and own.level != manager.level),
            }
        )
    return rows


def due_for_reminder(today: datetime.date) -> QuerySet[Campaign]:
    """Campaigns open for answers today; `reminders_send` checks each one's reminder window."""
    return Campaign.objects.filter(_open_for_participants_q(today)).select_related("municipality")


def rating_history_own(user: User) -> QuerySet[Rating]:
    """The user's own ratings, newest first (all sources, superseded rows included)."""
    employee_id = scope_for(user).employee_id
    if not employee_id:
        return Rating.objects.none()
    return (
        Rating.objects.filter(employee_id=employee_id)
        .select_related("competence", "campaign")
        .order_by("-rated_at", "-id")
    )
