"""Recommendations (issue 12 #8): for a person or a unit, the offers and internal options ranked by the
importance-weighted gap they are expected to close per krone, counting an hour away from work at the
municipality's `LearningSettings.hour_value`, each with its reasons in words.

The arithmetic, per offer: for each competence it develops with an expected gain of g levels (or a
competence that maps into a target, see `gaps.definition.equivalents`), each person with a gap closes
min(gap, g) levels, worth that times the importance weight. `weighted` is the sum, `participants` the
most people helped in any one of its competences (a lower bound of those who would take it), and

    cost = participants × (price per participant + hours away × hour value)
    score = weighted / cost            (weighted gap closed per krone)

`per_krone` (fees only) and `per_hour` are reported beside it. Internal options: for a person, peer
training with the best suggested colleague per competence (`suggestions`); for a unit, colleagues in
the unit at or above the target, each teaching up to `max_mentees` people. An internal option is
expected to close `INTERNAL_GAIN` level at `INTERNAL_HOURS` hours for the learner and as many for
the colleague, and no fee.

Set-based: the unit's gap facts are read once, grouped by competence, gap and weight (one query for
any number of people), the offers in three more; the scoring runs in Python over those groups."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kapabel.competences.models import Competence
from kapabel.gaps.definition import equivalents
from kapabel.gaps.definition import settings_for as gap_settings_for
from kapabel.gaps.models import GapFact
from kapabel.gaps.permissions import can_view_everyone_in
from kapabel.learning import suggestions
from kapabel.learning.models import Cohort, InternalActivity, LearningSettings, Offer, OfferCompetence
from kapabel.organisation.models import Employee, OrgUnit

HOURS_PER_DAY = Decimal("7.4")  # 37 hours a week over five days
HOURS_PER_WEEK = Decimal("37")
INTERNAL_GAIN = 1
INTERNAL_HOURS = Decimal("12")
MIN_COST = Decimal("1")


@dataclass
class Recommendation:
    kind: str  # "offer" or "internal"
    title: str
    score: float
    weighted_closed: int
    people: int
    cost: Decimal
    price_per_person: Decimal
    hours_per_person: Decimal
    per_krone: float | None
    per_hour: float | None
    reasons: list[str]
    offer_id: int | None = None
    competence_ids: list[int] = field(default_factory=list)
    colleague_id: int | None = None
    next_start: datetime.datetime | None = None
    gains: dict[int, int] = field(default_factory=dict, repr=False)  # target competence -> levels

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons)


@dataclass
class GapGroup:
    """The gaps in one target competence: (gap, weight) -> number of people."""

    counts: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))

    @property
    def people(self) -> int:
        return sum(n for (gap, _w), n in self.counts.items() if gap > 0)

    @property
    def levels(self) -> int:
        return sum(gap * n for (gap, _w), n in self.counts.items())

    def closed(self, gain: int) -> tuple[int, int]:
        """(levels closed, weighted levels closed) when everyone with a gap gains `gain` levels."""
        levels = weighted = 0
        for (gap, weight), n in self.counts.items():
            step = min(gap, gain)
            levels += step * n
            weighted += step * weight * n
        return levels, weighted

    def best_weights(self, places: int, gain: int) -> tuple[int, int, int, int]:
        """(people, levels closed, weighted closed, their levels of gap) when only `places` people can
        be taught, the most important gaps first."""
        people = levels = weighted = total = 0
        for (gap, weight), n in sorted(
            self.counts.items(), key=lambda kv: (-kv[0][1] * min(kv[0][0], gain), -kv[0][0])
        ):
            take = min(n, places - people)
            if take <= 0 or gap <= 0:
                continue
            people += take
            levels += min(gap, gain) * take
            weighted += min(gap, gain) * weight * take
            total += gap * take
        return people, levels, weighted, total


# --- Formatting ----------------------------------------------------------------------------------


def _num(value: float | Decimal, places: int = 1) -> str:
    """A number in the active language, without a trailing ",0" (2, 1,5, 4.200)."""
    text = number_format(value, places, force_grouping=True)
    zero = number_format(0, places)[1:]  # ",0" / ".0"
    return text[: -len(zero)] if places and text.endswith(zero) else text


def _closes(levels: int, total: int, people: int, name: str) -> str:
    return ngettext(
        "closes %(closed)s of %(total)s levels in %(competence)s for %(people)s person",
        "closes %(closed)s of %(total)s levels in %(competence)s for %(people)s people",
        people,
    ) % {
        "closed": _num(levels / people),
        "total": _num(total / people),
        "competence": name,
        "people": _num(people, 0),
    }


def _workload(offer: Offer) -> str:
    if offer.teaching_days:
        return ngettext("%(days)s teaching day", "%(days)s teaching days", int(offer.teaching_days) or 1) % {
            "days": _num(offer.teaching_days)
        }
    if offer.hours:
        return ngettext("%(hours)s hour", "%(hours)s hours", int(offer.hours) or 1) % {
            "hours": _num(offer.hours)
        }
    if offer.weeks_full_time:
        return ngettext(
            "%(weeks)s week full time", "%(weeks)s weeks full time", int(offer.weeks_full_time) or 1
        ) % {"weeks": _num(offer.weeks_full_time)}
    return _("workload not stated (counted as one day)")


def _price(price: Decimal) -> str:
    if not price:
        return _("no fee")
    return _("%(price)s kr. per person") % {"price": _num(price, 0)}


def hours_away(
    *, hours: Decimal | None, teaching_days: Decimal | None, weeks_full_time: Decimal | None
) -> Decimal:
    """Hours away from work per participant (a day not stated counts as one day)."""
    if hours:
        return hours
    if teaching_days:
        return teaching_days * HOURS_PER_DAY
    if weeks_full_time:
        return weeks_full_time * HOURS_PER_WEEK
    return HOURS_PER_DAY


# --- Reading the gaps ----------------------------------------------------------------------------


def gap_groups(facts: Q, *, include_met: bool = False) -> dict[int, GapGroup]:
    """{competence id: GapGroup} of the gap facts matching `facts`, in one grouped query."""
    rows = GapFact.objects.filter(facts, gap__isnull=False)
    rows = rows if include_met else rows.filter(gap__gt=0)
    groups: dict[int, GapGroup] = defaultdict(GapGroup)
    for competence_id, gap, weight, n in (
        rows.values_list("competence_id", "gap", "weight").annotate(n=Count("id")).order_by()
    ):
        groups[competence_id].counts[(gap, weight)] += n
    return groups


def _hour_value(municipality_id: int) -> Decimal:
    found = LearningSettings.objects.filter(municipality_id=municipality_id).values_list(
        "hour_value", flat=True
    )
    return next(iter(found), LearningSettings._meta.get_field("hour_value").get_default())


def _score(
    weighted: int, people: int, price: Decimal, hours: Decimal, hour_value: Decimal
) -> tuple[float, Decimal]:
    cost = max(Decimal(people) * (price + hours * hour_value), MIN_COST)
    return float(Decimal(weighted) / cost), cost


# --- Offers --------------------------------------------------------------------------------------


def _offer_candidates(
    municipality_id: int, groups: dict[int, GapGroup], hour_value: Decimal, limit: int
) -> list[Recommendation]:
    """The `limit` best active offers developing a competence with a gap, scored with numbers only
    (the words are added to the few that make the list, by `_explain_offers`). The scoring runs over
    plain tuples and floats: thousands of offers in a few milliseconds."""
    if not groups:
        return []
    eq = equivalents(groups)
    targets_of: dict[int, set[int]] = defaultdict(set)
    for target_id, members in eq.items():
        for member in members:
            targets_of[member].add(target_id)
    gains: dict[int, dict[int, int]] = defaultdict(dict)  # offer -> target -> best expected gain
    for offer_id, competence_id, gain in OfferCompetence.objects.filter(
        competence_id__in=list(targets_of), offer__municipality_id=municipality_id, offer__active=True
    ).values_list("offer_id", "competence_id", "expected_gain"):
        for target_id in targets_of[competence_id]:
            gains[offer_id][target_id] = max(gain, gains[offer_id].get(target_id, 0))
    if not gains:
        return []
    closed: dict[tuple[int, int], int] = {}  # (target, gain) -> weighted levels closed
    rate = float(hour_value)
    scored = []
    for offer_id, title, price, hours, days, weeks in Offer.objects.filter(
        municipality_id=municipality_id, active=True
    ).values_list("pk", "title", "price_per_participant", "hours", "teaching_days", "weeks_full_time"):
        by_target = gains.get(offer_id)
        if by_target is None:
            continue
        weighted = people = 0
        for target_id, gain in by_target.items():
            key = (target_id, gain)
            if key not in closed:
                closed[key] = groups[target_id].closed(gain)[1]
            if closed[key]:
                weighted += closed[key]
                people = max(people, groups[target_id].people)
        if not weighted:
            continue
        away = hours_away(hours=hours, teaching_days=days, weeks_full_time=weeks)
        estimate = max(people * (float(price) + float(away) * rate), float(MIN_COST))
        scored.append((-weighted / estimate, -weighted, title, offer_id, people, price, away))
    scored.sort()
    found = []
    for _score_neg, weighted_neg, title, offer_id, people, price, away in scored[:limit]:
        weighted = -weighted_neg
        score, cost = _score(weighted, people, price, away, hour_value)
        found.append(
            Recommendation(
                kind="offer",
                title=title,
                score=score,
                weighted_closed=weighted,
                people=people,
                cost=cost,
                price_per_person=price,
                hours_per_person=away,
                per_krone=(weighted / float(people * price)) if price else None,
                per_hour=weighted / float(people * away) if away else None,
                reasons=[],
                offer_id=offer_id,
                competence_ids=sorted(gains[offer_id]),
                gains=gains[offer_id],
            )
        )
    return found


def _explain_offers(items: list[Recommendation], groups: dict[int, GapGroup], names: dict[int, str]) -> None:
    """The reasons in words (and the next start) for the offers that made the list."""
    ids = [r.offer_id for r in items if r.kind == "offer" and r.offer_id is not None]
    if not ids:
        return
    offers = Offer.objects.in_bulk(ids)
    starts = dict(
        Cohort.objects.filter(
            offer_id__in=ids,
            status__in=[Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL],
            first_starts_at__gt=timezone.now(),
        )
        .values_list("offer_id")
        .annotate(first=Min("first_starts_at"))
        .order_by()
    )
    for item in items:
        if item.kind != "offer" or item.offer_id is None:
            continue
        offer = offers[item.offer_id]
        reasons = []
        for target_id, gain in sorted(item.gains.items(), key=lambda kv: (names.get(kv[0], ""), kv[0])):
            group = groups[target_id]
            levels, worth = group.closed(gain)
            if worth:
                reasons.append(_closes(levels, group.levels, group.people, names.get(target_id, "")))
        reasons.append(_workload(offer))
        reasons.append(_price(offer.price_per_participant))
        item.next_start = starts.get(item.offer_id)
        if item.next_start:
            reasons.append(
                _("next cohort starts %(date)s")
                % {"date": date_format(timezone.localtime(item.next_start), "DATE_FORMAT")}
            )
        item.reasons = reasons


def _internal(
    title: str, reasons: list[str], weighted: int, people: int, hour_value: Decimal, **extra: Any
) -> Recommendation:
    hours = INTERNAL_HOURS * 2  # the learner's and the colleague's
    score, cost = _score(weighted, people, Decimal("0"), hours, hour_value)
    reasons.append(
        _("about %(hours)s hours each for the learner and the colleague; no fee")
        % {"hours": _num(INTERNAL_HOURS)}
    )
    return Recommendation(
        kind="internal",
        title=title,
        score=score,
        weighted_closed=weighted,
        people=people,
        cost=cost,
        price_per_person=Decimal("0"),
        hours_per_person=hours,
        per_krone=None,
        per_hour=weighted / float(people * hours),
        reasons=reasons,
        **extra,
    )


def _names(ids: Iterable[int]) -> dict[int, str]:
    return {c.pk: c.name for c in Competence.objects.filter(pk__in=list(ids))}


def _rank(
    items: list[Recommendation], limit: int, groups: dict[int, GapGroup], names: dict[int, str]
) -> list[Recommendation]:
    items.sort(key=lambda r: (-r.score, -r.weighted_closed, r.title, r.offer_id or 0, r.colleague_id or 0))
    top = items[:limit]
    _explain_offers(top, groups, names)
    return top


# --- Entry points --------------------------------------------------------------------------------


def for_employee(user: Any, employee: Employee, *, limit: int = 10) -> list[Recommendation]:
    """Recommendations for one person (the caller checked the user may see them)."""
    groups = gap_groups(Q(employee=employee))
    names = _names(groups)
    hour_value = _hour_value(employee.municipality_id)
    found = _offer_candidates(employee.municipality_id, groups, hour_value, limit)
    targets = dict(
        GapFact.objects.filter(employee=employee, gap__gt=0).values_list("competence_id", "target_level")
    )
    for competence_id, colleagues in suggestions.internal_suggestions(
        user, employee, targets, limit=1
    ).items():
        if not colleagues:
            continue
        best = colleagues[0]
        group = groups[competence_id]
        levels, weighted = group.closed(INTERNAL_GAIN)
        reasons = [
            _("%(name)s (%(unit)s) is at level %(level)s in %(competence)s, the target is %(target)s")
            % {
                "name": best.name,
                "unit": best.unit_name,
                "level": best.level,
                "competence": names.get(competence_id, ""),
                "target": best.target,
            },
            _closes(levels, group.levels, 1, names.get(competence_id, "")),
        ]
        found.append(
            _internal(
                _("Peer training with %(name)s in %(competence)s")
                % {"name": best.name, "competence": names.get(competence_id, "")},
                reasons,
                weighted,
                1,
                hour_value,
                competence_ids=[competence_id],
                colleague_id=best.employee_id,
            )
        )
    return _rank(found, limit, groups, names)


def for_unit(user: Any, unit: OrgUnit, *, limit: int = 10) -> list[Recommendation]:
    """Recommendations for everyone in a unit's subtree (the caller checked the user may see the unit).
    Whoever may not see every person there individually gets no group smaller than the gap
    analysis' minimum group size."""
    subtree = unit.subtree_q("unit__path")
    everything = gap_groups(subtree, include_met=True)
    full = can_view_everyone_in(user, unit)
    minimum = gap_settings_for(unit.municipality_id).min_group_size
    groups = {c: g for c, g in everything.items() if g.people and (full or g.people >= minimum)}
    names = _names(groups)
    hour_value = _hour_value(unit.municipality_id)
    found = _offer_candidates(unit.municipality_id, groups, hour_value, limit)
    # Internal: colleagues in the unit who meet the target teach up to max_mentees each, less what
    # they already teach in that competence.
    ceiling = suggestions.max_mentees(unit.municipality_id)
    busy = dict(
        InternalActivity.objects.filter(
            mentor__in=Employee.objects.filter(subtree),
            status__in=suggestions.BUSY_STATUSES,
            competence_id__in=list(groups),
        )
        .values_list("competence_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for competence_id, group in groups.items():
        mentors = sum(n for (gap, _w), n in everything[competence_id].counts.items() if gap == 0)
        places = mentors * ceiling - busy.get(competence_id, 0)
        if mentors == 0 or places <= 0 or (not full and mentors < minimum):
            continue
        people, levels, weighted, total = group.best_weights(places, INTERNAL_GAIN)
        if not weighted:
            continue
        name = names.get(competence_id, "")
        reasons = [
            ngettext(
                "%(count)s colleague in the unit meets the target in %(competence)s",
                "%(count)s colleagues in the unit meet the target in %(competence)s",
                mentors,
            )
            % {"count": _num(mentors, 0), "competence": name},
            _closes(levels, total, people, name),
        ]
        found.append(
            _internal(
                _("Peer training in %(competence)s with colleagues in the unit") % {"competence": name},
                reasons,
                weighted,
                people,
                hour_value,
                competence_ids=[competence_id],
            )
        )
    return _rank(found, limit, groups, names)
