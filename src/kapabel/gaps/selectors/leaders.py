"""What the leader survey says about how much each competence matters in a unit's subtree, and the
factor by which that moves a competence up or down the priorities (docs/gaps.md, "Priorities and the
leader survey").

For each unit and competence the leader's latest submitted answer counts (a newer leader survey
replaces an older answer for the same unit). Importance is turned into a number with the
municipality's importance weights (`GapSettings`, the same weights as the weighted gap). Per
competence:

    leader weight = (1 − s) × mean weight now + s × mean weight in three years
    factor        = 1 + p × (leader weight / weight of "important" − 1)
    priority      = total weighted gap × factor

with s = `GapSettings.leader_future_share` / 100 and p = `GapSettings.leader_influence` / 100. A
leader rating of *important* leaves a competence where the gaps put it; *essential* moves it up,
*nice to have* down. A competence no leader rated keeps factor 1. Like survey results, the answers
of fewer leaders than the minimum group size are not used or shown (for anyone).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kapabel.assessments.models import Campaign, LeaderAnswer
from kapabel.competences.models import IMPORTANCE_DEFAULT_WEIGHTS, Importance
from kapabel.gaps.models import GapSettings
from kapabel.gaps.versions import earlier_versions
from kapabel.organisation.models import OrgUnit


@dataclass(frozen=True)
class LeaderView:
    """The leaders' importance of one competence in a subtree."""

    respondents: int
    now: float | None  # mean weight, None when no leader stated it
    future: float | None
    factor: float
    suppressed: bool = False
    now_label: str = ""  # the importance whose weight is nearest the mean (for display)
    future_label: str = ""


def _label(value: float | None, weights: dict[str, int]) -> str:
    if value is None:
        return ""
    nearest = min(weights, key=lambda key: (abs(weights[key] - value), -weights[key]))
    return str(Importance(nearest).label)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _weights(settings: GapSettings) -> dict[str, int]:
    weights = {str(k): v for k, v in IMPORTANCE_DEFAULT_WEIGHTS.items()}
    weights.update({str(k): v for k, v in settings.weights.items()})
    return weights


def leader_importance(
    unit: OrgUnit, competence_ids: list[int], settings: GapSettings
) -> dict[int, LeaderView]:
    """Competence id (of `competence_ids`; earlier versions of them count for them) -> the leaders'
    importance in the unit's subtree. Two queries plus the version mappings."""
    heads = earlier_versions(competence_ids)
    weights = _weights(settings)
    latest: dict[tuple[int, int], tuple[object, int, str, str]] = {}
    for unit_id, competence_id, submitted, employee_id, said_now, said_future in (
        LeaderAnswer.objects.filter(
            unit.subtree_q("assessment__unit__path"),
            assessment__campaign__municipality_id=unit.municipality_id,
            assessment__campaign__kind=Campaign.Kind.LEADER_SURVEY,
            assessment__self_submitted_at__isnull=False,
            competence_id__in=list(heads),
        )
        .order_by("assessment__self_submitted_at", "id")
        .values_list(
            "assessment__unit_id",
            "competence_id",
            "assessment__self_submitted_at",
            "assessment__employee_id",
            "importance_now",
            "importance_future",
        )
    ):
        key = (unit_id, heads[competence_id])
        latest[key] = (submitted, employee_id, said_now, said_future)  # oldest first: the latest wins
    by_competence: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for (_unit_id, head), (_submitted, employee_id, said_now, said_future) in latest.items():
        by_competence[head].append((employee_id, said_now, said_future))
    neutral = weights.get(Importance.IMPORTANT, 0) or 1
    share = settings.leader_future_share / 100
    influence = settings.leader_influence / 100
    result: dict[int, LeaderView] = {}
    for head, answers in by_competence.items():
        respondents = len({employee for employee, _n, _f in answers})
        if respondents < settings.min_group_size:
            result[head] = LeaderView(respondents, None, None, 1.0, suppressed=True)
            continue
        now = _mean([weights[n] for _e, n, _f in answers if n in weights])
        future = _mean([weights[f] for _e, _n, f in answers if f in weights])
        if now is not None and future is not None:
            blended = (1 - share) * now + share * future
        elif now is not None or future is not None:
            blended = now if now is not None else future  # type: ignore[assignment]  # one is set
        else:
            result[head] = LeaderView(respondents, None, None, 1.0)
            continue
        factor = 1 + influence * (blended / neutral - 1)
        result[head] = LeaderView(
            respondents,
            now,
            future,
            max(0.0, factor),
            now_label=_label(now, weights),
            future_label=_label(future, weights),
        )
    return result
