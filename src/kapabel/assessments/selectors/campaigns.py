"""Campaigns and assessments as the acting user may see them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kapabel.assessments import permissions
from kapabel.assessments.models import (
    Assessment,
    Campaign,
    Part,
)
from kapabel.core.access import scope_for
from kapabel.core.models import Role, User

# --- Campaigns ----------------------------------------------------------------------------------


def campaigns_for_user(user: User) -> QuerySet[Campaign]:
    """Campaigns of the municipalities where the user reads people's data, and those they take part in."""
    return (
        Campaign.objects.filter(permissions.campaigns_q(user))
        .select_related("municipality", "framework_version__framework", "profile")
        .order_by("-opens_on", "-id")
    )


def visible_participant_counts(user: User, campaigns: Iterable[Campaign]) -> dict[int, int]:
    """Per campaign, how many of its participants the user may see: all of them where the user reads
    the whole municipality, otherwise those in the user's subtrees (one query for the page)."""
    scope = scope_for(user)
    whole = {g.municipality_id for g in scope.grants_for(*scope.PEOPLE_READERS) if g.path is None}
    counts: dict[int, int] = {}
    partial: list[int] = []
    for campaign in campaigns:
        if scope.is_platform_admin or campaign.municipality_id in whole:
            counts[campaign.pk] = campaign.participant_count
        else:
            partial.append(campaign.pk)
    if partial:
        counts.update({pk: 0 for pk in partial})
        counts.update(
            Assessment.objects.filter(permissions.assessments_q(user), campaign_id__in=partial)
            .values_list("campaign_id")
            .annotate(n=Count("pk"))
            .values_list("campaign_id", "n")
        )
    return counts


def open_for_participants_q(today: datetime.date, prefix: str = "") -> Q:
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
            open_for_participants_q(timezone.localdate(), "campaign__"),
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
        open_for_participants_q(today),
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
