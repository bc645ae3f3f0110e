"""Writes for clarification: campaigns, assessments, ratings, reminders. Views, the API, commands,
tasks and the demo all call these.

`ratings_record` is the one path through which every `Rating` row is written (`rating_correct`
uses it too). It validates levels against the competence's scale, inserts the rows in bulk, keeps
`CurrentLevel` in step and then calls the registered rating listeners in the same transaction, so an
aggregate kept by another app (the gap analysis) is never out of step with the history."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.assessments import selectors
from kapabel.assessments.models import (
    LEVEL_SOURCES,
    PERSON_SOURCES,
    Assessment,
    AssessmentSettings,
    Campaign,
    CampaignScope,
    CurrentLevel,
    DevelopmentWish,
    LeaderAnswer,
    NeedsAnswer,
    Rating,
    Source,
)
from kapabel.competences.models import Competence, FrameworkVersion, Importance, Profile, ScaleLevel
from kapabel.competences.models import Status as ContentStatus
from kapabel.core import announce, audit
from kapabel.core.access import subtree_q
from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee, JobRole, OrgUnit

UNKNOWN = "unknown"  # the "ved ikke" answer in drafts and forms


class StaleVersion(Exception):
    """Someone else saved the same part of the assessment since the form was opened."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _(
                "Someone else saved this assessment while you were working on it. Your answers have "
                "not been saved; they are still in the form. Check them and save again."
            )
        )
        self.current_version = current_version


# --- Ratings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingEntry:
    """One rating to record: a person (or, for the leader source, a unit), a competence and a level
    (None = "don't know")."""

    competence_id: int
    level: int | None
    employee_id: int | None = None
    unit_id: int | None = None
    comment: str = ""


def competence_level_values(competence_ids: Iterable[int]) -> dict[int, tuple[int, set[int]]]:
    """{competence id: (framework version id, allowed level values)} in two queries."""
    rows = list(
        Competence.objects.filter(pk__in=set(competence_ids)).values_list(
            "pk", "version_id", "scale_id", "version__scale_id"
        )
    )
    scale_ids = {scale or default for _pk, _v, scale, default in rows if scale or default}
    values: dict[int, set[int]] = defaultdict(set)
    for scale_id, value in ScaleLevel.objects.filter(scale_id__in=scale_ids).values_list("scale_id", "value"):
        values[scale_id].add(value)
    return {pk: (version, values.get(scale or default, set())) for pk, version, scale, default in rows}


def _actor_label(actor: Any) -> str:
    from kapabel.core.models import User

    return (actor.get_username() if isinstance(actor, User) else str(actor or audit.SYSTEM_ACTOR))[:200]


@transaction.atomic
def ratings_record(
    *,
    municipality_id: int,
    source: str,
    entries: Sequence[RatingEntry],
    actor: Any,
    campaign: Campaign | None = None,
    assessment: Assessment | None = None,
    rated_at: datetime.datetime | None = None,
    supersedes: Rating | None = None,
    audit_event: bool = True,
) -> list[Rating]:
    """Append ratings. Every rating is written here. Raises ValidationError for a level not on the
    competence's scale, a person or unit of another municipality, or a subject that does not fit the
    source."""
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    if not entries:
        return []
    allowed = competence_level_values(e.competence_id for e in entries)
    errors: list[str] = []
    for entry in entries:
        if entry.competence_id not in allowed:
            errors.append(_("Unknown competence %(id)s.") % {"id": entry.competence_id})
        elif entry.level is not None and entry.level not in allowed[entry.competence_id][1]:
            errors.append(
                _("%(level)s is not a level on the scale of competence %(id)s.")
                % {"level": entry.level, "id": entry.competence_id}
            )
        if (source == Source.LEADER) != (entry.unit_id is not None and entry.employee_id is None):
            errors.append(_("A leader rating is about a unit; the other ratings are about a person."))
    if campaign is not None:
        foreign = {
            e.competence_id
            for e in entries
            if allowed.get(e.competence_id, (None,))[0] != campaign.framework_version_id
        }
        if foreign:
            errors.append(_("A competence is not part of the campaign's framework version."))
    employee_ids = {e.employee_id for e in entries if e.employee_id}
    unit_ids = {e.unit_id for e in entries if e.unit_id}
    if (
        employee_ids
        and Employee.objects.filter(pk__in=employee_ids).exclude(municipality_id=municipality_id).exists()
    ):
        errors.append(_("A person belongs to another municipality."))
    if unit_ids and OrgUnit.objects.filter(pk__in=unit_ids).exclude(municipality_id=municipality_id).exists():
        errors.append(_("A unit belongs to another municipality."))
    if errors:
        raise ValidationError(sorted(set(errors)))

    now = timezone.now()
    label = _actor_label(actor)
    from kapabel.core.models import User

    author = actor if isinstance(actor, User) else None
    rows = [
        Rating(
            municipality_id=municipality_id,
            employee_id=entry.employee_id,
            unit_id=entry.unit_id,
            competence_id=entry.competence_id,
            framework_version_id=allowed[entry.competence_id][0],
            source=source,
            level=entry.level,
            comment=entry.comment,
            campaign=campaign,
            assessment=assessment,
            author=author,
            author_label=label,
            rated_at=rated_at or now,
            created_at=now,
            supersedes=supersedes,
        )
        for entry in entries
    ]
    Rating.objects.bulk_create(rows, batch_size=1000)
    pairs = {(r.employee_id, r.competence_id) for r in rows if r.employee_id and source in LEVEL_SOURCES}
    if supersedes is not None:
        Rating.objects.filter(pk=supersedes.pk, superseded_by__isnull=True).update(superseded_by=rows[0])
        supersedes.superseded_by = rows[0]
    refresh_current_levels(pairs)  # type: ignore[arg-type]
    announce.current_levels_changed(pairs)  # the gap aggregates follow in the same transaction
    if audit_event:
        audit.record(
            "assessments.ratings.recorded",
            actor=actor,
            municipality_id=municipality_id,
            object_type="assessments.rating",
            object_id=str(rows[0].pk) if len(rows) == 1 else "",
            object_repr=_("%(count)d ratings (%(source)s)") % {"count": len(rows), "source": source},
            changes={
                "count": [0, len(rows)],
                "campaign": [None, campaign.pk if campaign else None],
                "assessment": [None, assessment.pk if assessment else None],
            },
        )
    return rows


@transaction.atomic
def rating_correct(*, rating: Rating, level: int | None, comment: str = "", actor: Any) -> Rating:
    """Correct a rating: a new row that supersedes it and keeps its `rated_at`; the old row stays."""
    locked = Rating.objects.select_for_update().get(pk=rating.pk)
    if locked.superseded_by_id is not None:
        raise ValidationError(
            _("This rating has already been corrected; correct the newest version instead.")
        )
    if locked.campaign_id and locked.campaign.is_closed:  # type: ignore[union-attr]
        raise ValidationError(_("The campaign is closed; its ratings can no longer be corrected."))
    [correction] = ratings_record(
        municipality_id=locked.municipality_id,
        source=locked.source,
        entries=[
            RatingEntry(
                competence_id=locked.competence_id,
                level=level,
                employee_id=locked.employee_id,
                unit_id=locked.unit_id,
                comment=comment,
            )
        ],
        actor=actor,
        campaign=locked.campaign,
        assessment=locked.assessment,
        rated_at=locked.rated_at,
        supersedes=locked,
        audit_event=False,
    )
    audit.record(
        "assessments.rating.corrected",
        actor=actor,
        obj=correction,
        municipality_id=locked.municipality_id,
        changes={"level": [locked.level, level], "supersedes": [None, locked.pk]},
    )
    rating.superseded_by = correction
    return correction


def refresh_current_levels(pairs: set[tuple[int, int]], *, chunk: int = 400) -> int:
    """Recompute `CurrentLevel` for the given (employee, competence) pairs from the history. Returns
    the number of rows written."""
    if not pairs:
        return 0
    written = 0
    by_employee: dict[int, set[int]] = defaultdict(set)
    for employee_id, competence_id in pairs:
        by_employee[employee_id].add(competence_id)
    employee_ids = sorted(by_employee)
    orders: dict[int, list[str]] = {}
    for start in range(0, len(employee_ids), chunk):
        batch = employee_ids[start : start + chunk]
        competence_ids = set().union(*(by_employee[e] for e in batch))
        latest = selectors.latest_person_ratings(batch, competence_ids)
        municipality_of = dict(Employee.objects.filter(pk__in=batch).values_list("pk", "municipality_id"))
        existing = {
            (row.employee_id, row.competence_id): row
            for row in CurrentLevel.objects.filter(employee_id__in=batch, competence_id__in=competence_ids)
        }
        to_create, to_update = [], []
        for employee_id in batch:
            municipality_id = municipality_of[employee_id]
            if municipality_id not in orders:
                orders[municipality_id] = selectors.level_order_for(municipality_id)
            for competence_id in by_employee[employee_id]:
                by_source = latest.get((employee_id, competence_id), {})
                row = existing.get((employee_id, competence_id))
                if row is None:
                    if not by_source:
                        continue
                    row = CurrentLevel(
                        municipality_id=municipality_id, employee_id=employee_id, competence_id=competence_id
                    )
                    to_create.append(row)
                else:
                    to_update.append(row)
                _fill_current(row, by_source, orders[municipality_id])
        CurrentLevel.objects.bulk_create(to_create, batch_size=1000)
        CurrentLevel.objects.bulk_update(
            to_update,
            [
                "framework_version",
                "self_level",
                "self_rating",
                "manager_level",
                "manager_rating",
                "agreed_level",
                "agreed_rating",
                "level",
                "source",
                "rated_at",
                "updated_at",
            ],
            batch_size=500,
        )
        written += len(to_create) + len(to_update)
    return written


def _fill_current(row: CurrentLevel, by_source: dict[str, Rating], order: list[str]) -> None:
    any_rating = next(iter(by_source.values()), None)
    if any_rating is not None:
        row.framework_version_id = any_rating.framework_version_id
    for source in PERSON_SOURCES:
        rating = by_source.get(source)
        setattr(row, f"{source}_level", rating.level if rating else None)
        setattr(row, f"{source}_rating_id", rating.pk if rating else None)
    level, picked = selectors.pick_current({s: (r.level, r) for s, r in by_source.items()}, order)
    row.level, row.source = level, picked
    row.rated_at = by_source[picked].rated_at if picked else None
    row.updated_at = timezone.now()


@transaction.atomic
def assessment_settings_update(
    *,
    municipality: Municipality,
    actor: Any,
    current_level_order: str | None = None,
    reminder_days_before_close: int | None = None,
    reminders_enabled: bool | None = None,
) -> AssessmentSettings:
    """Change a municipality's settings; a new source order recomputes its current levels."""
    current, _created = AssessmentSettings.objects.get_or_create(municipality=municipality)
    fields = ("current_level_order", "reminder_days_before_close", "reminders_enabled")
    before = audit.snapshot(current, fields)
    if current_level_order is not None:
        current.current_level_order = ",".join(p.strip() for p in current_level_order.split(",") if p.strip())
    if reminder_days_before_close is not None:
        current.reminder_days_before_close = reminder_days_before_close
    if reminders_enabled is not None:
        current.reminders_enabled = reminders_enabled
    current.full_clean()
    current.save()
    changes = audit.diff(before, audit.snapshot(current, fields))
    if "current_level_order" in changes:
        pairs = set(
            CurrentLevel.objects.filter(municipality=municipality).values_list("employee_id", "competence_id")
        )
        refresh_current_levels(pairs)
        announce.municipality_changed(municipality)
    if changes:
        audit.record(
            "assessments.settings.updated",
            actor=actor,
            obj=current,
            municipality_id=municipality.pk,
            changes=changes,
        )
    return current


# --- Campaigns ------------------------------------------------------------------------------------


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
    actor: Any,
    profile: Profile | None = None,
    description: str = "",
    questions: Sequence[str] = (),
    reminder_days_before_close: int | None = None,
) -> Campaign:
    """Create a campaign and an assessment for every participant (bulk; one audit event)."""
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
        created_by=actor if hasattr(actor, "get_username") else None,
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
        },
    )
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor: Any) -> Campaign:
    """Close a campaign for good: no more saves, submissions, assessments or corrections."""
    updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.OPEN).update(
        status=Campaign.Status.CLOSED,
        closed_at=timezone.now(),
        closed_by=actor if hasattr(actor, "get_username") else None,
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


# --- Assessments ----------------------------------------------------------------------------------


def _check_open(campaign: Campaign, *, participant: bool) -> None:
    if campaign.is_closed:
        raise ValidationError(_("The campaign is closed. Nothing more can be saved in it."))
    today = timezone.localdate()
    if today < campaign.opens_on:
        raise ValidationError(
            _("The campaign opens on %(date)s.")
            % {"date": date_format(campaign.opens_on, "SHORT_DATE_FORMAT")}
        )
    if participant and today > campaign.closes_on:
        raise ValidationError(
            _(
                "The campaign closed for answers on %(date)s, so your answers can no longer be submitted. "
                "Talk to your manager if you still want to give them."
            )
            % {"date": date_format(campaign.closes_on, "SHORT_DATE_FORMAT")}
        )


def _parse_level(raw: Any) -> int | None | str:
    """An int level, None for "don't know", or "" for not answered."""
    if raw is None or raw == "":
        return ""
    if raw == UNKNOWN:
        return None
    if isinstance(raw, bool):
        raise ValueError
    return int(raw)


def clean_answers(
    items: list[selectors.CompetenceItem],
    answers: dict[Any, dict[str, Any]],
    *,
    require_all: bool,
    leader: bool = False,
) -> dict[str, dict[str, Any]]:
    """Validate answers keyed by competence id against the campaign's competences. Returns the draft
    form (string keys; level as int, "unknown" or ""). Raises ValidationError with one entry per
    competence field that is wrong."""
    by_id = {item.competence.pk: item for item in items}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict[str, Any]] = {}
    for key in answers:
        try:
            competence_id = int(key)
        except (TypeError, ValueError):
            competence_id = -1
        if competence_id not in by_id:
            errors.setdefault("__all__", []).append(
                _("An answer refers to a competence outside the campaign.")
            )
    if errors:
        raise ValidationError(errors)
    for competence_id, item in by_id.items():
        raw = answers.get(competence_id, answers.get(str(competence_id), {})) or {}
        field = f"level_{competence_id}"
        try:
            level = _parse_level(raw.get("level"))
        except (TypeError, ValueError):
            errors[field] = [_("Choose one of the levels or “Don’t know”.")]
            continue
        if isinstance(level, int) and level not in item.level_values:
            errors[field] = [_("%(level)s is not a level on this competence's scale.") % {"level": level}]
            continue
        if level == "" and require_all:
            errors[field] = [
                _("Choose a level for “%(name)s”, or “Don’t know”.") % {"name": item.competence.name}
            ]
            continue
        entry: dict[str, Any] = {
            "level": UNKNOWN if level is None else level,
            "comment": str(raw.get("comment", "") or "").strip()[:2000],
        }
        if leader:
            for name in ("importance_now", "importance_future"):
                value = raw.get(name, "") or ""
                if value and value not in Importance.values:
                    errors[f"{name}_{competence_id}"] = [_("Choose one of the importance values.")]
                entry[name] = value
        cleaned[str(competence_id)] = entry
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lock(assessment: Assessment, counter: str, version: int, **values: Any) -> None:
    """The optimistic lock: write only if the counter still has the value the form started from."""
    updated = Assessment.objects.filter(pk=assessment.pk, **{counter: version}).update(
        **{counter: F(counter) + 1}, updated_at=timezone.now(), **values
    )
    if not updated:
        current = Assessment.objects.values_list(counter, flat=True).get(pk=assessment.pk)
        raise StaleVersion(current)


def _entries(
    cleaned: dict[str, dict[str, Any]], *, employee_id: int | None, unit_id: int | None
) -> list[RatingEntry]:
    return [
        RatingEntry(
            competence_id=int(key),
            level=None if value["level"] == UNKNOWN else int(value["level"]),
            employee_id=employee_id,
            unit_id=unit_id,
            comment=value.get("comment", ""),
        )
        for key, value in cleaned.items()
    ]


@transaction.atomic
def assessment_save_self(
    *,
    assessment: Assessment,
    version: int,
    actor: Any,
    submit: bool = False,
    answers: dict[Any, dict[str, Any]] | None = None,
    needs_answers: Sequence[str] = (),
    wishes: Sequence[int] = (),
) -> Assessment:
    """The participant saves a draft of, or submits, their part: a self-assessment, a leader's survey
    answers for their unit, or needs-survey answers. Raises StaleVersion on a concurrent save."""
    campaign = assessment.campaign
    _check_open(campaign, participant=True)
    if assessment.self_submitted_at is not None:
        raise ValidationError(_("You have already submitted this. Submitted answers cannot be changed here."))
    items = selectors.campaign_competences(campaign)
    if campaign.kind == Campaign.Kind.NEEDS_SURVEY:
        questions = list(campaign.questions)
        texts = [str(t or "").strip()[:4000] for t in list(needs_answers)[: len(questions)]]
        texts += [""] * (len(questions) - len(texts))
        allowed = {item.competence.pk for item in items}
        wish_ids = sorted({int(w) for w in wishes})
        if not set(wish_ids) <= allowed:
            raise ValidationError({"wishes": _("Choose competences from the campaign's list.")})
        if submit and not any(texts) and not wish_ids:
            raise ValidationError(_("Answer at least one question or choose a competence before submitting."))
        draft: dict[str, Any] = {"answers": texts, "wishes": wish_ids}
    else:
        draft = clean_answers(
            items,
            answers or {},
            require_all=submit,
            leader=campaign.kind == Campaign.Kind.LEADER_SURVEY,
        )
    now = timezone.now()
    status = Assessment.Status.SUBMITTED if submit else Assessment.Status.DRAFT
    values: dict[str, Any] = {"self_draft": draft}
    if submit:
        values["self_submitted_at"] = now
    if assessment.status in (Assessment.Status.PENDING, Assessment.Status.DRAFT):
        values["status"] = status
    _lock(assessment, "self_version", version, **values)
    if submit:
        if campaign.kind == Campaign.Kind.INDIVIDUAL:
            ratings_record(
                municipality_id=campaign.municipality_id,
                source=Source.SELF,
                entries=_entries(draft, employee_id=assessment.employee_id, unit_id=None),
                actor=actor,
                campaign=campaign,
                assessment=assessment,
                rated_at=now,
                audit_event=False,
            )
        elif campaign.kind == Campaign.Kind.LEADER_SURVEY:
            ratings_record(
                municipality_id=campaign.municipality_id,
                source=Source.LEADER,
                entries=_entries(draft, employee_id=None, unit_id=assessment.unit_id),
                actor=actor,
                campaign=campaign,
                assessment=assessment,
                rated_at=now,
                audit_event=False,
            )
            LeaderAnswer.objects.bulk_create(
                [
                    LeaderAnswer(
                        assessment=assessment,
                        competence_id=int(key),
                        importance_now=value.get("importance_now", ""),
                        importance_future=value.get("importance_future", ""),
                        comment=value.get("comment", ""),
                    )
                    for key, value in draft.items()
                ]
            )
        else:
            NeedsAnswer.objects.bulk_create(
                [
                    NeedsAnswer(assessment=assessment, position=i, question=q, answer=draft["answers"][i])
                    for i, q in enumerate(campaign.questions)
                ]
            )
            DevelopmentWish.objects.bulk_create(
                [
                    DevelopmentWish(
                        assessment=assessment, employee_id=assessment.employee_id, competence_id=c
                    )
                    for c in draft["wishes"]
                ]
            )
        audit.record(
            "assessments.assessment.submitted",
            actor=actor,
            obj=assessment,
            municipality_id=campaign.municipality_id,
            changes={"campaign": [None, campaign.pk], "answers": [0, len(draft)]},
        )
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def assessment_save_manager(
    *,
    assessment: Assessment,
    version: int,
    actor: Any,
    answers: dict[Any, dict[str, Any]],
    step: str = Source.MANAGER,
    submit: bool = False,
) -> Assessment:
    """The manager saves a draft of, or submits, the manager assessment (`step` manager) or, after the
    conversation, the agreed level (`step` agreed). Allowed until the campaign is closed."""
    campaign = assessment.campaign
    if campaign.kind != Campaign.Kind.INDIVIDUAL:
        raise ValidationError(_("Only an individual clarification has manager assessments."))
    _check_open(campaign, participant=False)
    if step not in (Source.MANAGER, Source.AGREED):
        raise ValidationError(_("Unknown step."))
    if step == Source.MANAGER and assessment.manager_submitted_at is not None:
        raise ValidationError(_("The manager assessment has already been submitted."))
    if step == Source.AGREED:
        if assessment.manager_submitted_at is None:
            raise ValidationError(_("Submit the manager assessment before recording the agreed level."))
        if assessment.agreed_at is not None:
            raise ValidationError(_("The agreed level has already been recorded."))
    items = selectors.campaign_competences(campaign)
    cleaned = clean_answers(items, answers, require_all=submit)
    draft = dict(assessment.manager_draft or {})
    draft[str(step)] = cleaned
    now = timezone.now()
    values: dict[str, Any] = {"manager_draft": draft}
    if submit and step == Source.MANAGER:
        values.update(
            manager_submitted_at=now, manager_submitted_by=actor if hasattr(actor, "get_username") else None
        )
        values["status"] = Assessment.Status.MANAGER_ASSESSED
    elif submit:
        values.update(agreed_at=now, status=Assessment.Status.AGREED)
    _lock(assessment, "manager_version", version, **values)
    if submit:
        ratings_record(
            municipality_id=campaign.municipality_id,
            source=step,
            entries=_entries(cleaned, employee_id=assessment.employee_id, unit_id=None),
            actor=actor,
            campaign=campaign,
            assessment=assessment,
            rated_at=now,
            audit_event=False,
        )
        audit.record(
            f"assessments.assessment.{step}_submitted",
            actor=actor,
            obj=assessment,
            municipality_id=campaign.municipality_id,
            changes={"campaign": [None, campaign.pk], "answers": [0, len(cleaned)]},
        )
    assessment.refresh_from_db()
    return assessment


# --- Reminders ------------------------------------------------------------------------------------


def _nearest_managers(
    municipality_id: int,
) -> Callable[[OrgUnit | None, str, int], list[tuple[int, str, str]]]:
    links: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for unit_id, employee_id, email, name in OrgUnit.managers.through.objects.filter(
        orgunit__municipality_id=municipality_id, orgunit__active=True, employee__active=True
    ).values_list("orgunit_id", "employee_id", "employee__email", "employee__name"):
        links[unit_id].append((employee_id, email, name))

    def find(_unit: OrgUnit | None, path: str, employee_id: int) -> list[tuple[int, str, str]]:
        for unit_id in reversed([int(p) for p in path.strip("/").split("/") if p]):
            managers = [m for m in links.get(unit_id, []) if m[0] != employee_id]
            if managers:
                return managers
        return []

    return find


def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send the reminder e-mails due today: to participants who have not submitted and to managers with
    pending assessments, once each per campaign, starting N days before the close date."""
    today = today or timezone.localdate()
    sent = {"participants": 0, "managers": 0, "campaigns": 0}
    settings_by_municipality: dict[int, AssessmentSettings] = {}
    connection = get_connection()
    with translation.override(django_settings.LANGUAGE_CODE):
        for campaign in selectors.due_for_reminder(today):
            options = settings_by_municipality.setdefault(
                campaign.municipality_id, selectors.settings_for(campaign.municipality_id)
            )
            if not options.reminders_enabled:
                continue
            days = campaign.reminder_days_before_close
            days = options.reminder_days_before_close if days is None else days
            if today < campaign.closes_on - datetime.timedelta(days=days):
                continue
            counts = _remind_campaign(campaign, connection)
            if counts["participants"] or counts["managers"]:
                sent["campaigns"] += 1
                sent["participants"] += counts["participants"]
                sent["managers"] += counts["managers"]
    return sent


@transaction.atomic
def _remind_campaign(campaign: Campaign, connection: Any) -> dict[str, int]:
    now = timezone.now()
    close = date_format(campaign.closes_on, "DATE_FORMAT")
    messages: list[EmailMessage] = []
    waiting = list(
        Assessment.objects.filter(
            campaign=campaign, self_submitted_at__isnull=True, self_reminded_at__isnull=True
        )
        .exclude(employee__email="")
        .values_list("pk", "employee__email", "employee__name")
    )
    for _pk, email, name in waiting:
        messages.append(
            EmailMessage(
                subject=_("Reminder: %(campaign)s closes on %(date)s")
                % {"campaign": campaign.name, "date": close},
                body=_(
                    "Dear %(name)s,\n\nyou have not yet submitted your answers in “%(campaign)s”. "
                    "The campaign closes on %(date)s. Log in to Kapabel and find it under “My tasks”.\n"
                )
                % {"name": name, "campaign": campaign.name, "date": close},
                to=[email],
                connection=connection,
            )
        )
    Assessment.objects.filter(pk__in=[pk for pk, _e, _n in waiting]).update(self_reminded_at=now)
    managers_sent = 0
    if campaign.kind == Campaign.Kind.INDIVIDUAL:
        pending = list(
            Assessment.objects.filter(
                campaign=campaign, agreed_at__isnull=True, manager_reminded_at__isnull=True
            ).values_list("pk", "employee_id", "employee__unit__path")
        )
        find = _nearest_managers(campaign.municipality_id)
        per_manager: dict[tuple[int, str, str], int] = defaultdict(int)
        for _pk, employee_id, path in pending:
            for manager in find(None, path, employee_id):
                per_manager[manager] += 1
        for (_mid, email, name), count in sorted(per_manager.items()):
            if not email:
                continue
            messages.append(
                EmailMessage(
                    subject=_("Reminder: assessments pending in %(campaign)s") % {"campaign": campaign.name},
                    body=_(
                        "Dear %(name)s,\n\n%(count)d of your employees still await your assessment or "
                        "the agreed level in “%(campaign)s”, which closes on %(date)s. Log in to Kapabel "
                        "and find them under “My tasks”.\n"
                    )
                    % {"name": name, "count": count, "campaign": campaign.name, "date": close},
                    to=[email],
                    connection=connection,
                )
            )
            managers_sent += 1
        Assessment.objects.filter(pk__in=[pk for pk, _e, _p in pending]).update(manager_reminded_at=now)
    if messages:
        connection.send_messages(messages)
        audit.record(
            "assessments.campaign.reminded",
            actor=None,
            obj=campaign,
            changes={"participants": [0, len(waiting)], "managers": [0, managers_sent]},
        )
    return {"participants": len(waiting), "managers": managers_sent}
