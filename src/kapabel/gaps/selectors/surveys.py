"""Results of needs surveys (wishes and answers to the open questions) and leader surveys (the unit's
level, importance now and in three years, comments), per campaign and per unit.

Survey answers are shown only in aggregate and never with a name, so the results of a group of
respondents smaller than the municipality's minimum group size (`GapSettings.min_group_size`, the
one the gap analysis uses) are hidden from everyone, whatever their role. A unit's results are also
hidden when showing them would let a reader work out a small group by subtraction from its parent
(the gap analysis' differencing rule, `suppress_group`, over the parent's children). Who may open
the results at all is decided by `kapabel.assessments.permissions` (the campaign), and the
respondents counted are the participants the reader may see.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from kapabel.assessments import selectors as assessment_selectors
from kapabel.assessments.models import (
    Campaign,
    DevelopmentWish,
    LeaderAnswer,
    NeedsAnswer,
    Rating,
    Source,
)
from kapabel.competences.models import Importance
from kapabel.core.models import User
from kapabel.gaps.definition import settings_for
from kapabel.gaps.selectors.suppression import suppress_group
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation.models import OrgUnit

IMPORTANCES = Importance.choices


@dataclass
class UnitChoice:
    unit: OrgUnit
    depth: int  # below the highest unit shown
    respondents: int
    suppressed: bool

    @property
    def indent(self) -> str:
        """Dashes showing the depth in the unit list."""
        return "– " * self.depth


@dataclass
class SurveyResults:
    campaign: Campaign
    unit: OrgUnit | None  # None: every participant the reader may see
    minimum: int
    participants: int
    respondents: int
    suppressed: bool
    units: list[UnitChoice]
    # Needs survey
    wishes: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    # Leader survey
    competences: list[dict[str, Any]] = field(default_factory=list)


def _ancestor_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def survey_results(user: User, campaign: Campaign, unit: OrgUnit | None = None) -> SurveyResults:
    """The results of a survey campaign over the participants `user` may see, or those taking part
    for `unit` and the units below it. The caller has checked the campaign and the unit."""
    minimum = settings_for(campaign.municipality_id).min_group_size
    rows = list(
        assessment_selectors.assessments_for_user(user)
        .filter(campaign=campaign)
        .order_by()
        .values_list("pk", "unit__path", "employee_id", "self_submitted_at")
    )
    # Participants and respondents of every unit on the way up from each participant's unit.
    participants_in: dict[int, set[int]] = defaultdict(set)
    respondents_in: dict[int, set[int]] = defaultdict(set)
    for _pk, path, employee_id, submitted in rows:
        for unit_id in _ancestor_ids(path):
            participants_in[unit_id].add(employee_id)
            if submitted is not None:
                respondents_in[unit_id].add(employee_id)
    visible = list(
        org_selectors.units_for_user(user)
        .filter(pk__in=list(participants_in), municipality_id=campaign.municipality_id)
        .order_by("path")
    )
    visible_ids = {u.pk for u in visible}
    counts = {u.pk: len(respondents_in.get(u.pk, ())) for u in visible}
    hidden = _hidden_units(visible, counts, minimum)
    top_depth = min((u.depth for u in visible), default=0)
    choices = [
        UnitChoice(unit=u, depth=u.depth - top_depth, respondents=counts[u.pk], suppressed=u.pk in hidden)
        for u in visible
    ]
    chosen_rows = [r for r in rows if unit is None or unit.pk in _ancestor_ids(r[1])]
    respondents = {r[2] for r in chosen_rows if r[3] is not None}
    suppressed = len(respondents) < minimum or (
        unit is not None and (unit.pk in hidden or unit.pk not in visible_ids)
    )
    results = SurveyResults(
        campaign=campaign,
        unit=unit,
        minimum=minimum,
        participants=len({r[2] for r in chosen_rows}),
        respondents=len(respondents),
        suppressed=suppressed,
        units=choices,
    )
    if suppressed:
        return results
    answered = [r[0] for r in chosen_rows if r[3] is not None]
    items = assessment_selectors.campaign_competences(campaign)
    if campaign.kind == Campaign.Kind.NEEDS_SURVEY:
        _needs(results, answered, items)
    elif campaign.kind == Campaign.Kind.LEADER_SURVEY:
        _leaders(results, answered, items)
    return results


def _hidden_units(units: list[OrgUnit], counts: dict[int, int], minimum: int) -> set[int]:
    """The units whose results may not be shown: fewer respondents than the minimum, or a child
    whose figure with its parent's would reveal a small remainder (`suppress_group`, per parent)."""
    hidden = {u.pk for u in units if counts[u.pk] < minimum}
    children: dict[int, dict[int, int]] = defaultdict(dict)
    for u in units:
        if u.parent_id in counts:
            children[u.parent_id][u.pk] = counts[u.pk]
    for parent_id, kids in children.items():
        parent_hidden, hidden_kids = suppress_group(counts[parent_id], kids, minimum)
        hidden |= hidden_kids
        if parent_hidden:
            hidden.add(parent_id)
    return hidden


def _needs(results: SurveyResults, answered: list[int], items: list[Any]) -> None:
    wish_counts = Counter(
        DevelopmentWish.objects.filter(assessment_id__in=answered).values_list("competence_id", flat=True)
    )
    results.wishes = sorted(
        (
            {
                "competence": item.competence,
                "area": item.area,
                "count": wish_counts.get(item.competence.pk, 0),
                "share": wish_counts.get(item.competence.pk, 0) / results.respondents,
            }
            for item in items
        ),
        key=lambda row: (-row["count"], row["competence"].name),
    )
    texts: dict[int, Counter[str]] = defaultdict(Counter)
    for position, answer in (
        NeedsAnswer.objects.filter(assessment_id__in=answered)
        .exclude(answer="")
        .values_list("position", "answer")
    ):
        texts[position][answer.strip()] += 1
    # The same answer given by several people is shown once with their number; otherwise sorted
    # alphabetically, so the order of the answers says nothing about who gave them.
    results.questions = []
    for position, question in enumerate(results.campaign.questions):
        given = texts.get(position, Counter())
        results.questions.append(
            {
                "question": question,
                "answers": [
                    {"text": text, "count": n}
                    for text, n in sorted(given.items(), key=lambda t: (-t[1], t[0].casefold()))
                ],
                "total": sum(given.values()),
            }
        )


def _leaders(results: SurveyResults, answered: list[int], items: list[Any]) -> None:
    answers: dict[int, list[LeaderAnswer]] = defaultdict(list)
    for answer in LeaderAnswer.objects.filter(assessment_id__in=answered):
        answers[answer.competence_id].append(answer)
    levels: dict[int, list[int | None]] = defaultdict(list)
    for competence_id, level in Rating.objects.filter(
        assessment_id__in=answered, source=Source.LEADER, superseded_by__isnull=True
    ).values_list("competence_id", "level"):
        levels[competence_id].append(level)
    rows = []
    for item in items:
        pk = item.competence.pk
        known = [level for level in levels.get(pk, []) if level is not None]
        now = Counter(a.importance_now for a in answers.get(pk, []) if a.importance_now)
        future = Counter(a.importance_future for a in answers.get(pk, []) if a.importance_future)
        rows.append(
            {
                "competence": item.competence,
                "area": item.area,
                "answers": len(levels.get(pk, [])),
                "mean_level": sum(known) / len(known) if known else None,
                "unknown": len(levels.get(pk, [])) - len(known),
                "now": [{"label": label, "count": now.get(value, 0)} for value, label in IMPORTANCES],
                "future": [{"label": label, "count": future.get(value, 0)} for value, label in IMPORTANCES],
                "comments": sorted(
                    (a.comment for a in answers.get(pk, []) if a.comment.strip()), key=str.casefold
                ),
            }
        )
    results.competences = rows
