"""Trend: the gap closed between two campaigns or two dates, computed on request from the rating
history (a comparison reads two points in time, not the present, so it is not maintained)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kapabel.assessments.models import DEFAULT_LEVEL_ORDER, AssessmentSettings, Campaign, Rating
from kapabel.core.access import path_in_subtree, scope_for
from kapabel.core.models import User
from kapabel.gaps import permissions, snapshots
from kapabel.gaps.definition import equivalents, gap, settings_for
from kapabel.gaps.models import GapFact
from kapabel.gaps.selectors.figures import competences_in_order
from kapabel.gaps.selectors.suppression import suppress_group
from kapabel.gaps.versions import same_heads
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation.models import OrgUnit


def campaigns_for(user: User, unit: OrgUnit) -> QuerySet[Campaign]:
    """The campaigns a trend of the unit can compare, oldest first: those that rate people (a needs
    survey rates nobody; a leader survey rates units)."""
    return (
        Campaign.objects.filter(scope_for(user).municipalities_q(), municipality_id=unit.municipality_id)
        .exclude(kind__in=[Campaign.Kind.NEEDS_SURVEY, Campaign.Kind.LEADER_SURVEY])
        .select_related("framework_version")
        .order_by("opens_on", "id")
    )


@dataclass(frozen=True)
class TrendChoice:
    """What a trend compares: two campaigns (`a`, `b`) or two dates, and the campaigns to choose from."""

    campaigns: list[Campaign]
    a: Campaign | None = None
    b: Campaign | None = None
    date_a: datetime.date | None = None
    date_b: datetime.date | None = None

    @property
    def ready(self) -> bool:
        """Two points to compare were given (or chosen by default)."""
        return (self.a is not None and self.b is not None) or (
            self.date_a is not None and self.date_b is not None
        )


def trend_choice(
    user: User,
    unit: OrgUnit,
    *,
    a: int | None = None,
    b: int | None = None,
    date_a: datetime.date | None = None,
    date_b: datetime.date | None = None,
) -> TrendChoice:
    """The campaigns (by id, among `campaigns_for`) or dates asked for; when neither campaigns nor
    both dates are given, by default the latest campaign and the one before it on the same framework
    (else simply the one before it). The page and the API both ask here."""
    campaigns = list(campaigns_for(user, unit))
    by_id = {c.pk: c for c in campaigns}
    first = by_id.get(a) if a is not None else None
    second = by_id.get(b) if b is not None else None
    if first is None and second is None and not (date_a and date_b) and len(campaigns) >= 2:
        second = campaigns[-1]
        framework_id = second.framework_version.framework_id
        first = next(
            (c for c in reversed(campaigns[:-1]) if c.framework_version.framework_id == framework_id),
            campaigns[-2],
        )
    return TrendChoice(campaigns=campaigns, a=first, b=second, date_a=date_a, date_b=date_b)


def _levels_at(
    unit: OrgUnit, eq: dict[int, list[int]], *, campaign: Campaign | None, date: datetime.date | None
) -> dict[tuple[int, int], int]:
    """(employee, target competence) -> level from the ratings of a campaign, or as of a date,
    following the municipality's source order (the same rule as CurrentLevel)."""
    order = (
        AssessmentSettings.objects.filter(municipality_id=unit.municipality_id)
        .values_list("current_level_order", flat=True)
        .first()
        or DEFAULT_LEVEL_ORDER
    ).split(",")
    reverse: dict[int, list[int]] = defaultdict(list)
    for target, group in eq.items():
        for c in group:
            reverse[c].append(target)
    ratings = Rating.objects.filter(
        unit__isnull=True,
        superseded_by__isnull=True,
        competence_id__in=list(reverse),
    ).filter(unit.subtree_q("employee__unit__path"))
    if campaign is not None:
        ratings = ratings.filter(campaign=campaign)
    if date is not None and date < datetime.date.max:  # as of the calendar's last day: every rating
        end = datetime.datetime.combine(
            date + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
        )
        ratings = ratings.filter(rated_at__lt=end)
    latest: dict[tuple[int, int, str], tuple[Any, int, int | None]] = {}
    for employee_id, competence_id, source, level, rated_at, pk in ratings.values_list(
        "employee_id", "competence_id", "source", "level", "rated_at", "id"
    ).iterator(chunk_size=20000):
        for target in reverse[competence_id]:
            key = (employee_id, target, source)
            if key not in latest or (rated_at, pk) > latest[key][:2]:
                latest[key] = (rated_at, pk, level)
    result: dict[tuple[int, int], int] = {}
    people = {(e, t) for e, t, _ in latest}
    for employee_id, target in people:
        for source in order:
            found = latest.get((employee_id, target, source.strip()))
            if found is not None and found[2] is not None:
                result[(employee_id, target)] = found[2]
                break
    return result


def _fold(counts: dict[Any, list[int]], heads: dict[int, int]) -> dict[Any, list[int]]:
    """`counts` (keyed by competence id, or by (unit id, competence id)) with every competence's
    counters added into those of its head."""
    result: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, values in counts.items():
        new = heads.get(key, key) if isinstance(key, int) else (key[0], heads.get(key[1], key[1]))
        result[new] = [x + y for x, y in zip(result[new], values, strict=True)]
    return result


def trend(
    user: User,
    unit: OrgUnit,
    *,
    a: Campaign | None = None,
    b: Campaign | None = None,
    date_a: datetime.date | None = None,
    date_b: datetime.date | None = None,
) -> dict[str, Any]:
    """Gap closed between two campaigns or two dates, per competence and per unit below, for the
    people the user may see, measured against their current targets. Computed from the rating
    snapshot of every person's levels in every campaign (`gaps.snapshots`); between two dates, from
    the rating history on request."""
    full = permissions.can_view_everyone_in(user, unit)
    minimum = settings_for(unit.municipality_id).min_group_size
    children = list(org_selectors.units_for_user(user).filter(parent=unit).order_by("name"))
    visible = scope_for(user).employees_q("employee__")
    per_comp: dict[int, list[int]]  # people, gap a, gap b
    per_unit: dict[tuple[int, int], list[int]]
    if a is not None and b is not None and date_a is None and date_b is None:
        per_comp, per_unit = snapshots.trend_counts(unit, children, a.pk, b.pk, None if full else visible)
    else:
        facts = list(
            GapFact.objects.filter(visible)
            .filter(unit.subtree_q("unit__path"))
            .values_list("employee_id", "competence_id", "target_level", "unit__path")
        )
        eq = equivalents({f[1] for f in facts})
        first = _levels_at(unit, eq, campaign=a, date=date_a)
        second = _levels_at(unit, eq, campaign=b, date=date_b)
        per_comp, per_unit = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0, 0])
        for employee_id, competence_id, target, path in facts:
            la, lb = first.get((employee_id, competence_id)), second.get((employee_id, competence_id))
            ga, gb = gap(target, la), gap(target, lb)
            if ga is None or gb is None:
                continue
            for bucket in [per_comp[competence_id]] + [
                per_unit[(child.pk, competence_id)] for child in children if path_in_subtree(path, child.path)
            ]:
                bucket[0] += 1
                bucket[1] += ga
                bucket[2] += gb
    # The same competence in several versions: counters added into its newest shown version.
    heads = same_heads(competences_in_order(per_comp))
    per_comp, per_unit = _fold(per_comp, heads), _fold(per_unit, heads)
    competences = competences_in_order(per_comp)

    def summary(values: list[int]) -> dict[str, Any]:
        n, ga, gb = values
        hidden = not full and 0 < n < minimum
        if hidden or n == 0:
            return {"people": n, "suppressed": hidden, "mean_a": None, "mean_b": None, "closed": None}
        return {"people": n, "suppressed": False, "mean_a": ga / n, "mean_b": gb / n, "closed": (ga - gb) / n}

    comp_rows = [{"competence": c, **summary(per_comp[c.pk])} for c in competences]
    unit_rows: list[dict[str, Any]] = [
        {"unit": child, "cells": [summary(per_unit[(child.pk, c.pk)]) for c in competences]}
        for child in children
    ]
    if not full:  # differencing: the unit total minus its children must not reveal a small group
        for i, c in enumerate(competences):
            _, hidden = suppress_group(
                per_comp[c.pk][0],
                {r["unit"].pk: per_unit[(r["unit"].pk, c.pk)][0] for r in unit_rows},
                minimum,
            )
            for r in unit_rows:
                if r["unit"].pk in hidden:
                    r["cells"][i] = {
                        **r["cells"][i],
                        "suppressed": True,
                        "mean_a": None,
                        "mean_b": None,
                        "closed": None,
                    }
    return {
        "competences": competences,
        "rows": comp_rows,
        "unit_rows": unit_rows,
        "full_view": full,
        "minimum": minimum,
    }
