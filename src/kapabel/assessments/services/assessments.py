"""Writes for one participant's assessment: the participant's own answers (self-assessment or
survey), the manager assessment and the agreed level. Drafts are optimistically locked; a submission
turns them into ratings through `ratings_record`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.assessments import selectors
from kapabel.assessments.models import (
    Assessment,
    Campaign,
    DevelopmentWish,
    LeaderAnswer,
    NeedsAnswer,
    Part,
    Source,
)
from kapabel.assessments.services.campaigns import campaign_require_open
from kapabel.assessments.services.ratings import RatingEntry, ratings_record
from kapabel.competences.models import Importance
from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User

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


def _lock(assessment: Assessment, counter: str, version: int, values: dict[str, Any]) -> None:
    """The optimistic lock: write `values` only if the counter still has the value the form started
    from."""
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
    actor: Actor,
    submit: bool = False,
    answers: dict[Any, dict[str, Any]] | None = None,
    needs_answers: Sequence[str] = (),
    wishes: Sequence[int] = (),
) -> Assessment:
    """The participant saves a draft of, or submits, their part: a self-assessment, a leader's survey
    answers for their unit, or needs-survey answers. Raises StaleVersion on a concurrent save."""
    campaign = assessment.campaign
    campaign_require_open(campaign, campaign.participant_part)
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
    _lock(assessment, "self_version", version, values)
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
    actor: Actor,
    answers: dict[Any, dict[str, Any]],
    step: Part | str = Part.MANAGER,
    submit: bool = False,
) -> Assessment:
    """The manager saves a draft of, or submits, the manager assessment (`step` manager) or, after the
    conversation, the agreed level (`step` agreed). Allowed until the campaign is closed, one step at a
    time (`Assessment.next_manager_step`)."""
    campaign = assessment.campaign
    if step not in (Part.MANAGER, Part.AGREED):
        raise ValidationError(_("Unknown step."))
    step = Part(step)
    campaign_require_open(campaign, step)
    expected = assessment.next_manager_step
    if step != expected:
        if step == Part.AGREED and expected == Part.MANAGER:
            raise ValidationError(_("Submit the manager assessment before recording the agreed level."))
        if step == Part.AGREED:
            raise ValidationError(_("The agreed level has already been recorded."))
        raise ValidationError(_("The manager assessment has already been submitted."))
    items = selectors.campaign_competences(campaign)
    cleaned = clean_answers(items, answers, require_all=submit)
    draft = dict(assessment.manager_draft or {})
    draft[str(step)] = cleaned
    now = timezone.now()
    values: dict[str, Any] = {"manager_draft": draft}
    if submit and step == Part.MANAGER:
        values.update(
            manager_submitted_at=now,
            manager_submitted_by=actor if isinstance(actor, User) else None,
            status=Assessment.Status.MANAGER_ASSESSED,
        )
    elif submit:
        values.update(agreed_at=now, status=Assessment.Status.AGREED)
    _lock(assessment, "manager_version", version, values)
    if submit:
        ratings_record(
            municipality_id=campaign.municipality_id,
            source=Source(step),
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
