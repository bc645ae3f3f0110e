"""What competence clarification holds about a person (kapabel.core.personal_data): their
assessments in campaigns, the ratings of them (self, manager, agreed), their current levels, and their
survey answers and development wishes.

The export shows who rated only as the rating's source (self, manager, agreed), never the rater's
name. Anonymising keeps every rating and level (the history and the gap statistics rest on them) and
blanks the free text written by or about the person: rating comments, survey answers, draft comments;
the person's name as the author of ratings they gave becomes their anonymised username."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from kapabel.assessments.models import (
    Assessment,
    CurrentLevel,
    DevelopmentWish,
    LeaderAnswer,
    NeedsAnswer,
    Rating,
)
from kapabel.core.audit import Actor
from kapabel.core.personal_data import Field, Person, Section


def _without_text(draft: Any) -> Any:
    """A draft with its free text blanked: the comments of a rating draft ({competence id: {"level":
    …, "comment": …}}) and the answers of a needs-survey draft ({"answers": […], "wishes": […]})."""
    if isinstance(draft, list):
        return [_without_text(item) for item in draft]
    if not isinstance(draft, dict):
        return draft
    blanked: dict[str, Any] = {}
    for key, value in draft.items():
        if key == "comment" and isinstance(value, str):
            blanked[key] = ""
        elif key == "answers" and isinstance(value, list):
            blanked[key] = ["" if isinstance(item, str) else item for item in value]
        else:
            blanked[key] = _without_text(value)
    return blanked


class AssessmentsData:
    key = "assessments"
    title = gettext_lazy("Competence clarification")

    def export(self, person: Person) -> list[Section]:
        employee_id = person.employee_id
        assessments = (
            Assessment.objects.filter(employee_id=employee_id)
            .select_related("campaign", "unit")
            .order_by("id")
        )
        ratings = (
            Rating.objects.filter(employee_id=employee_id)
            .select_related("competence", "campaign")
            .order_by("rated_at", "id")
        )
        levels = (
            CurrentLevel.objects.filter(employee_id=employee_id)
            .select_related("competence")
            .order_by("competence__code", "competence_id")
        )
        mine = Q(assessment__employee_id=employee_id)
        needs = (
            NeedsAnswer.objects.filter(mine)
            .select_related("assessment__campaign")
            .order_by("assessment", "position")
        )
        leader = (
            LeaderAnswer.objects.filter(mine)
            .select_related("assessment__campaign", "competence")
            .order_by("id")
        )
        wishes = (
            DevelopmentWish.objects.filter(employee_id=employee_id)
            .select_related("assessment__campaign", "competence")
            .order_by("id")
        )
        return [
            Section(
                "assessments",
                gettext_lazy("Campaigns the person took part in"),
                [
                    Field("campaign", gettext_lazy("Campaign")),
                    Field("unit", gettext_lazy("Unit")),
                    Field("status", gettext_lazy("Status")),
                    Field("self_submitted", gettext_lazy("Self-assessment submitted"), "date"),
                    Field("manager_submitted", gettext_lazy("Manager assessment submitted"), "date"),
                    Field("agreed", gettext_lazy("Agreed"), "date"),
                ],
                [
                    [
                        a.campaign.name,
                        a.unit.name,
                        a.get_status_display(),
                        a.self_submitted_at,
                        a.manager_submitted_at,
                        a.agreed_at,
                    ]
                    for a in assessments
                ],
            ),
            Section(
                "ratings",
                gettext_lazy("Ratings of the person"),
                [
                    Field("competence", gettext_lazy("Competence")),
                    Field("source", gettext_lazy("Source")),
                    Field("level", gettext_lazy("Level"), "int"),
                    Field("comment", gettext_lazy("Comment")),
                    Field("campaign", gettext_lazy("Campaign")),
                    Field("rated_at", gettext_lazy("Rated at"), "date"),
                    Field("corrected", gettext_lazy("Corrected later")),
                ],
                [
                    [
                        str(r.competence),
                        r.get_source_display(),
                        r.level,
                        r.comment,
                        r.campaign.name if r.campaign else "",
                        r.rated_at,
                        r.superseded_by_id is not None,
                    ]
                    for r in ratings
                ],
            ),
            Section(
                "current_levels",
                gettext_lazy("Current levels"),
                [
                    Field("competence", gettext_lazy("Competence")),
                    Field("level", gettext_lazy("Level"), "int"),
                    Field("source", gettext_lazy("Source")),
                    Field("self_level", gettext_lazy("Self-assessment"), "int"),
                    Field("manager_level", gettext_lazy("Manager assessment"), "int"),
                    Field("agreed_level", gettext_lazy("Agreed level"), "int"),
                ],
                [
                    [
                        str(c.competence),
                        c.level,
                        c.get_source_display() if c.source else "",
                        c.self_level,
                        c.manager_level,
                        c.agreed_level,
                    ]
                    for c in levels
                ],
            ),
            Section(
                "needs_answers",
                gettext_lazy("Needs survey answers"),
                [
                    Field("campaign", gettext_lazy("Campaign")),
                    Field("question", gettext_lazy("Question")),
                    Field("answer", gettext_lazy("Answer")),
                ],
                [[n.assessment.campaign.name, n.question, n.answer] for n in needs],
            ),
            Section(
                "leader_answers",
                gettext_lazy("Leader survey answers"),
                [
                    Field("campaign", gettext_lazy("Campaign")),
                    Field("competence", gettext_lazy("Competence")),
                    Field("importance_now", gettext_lazy("Importance now")),
                    Field("importance_future", gettext_lazy("Importance in three years")),
                    Field("comment", gettext_lazy("Comment")),
                ],
                [
                    [
                        answer.assessment.campaign.name,
                        str(answer.competence),
                        answer.get_importance_now_display(),
                        answer.get_importance_future_display(),
                        answer.comment,
                    ]
                    for answer in leader
                ],
            ),
            Section(
                "development_wishes",
                gettext_lazy("Development wishes"),
                [
                    Field("campaign", gettext_lazy("Campaign")),
                    Field("competence", gettext_lazy("Competence")),
                ],
                [[w.assessment.campaign.name, str(w.competence)] for w in wishes],
            ),
        ]

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        employee_id = person.employee_id
        mine = Q(assessment__employee_id=employee_id)
        changed = Rating.objects.filter(employee_id=employee_id).exclude(comment="").update(comment="")
        changed += NeedsAnswer.objects.filter(mine).exclude(answer="").update(answer="")
        changed += LeaderAnswer.objects.filter(mine).exclude(comment="").update(comment="")
        for assessment in Assessment.objects.filter(employee_id=employee_id).only(
            "pk", "self_draft", "manager_draft"
        ):
            drafts = _without_text(assessment.self_draft), _without_text(assessment.manager_draft)
            if drafts != (assessment.self_draft, assessment.manager_draft):
                Assessment.objects.filter(pk=assessment.pk).update(
                    self_draft=drafts[0], manager_draft=drafts[1]
                )
                changed += 1
        if person.user_id is not None:
            changed += Rating.objects.filter(author_id=person.user_id).update(
                author_label=person.anonymised_username
            )
        # Others' free text in the municipality that mentions the person.
        municipality = Q(municipality_id=person.municipality_id)
        in_campaigns = Q(assessment__campaign__municipality_id=person.municipality_id)
        changed += _scrub_texts(person, Rating, "comment", municipality)
        changed += _scrub_texts(person, NeedsAnswer, "answer", in_campaigns)
        changed += _scrub_texts(person, LeaderAnswer, "comment", in_campaigns)
        changed += _scrub_texts(
            person, Assessment, "self_draft", Q(campaign__municipality_id=person.municipality_id)
        )
        changed += _scrub_texts(
            person, Assessment, "manager_draft", Q(campaign__municipality_id=person.municipality_id)
        )
        return changed


def _mentions(person: Person, field: str) -> Q:
    """Rows whose `field` (text, or JSON as stored: SQLite keeps æ, ø, å escaped) may mention the person."""
    q = Q(pk__in=[])
    for needle in person.needles:
        q |= Q(**{f"{field}__icontains": needle})
        escaped = json.dumps(needle)[1:-1]
        if escaped != needle:
            q |= Q(**{f"{field}__icontains": escaped})
    return q


def _scrub_texts(person: Person, model: type[models.Model], field: str, scope: Q) -> int:
    """Replace the person's mentions in `field` of the rows in `scope`; the number of rows changed."""
    changed = 0
    for pk, value in model._default_manager.filter(scope, _mentions(person, field)).values_list("pk", field):
        scrubbed = person.scrub_json(value)
        if scrubbed != value:
            model._default_manager.filter(pk=pk).update(**{field: scrubbed})
            changed += 1
    return changed
