"""Writes for campaigns: create one with its participants, close it, and the open check every save
goes through."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kapabel.assessments import permissions, selectors
from kapabel.assessments.models import Assessment, Campaign, CampaignScope, Part
from kapabel.assessments.services.mailing import campaign_invitations_send
from kapabel.competences.models import FrameworkVersion, Profile
from kapabel.competences.models import Status as ContentStatus
from kapabel.core import audit
from kapabel.core.access import subtree_q
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.organisation.models import Employee, JobRole, OrgUnit


@dataclass(frozen=True)
class Scope:
    """A campaign's scope: units (each with or without its subtree), job roles and named people."""

    units: Sequence[tuple[OrgUnit, bool]] = ()
    job_roles: Sequence[JobRole] = ()
    employees: Sequence[Employee] = ()

    def is_empty(self) -> bool:
        return not (self.units or self.job_roles or self.employees)


def _check_content(municipality: Municipality, version: FrameworkVersion, profile: Profile | None) -> None:
    if not selectors.framework_versions_for_municipality(municipality.pk).filter(pk=version.pk).exists():
        raise ValidationError(
            {"framework_version": _("Choose a published framework version your municipality may use.")}
        )
    if profile is not None and (
        profile.framework_version_id != version.pk
        or profile.municipality_id != municipality.pk
        or profile.status != ContentStatus.PUBLISHED
    ):
        raise ValidationError(
            {"profile": _("Choose a published profile of your municipality in the chosen framework version.")}
        )


def _participants(campaign: Campaign, scope: Scope) -> list[tuple[int, int]]:
    """(employee id, unit id) pairs for the campaign's scope."""
    municipality_id = campaign.municipality_id
    if campaign.kind == Campaign.Kind.LEADER_SURVEY:
        # Leaders answer for each unit in scope they lead.
        unit_q = Q(pk__in=[])
        for unit, subtree in scope.units:
            unit_q |= subtree_q(unit.path) if subtree else Q(pk=unit.pk)
        links = OrgUnit.managers.through.objects.filter(
            orgunit__municipality_id=municipality_id, orgunit__active=True, employee__active=True
        )
        link_q = Q(orgunit__in=OrgUnit.objects.filter(unit_q))
        if scope.job_roles:
            link_q |= Q(employee__job_role__in=list(scope.job_roles))
        if scope.employees:
            link_q |= Q(employee__in=list(scope.employees))
        return sorted(set(links.filter(link_q).values_list("employee_id", "orgunit_id")))
    q = Q(pk__in=[])
    for unit, subtree in scope.units:
        q |= subtree_q(unit.path, "unit__path") if subtree else Q(unit=unit)
    if scope.job_roles:
        q |= Q(job_role__in=list(scope.job_roles))
    if scope.employees:
        q |= Q(pk__in=[e.pk for e in scope.employees])
    return list(
        Employee.objects.filter(q, municipality_id=municipality_id, active=True)
        .order_by("pk")
        .values_list("pk", "unit_id")
    )


def _check_within_grant(actor: User, municipality: Municipality, participants: list[tuple[int, int]]) -> None:
    """Refuse a scope that reaches people outside the part of the organisation the acting user
    manages campaigns for. Every kind of scope counts (a job role or a named person as much as a
    unit): the people it resolves to are what is checked, by the unit each one is enrolled in. The
    scope is refused with the count rather than silently shrunk, so nobody believes a campaign
    covers people it does not."""
    outside = permissions.units_outside_grant(
        actor, municipality.pk, {unit for _person, unit in participants}
    )
    count = sum(1 for _person, unit in participants if unit in outside)
    if count:
        raise ValidationError(
            ngettext(
                "%(count)d person in the chosen scope is outside the part of the organisation you "
                "manage campaigns for. Choose units, job roles or people within it, or ask an "
                "administrator to create the campaign.",
                "%(count)d people in the chosen scope are outside the part of the organisation you "
                "manage campaigns for. Choose units, job roles or people within it, or ask an "
                "administrator to create the campaign.",
                count,
            )
            % {"count": count}
        )


@transaction.atomic
def campaign_create(
    *,
    municipality: Municipality,
    name: str,
    kind: str,
    framework_version: FrameworkVersion,
    opens_on: datetime.date,
    closes_on: datetime.date,
    scope: Scope,
    actor: Actor,
    profile: Profile | None = None,
    description: str = "",
    questions: Sequence[str] = (),
    reminder_days_before_close: int | None = None,
    send_invitations: bool = False,
    base_url: str = "",
) -> Campaign:
    """Create a campaign and an assessment for every participant (bulk; one audit event). Not
    `audit.create_audited`: the participants are created after the campaign and counted in its one
    audit event. With `send_invitations` the participants are invited by e-mail when it opens: at
    once when it opens today (after the commit), else by the daily job."""
    _check_content(municipality, framework_version, profile)
    for unit, _subtree in scope.units:
        if unit.municipality_id != municipality.pk:
            raise ValidationError({"units": _("A unit in the scope belongs to another municipality.")})
    for role in scope.job_roles:
        if role.municipality_id != municipality.pk:
            raise ValidationError(
                {"job_roles": _("A job role in the scope belongs to another municipality.")}
            )
    for person in scope.employees:
        if person.municipality_id != municipality.pk:
            raise ValidationError({"employees": _("A person in the scope belongs to another municipality.")})
    if scope.is_empty():
        raise ValidationError(_("Choose at least one unit, job role or person for the campaign."))
    questions = [q.strip() for q in questions if q and q.strip()]
    if kind == Campaign.Kind.NEEDS_SURVEY and not questions:
        raise ValidationError({"questions": _("A needs survey needs at least one question.")})
    campaign = Campaign(
        municipality=municipality,
        name=name,
        kind=kind,
        description=description,
        framework_version=framework_version,
        profile=profile,
        opens_on=opens_on,
        closes_on=closes_on,
        questions=questions,
        reminder_days_before_close=reminder_days_before_close,
        send_invitations=send_invitations,
        created_by=actor if isinstance(actor, User) else None,
    )
    campaign.full_clean()
    if closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("The close date has already passed.")})
    if not selectors.version_competences(framework_version, profile):
        raise ValidationError({"framework_version": _("The framework version has no competences to rate.")})
    campaign.save()
    CampaignScope.objects.bulk_create(
        [CampaignScope(campaign=campaign, kind="unit", unit=u, include_subtree=s) for u, s in scope.units]
        + [CampaignScope(campaign=campaign, kind="job_role", job_role=r) for r in scope.job_roles]
        + [CampaignScope(campaign=campaign, kind="employee", employee=e) for e in scope.employees]
    )
    participants = _participants(campaign, scope)
    if not participants:
        raise ValidationError(_("Nobody is in the campaign's scope. Choose other units, roles or people."))
    if isinstance(actor, User):
        _check_within_grant(actor, municipality, participants)
    Assessment.objects.bulk_create(
        [Assessment(campaign=campaign, employee_id=e, unit_id=u) for e, u in participants], batch_size=2000
    )
    campaign.participant_count = len(participants)
    campaign.save(update_fields=["participant_count"])
    audit.record(
        "assessments.campaign.created",
        actor=actor,
        obj=campaign,
        changes={
            "name": [None, name],
            "kind": [None, kind],
            "framework_version": [None, framework_version.pk],
            "profile": [None, profile.pk if profile else None],
            "opens_on": [None, opens_on],
            "closes_on": [None, closes_on],
            "participants": [0, len(participants)],
            "send_invitations": [None, send_invitations],
        },
    )
    if send_invitations:
        campaign_invitations_send(campaign=campaign, actor=actor, base_url=base_url)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor: Actor) -> Campaign:
    """Close a campaign for good: no more saves, submissions, assessments or corrections."""
    updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.OPEN).update(
        status=Campaign.Status.CLOSED,
        closed_at=timezone.now(),
        closed_by=actor if isinstance(actor, User) else None,
    )
    if not updated:
        raise ValidationError(_("The campaign is already closed."))
    campaign.refresh_from_db()
    audit.record(
        "assessments.campaign.closed",
        actor=actor,
        obj=campaign,
        changes={"status": [Campaign.Status.OPEN, Campaign.Status.CLOSED]},
    )
    return campaign


def campaign_require_open(campaign: Campaign, part: Part | str) -> None:
    """Refuse a save of `part` when the campaign is not open for it (`Campaign.closed_reason` is the
    rule; every save of an assessment calls this)."""
    reason = campaign.closed_reason(part)
    if reason is not None:
        raise ValidationError(reason)
