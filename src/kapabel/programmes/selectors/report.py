"""The programme report: weekly ydelse per substitute, grants per application, the phase funnel,
money against the budget, hours away against substitute hours per unit and week, substitutes' outcomes
and every warning the rules raise. One builder serves the command, the overview page and the API.

`names=False` (the steering group, platform administrators) labels substitutes and participants by
number and suppresses counts of small groups (the municipality's minimum group size, as in the gap
analysis); figures are otherwise the same."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.gaps.definition import settings_for
from kapabel.programmes import rules
from kapabel.programmes.models import (
    FUNNEL,
    Application,
    ParameterKey,
    PhaseStatus,
    Programme,
    SchemeKind,
    Substitute,
)
from kapabel.programmes.permissions import suppress_small
from kapabel.programmes.rules import ZERO
from kapabel.programmes.selectors.loading import (
    AWAY_STATUSES,
    COMPLETED_STATUSES,
    Loaded,
    load,
)

Week = datetime.date


def num(value: Decimal | None) -> float | None:
    return None if value is None else float(rules.money(value))


def _cost_at(rows: list[tuple[datetime.date, Decimal]], day: datetime.date) -> Decimal:
    found = ZERO
    for valid_from, cost in rows:
        if valid_from <= day:
            found = cost
    return found


class _Builder:
    def __init__(self, data: Loaded, *, names: bool, minimum: int, today: datetime.date) -> None:
        self.d = data
        self.names = names
        self.minimum = minimum
        self.today = today
        self.warnings: list[str] = []
        self.claim: list[dict[str, Any]] = []
        self.programme = data.programme
        self.kinds = {s.kind: s for s in data.schemes.values()}
        jobrotation = self.kinds.get(SchemeKind.JOBROTATION)
        self.jr_id = jobrotation.pk if jobrotation else None
        self.jr_params = data.params.get(self.jr_id, []) if self.jr_id else []
        self.part_label = {
            p.pk: (p.employee.name if names else _("participant %(n)s") % {"n": n})
            for n, p in enumerate(data.participants, 1)
        }
        self.sub_label = {
            s.pk: (s.name if names else _("substitute %(n)s") % {"n": n})
            for n, s in enumerate(data.substitutes, 1)
        }

    def warn(self, message: str | None) -> None:
        if message and message not in self.warnings:
            self.warnings.append(message)

    # --- training hours ---------------------------------------------------------------------------------

    def training(self) -> dict[int, dict[Week, Decimal]]:
        """Participant id -> week -> hours away on training, from their bookings."""
        cohort_ids = set().union(*self.d.phase_cohorts.values()) if self.d.phase_cohorts else set()
        result = {}
        week_cap = self.programme.full_time_week_hours
        for p in self.d.participants:
            mine = [
                self.d.cohort_weeks.get(cid, {})
                for cid, status, _price in self.d.enrolments.get(p.employee_id, [])
                if status in AWAY_STATUSES and cid in cohort_ids
            ]
            result[p.pk] = rules.participant_week_hours(mine, week_cap)
        return result

    # --- other schemes for the same hours --------------------------------------------------------------

    def state_support_weeks(self) -> dict[int, dict[Week, str]]:
        """Participant id -> week -> the VEU/SVU scheme paying for that week (not combinable)."""
        result: dict[int, dict[Week, str]] = defaultdict(dict)
        for a in self.d.applications:
            scheme = self.d.schemes[a.scheme_id]
            if scheme.kind not in (SchemeKind.VEU, SchemeKind.SVU) or a.participant_id is None:
                continue
            if a.status == Application.Status.REJECTED:
                continue
            for week in rules.weeks_between(
                a.education_starts_on, a.education_ends_on or a.education_starts_on
            ):
                result[a.participant_id][week] = scheme.name
        return result

    # --- placements -------------------------------------------------------------------------------------

    def placements(
        self, training: dict[int, dict[Week, Decimal]]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        other = self.state_support_weeks()
        jr_name = self.kinds[SchemeKind.JOBROTATION].name if SchemeKind.JOBROTATION in self.kinds else ""
        covered_by: dict[tuple[int, Week], int] = defaultdict(int)
        unit_sub: dict[tuple[int, Week], Decimal] = defaultdict(lambda: ZERO)
        unit_subs: dict[tuple[int, Week], set[int]] = defaultdict(set)
        substitute_cost = ZERO
        for s in self.d.substitutes:
            label = self.sub_label[s.pk]
            placements = self.d.placements.get(s.pk, [])
            jr = [pl for pl in placements if pl.scheme_id is not None and pl.scheme_id == self.jr_id]
            jr_open = {
                pl.pk
                for pl in jr
                if rules.open_for_new(
                    rules.param_at(self.jr_params, ParameterKey.CLOSED_TO_NEW, pl.starts_on)
                )
            }
            for pl in jr:
                if pl.pk not in jr_open:
                    self.warn(
                        rules.closed_warning(
                            _("The placement of %(who)s") % {"who": label}, jr_name, pl.starts_on
                        )
                    )
            weeks = sorted({w for pl in placements for w in rules.weeks_between(pl.starts_on, pl.ends_on)})
            jr_total, jr_weeks = ZERO, 0
            for week in weeks:
                active = [
                    pl for pl in placements if pl.starts_on <= week + 6 * rules.DAY and pl.ends_on >= week
                ]
                placed = sum(
                    (
                        rules.placement_week_hours(pl.starts_on, pl.ends_on, pl.hours_per_week, week)
                        for pl in active
                    ),
                    ZERO,
                )
                if placed <= 0:
                    continue
                covered = {pid for pl in active for pid in self.d.covers.get(pl.pk, [])}
                for pl in active:
                    for pid in self.d.covers.get(pl.pk, []):
                        covered_by[(pid, week)] += 1
                train = sum((training.get(pid, {}).get(week, ZERO) for pid in covered), ZERO)
                for pl in active:
                    hours = rules.placement_week_hours(pl.starts_on, pl.ends_on, pl.hours_per_week, week)
                    unit_sub[(pl.unit_id, week)] += hours
                    unit_subs[(pl.unit_id, week)].add(s.pk)
                self.warn(rules.check_contracted(label, week, placed, s.hours_per_week))
                self.warn(rules.check_absence(label, week, train, placed))
                jr_active = [pl for pl in active if pl.pk in jr_open]
                rate = None
                ydelse = ZERO
                if jr_active:
                    jr_placed = sum(
                        (
                            rules.placement_week_hours(pl.starts_on, pl.ends_on, pl.hours_per_week, week)
                            for pl in jr_active
                        ),
                        ZERO,
                    )
                    jr_covered = {pid for pl in jr_active for pid in self.d.covers.get(pl.pk, [])}
                    jr_train = ZERO
                    for pid in jr_covered:
                        if week in other.get(pid, {}):
                            self.warn(
                                rules.combination_warning(
                                    self.part_label.get(pid, ""), week, other[pid][week]
                                )
                            )
                            continue
                        hours = training.get(pid, {}).get(week, ZERO)
                        jr_train += hours
                        if hours > 0:
                            self.claim.append(
                                {
                                    "substitute": label,
                                    "participant": self.part_label.get(pid, ""),
                                    "week_start": week.isoformat(),
                                    "training_hours": num(hours),
                                }
                            )
                    rate = rules.param_at(self.jr_params, ParameterKey.HOURLY_RATE, week)
                    if rate is None:
                        self.warn(
                            rules.not_open_warning(
                                _("The placement of %(who)s") % {"who": label}, jr_name, week
                            )
                        )
                    ydelse = rules.weekly_ydelse(jr_train, jr_placed, rate)
                    jr_total += jr_placed
                    jr_weeks += 1
                substitute_cost += placed * s.hourly_wage
                rows.append(
                    {
                        "substitute": label,
                        "substitute_id": s.pk if self.names else None,
                        "week_start": week.isoformat(),
                        "training_hours": num(train),
                        "substitute_hours": num(placed),
                        "rate": num(rate),
                        "ydelse": num(ydelse),
                        "_ydelse": ydelse,
                        "_unit": s.unit_id,
                    }
                )
            if jr:
                start = min(pl.starts_on for pl in jr)
                end = max(pl.ends_on for pl in jr)
                self.warn(
                    rules.check_unemployment(
                        label,
                        s.unemployment_months,
                        rules.param_at(
                            self.jr_params, ParameterKey.MIN_PRIOR_UNEMPLOYMENT_MONTHS, s.starts_on
                        ),
                    )
                )
                self.warn(
                    rules.check_duration(
                        label,
                        start,
                        end,
                        rules.param_at(self.jr_params, ParameterKey.MAX_PLACEMENT_MONTHS, start),
                    )
                )
                self.warn(
                    rules.check_average(
                        label,
                        jr_total,
                        jr_weeks,
                        rules.param_at(self.jr_params, ParameterKey.MIN_WEEKLY_HOURS, start),
                    )
                )
        for (pid, week), count in sorted(covered_by.items(), key=lambda item: (item[0][1], item[0][0])):
            self.warn(rules.check_overlap(self.part_label.get(pid, ""), week, count))
        extra = {"unit_sub": unit_sub, "unit_subs": unit_subs, "substitute_cost": substitute_cost}
        return rows, extra

    # --- applications ------------------------------------------------------------------------------------

    def applications(self) -> tuple[list[dict[str, Any]], Decimal]:
        rows: list[dict[str, Any]] = []
        granted_by_person: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        total = ZERO
        for a in self.d.applications:
            scheme = self.d.schemes[a.scheme_id]
            params = self.d.params.get(scheme.pk, [])
            start = a.education_starts_on
            what = _("The application “%(title)s”") % {"title": a.title}
            expected = ZERO
            first = last = None
            if scheme.kind == SchemeKind.KOMPETENCEFOND:
                share = rules.param_at(params, ParameterKey.GRANT_SHARE_PCT, start)
                key = ParameterKey.CAP_PER_PERSON_MASTER if a.master else ParameterKey.CAP_PER_PERSON
                cap = rules.param_at(params, key, start) or rules.param_at(
                    params, ParameterKey.CAP_PER_PERSON, start
                )
                if share is None or cap is None:
                    self.warn(rules.not_open_warning(what, scheme.name, start))
                else:
                    used = ZERO
                    if a.participant_id is not None:
                        used = rules.rolling_used(granted_by_person[a.participant_id], start)
                    expected = rules.fund_grant(a.eligible_costs, share, cap * a.people, used)
                    if a.eligible_costs > 0 and expected == 0:
                        self.warn(rules.exhausted_warning(what, scheme.name, start))
                months = rules.param_at(params, ParameterKey.WINDOW_MONTHS_BEFORE, start)
                days = rules.param_at(params, ParameterKey.WINDOW_DAYS_BEFORE, start)
                if months is not None and days is not None:
                    first, last = rules.application_window(start, int(months), int(days))
                    if a.status == Application.Status.DRAFT and self.today > last:
                        self.warn(
                            _("%(what)s was not submitted by its deadline %(day)s.")
                            % {"what": what, "day": rules.shown_date(last)}
                        )
            elif scheme.kind in (SchemeKind.VEU, SchemeKind.SVU):
                rate = rules.param_at(params, ParameterKey.WEEKLY_RATE, start)
                if rate is None:
                    self.warn(rules.not_open_warning(what, scheme.name, start))
                else:
                    weeks = len(rules.weeks_between(start, a.education_ends_on or start))
                    expected = rules.money(rate * weeks * a.people)
            if params and not rules.open_for_new(rules.param_at(params, ParameterKey.CLOSED_TO_NEW, start)):
                self.warn(rules.closed_warning(what, scheme.name, start))
                expected = ZERO
            if a.status == Application.Status.REJECTED:
                grant = ZERO
            elif a.counts_as_grant and a.granted_amount is not None:
                grant = a.granted_amount
            else:
                grant = expected
            if a.participant_id is not None and a.status != Application.Status.REJECTED:
                granted_by_person[a.participant_id].append((start, grant))
            if scheme.kind not in (SchemeKind.OWN_BUDGET, SchemeKind.OTHER):
                total += grant
            rows.append(
                {
                    "id": a.pk,
                    "title": a.title,
                    "scheme": scheme.name,
                    "scheme_kind": scheme.kind,
                    "status": a.status,
                    "participant": self.part_label.get(a.participant_id) if a.participant_id else None,
                    "people": a.people,
                    "education_starts_on": start.isoformat(),
                    "window_opens": first.isoformat() if first else None,
                    "deadline": last.isoformat() if last else None,
                    "eligible_costs": num(a.eligible_costs),
                    "expected_grant": num(expected),
                    "grant": num(grant),
                    "paid": num(a.paid_amount),
                }
            )
        return rows, total

    # --- phases --------------------------------------------------------------------------------------------

    def phases(self) -> list[dict[str, Any]]:
        result = []
        by_employee = {p.employee_id for p in self.d.participants}
        for phase in self.d.phases:
            if phase.funding_scheme_id:
                scheme = self.d.schemes[phase.funding_scheme_id]
                params = self.d.params.get(scheme.pk, [])
                what = _("The phase “%(name)s”") % {"name": phase.name}
                if params and not rules.open_for_new(
                    rules.param_at(params, ParameterKey.CLOSED_TO_NEW, phase.starts_on)
                ):
                    self.warn(rules.closed_warning(what, scheme.name, phase.starts_on))
                elif params and not any(
                    p.in_force(phase.starts_on) and p.key != ParameterKey.CLOSED_TO_NEW for p in params
                ):
                    self.warn(rules.not_open_warning(what, scheme.name, phase.starts_on))
            stored = self.d.stored_status.get(phase.pk, {})
            counts = {status: 0 for status in FUNNEL}
            at_least = 0
            for status in reversed(FUNNEL):
                at_least += stored.get(status, 0)
                counts[status] = at_least
            counts[PhaseStatus.SELECTED] += stored.get(PhaseStatus.DROPPED, 0)
            if not stored:
                counts[PhaseStatus.SELECTED] = len(self.d.participants)
            if phase.campaign_id:
                counts[PhaseStatus.CLARIFIED] = len(
                    self.d.clarified.get(phase.campaign_id, set()) & by_employee
                )
            cohorts = self.d.phase_cohorts.get(phase.pk, set())
            if cohorts:
                enrolled = completed = 0
                for employee_id in by_employee:
                    mine = [st for cid, st, _p in self.d.enrolments.get(employee_id, []) if cid in cohorts]
                    enrolled += any(st in AWAY_STATUSES or st == "no_show" for st in mine)
                    completed += any(st in COMPLETED_STATUSES for st in mine)
                counts[PhaseStatus.ENROLLED], counts[PhaseStatus.COMPLETED] = enrolled, completed
            result.append(
                {
                    "id": phase.pk,
                    "name": phase.name,
                    "kind": phase.kind,
                    "starts_on": phase.starts_on.isoformat(),
                    "ends_on": phase.ends_on.isoformat(),
                    "funding": self.d.schemes[phase.funding_scheme_id].name
                    if phase.funding_scheme_id
                    else None,
                    "funnel": {str(k): self.small(v) for k, v in counts.items()},
                }
            )
        return result

    def small(self, count: int) -> int | None:
        return suppress_small(count, self.minimum, self.names)

    # --- money ----------------------------------------------------------------------------------------

    def money(
        self,
        training: dict[int, dict[Week, Decimal]],
        substitute_cost: Decimal,
        grants: Decimal,
        ydelse: Decimal,
    ) -> dict[str, Any]:
        cohort_ids = set().union(*self.d.phase_cohorts.values()) if self.d.phase_cohorts else set()
        fees = ZERO
        salary = ZERO
        for p in self.d.participants:
            for cid, status, price in self.d.enrolments.get(p.employee_id, []):
                if cid in cohort_ids and status in AWAY_STATUSES and price:
                    fees += price
            costs = self.d.hourly_costs.get(p.employee.job_role_id or 0, [])
            if costs:
                for week, value in training.get(p.pk, {}).items():
                    salary += value * _cost_at(costs, week)
        own = sum(
            (
                a.eligible_costs
                for a in self.d.applications
                if self.d.schemes[a.scheme_id].kind in (SchemeKind.OWN_BUDGET, SchemeKind.OTHER)
            ),
            ZERO,
        )
        gross = fees + salary + substitute_cost
        net = gross - grants - ydelse
        spend = fees + substitute_cost - grants - ydelse
        n = len(self.d.participants)
        budget = self.programme.budget
        return {
            "fees": num(fees),
            "salary_while_away": num(salary),
            "substitute_cost": num(substitute_cost),
            "grants": num(grants),
            "ydelse": num(ydelse),
            "own_budget_planned": num(own),
            "gross_cost": num(gross),
            "net_cost": num(net),
            "cost_per_participant": num(net / n) if n else None,
            "budget": num(budget),
            "spend": num(spend),
            "budget_left": num(budget - spend),
            "budget_used_share": float(round(spend / budget, 4)) if budget else None,
        }

    # --- per unit and week ----------------------------------------------------------------------------

    def unit_weeks(
        self, training: dict[int, dict[Week, Decimal]], extra: dict[str, Any]
    ) -> list[dict[str, Any]]:
        away: dict[tuple[int, Week], Decimal] = defaultdict(lambda: ZERO)
        away_people: dict[tuple[int, Week], int] = defaultdict(int)
        for p in self.d.participants:
            for week, value in training.get(p.pk, {}).items():
                if value > 0:
                    away[(p.employee.unit_id, week)] += value
                    away_people[(p.employee.unit_id, week)] += 1
        unit_names = {p.employee.unit_id: p.employee.unit.name for p in self.d.participants}
        unit_names.update({s.unit_id: s.unit.name for s in self.d.substitutes})
        for placements in self.d.placements.values():
            for pl in placements:
                unit_names.setdefault(pl.unit_id, pl.unit.name)
        keys = sorted(set(away) | set(extra["unit_sub"]), key=lambda k: (unit_names.get(k[0], ""), k[1]))
        rows = []
        for key in keys:
            people = away_people.get(key, 0)
            subs = len(extra["unit_subs"].get(key, ()))
            hidden_away = self.small(people) is None
            hidden_sub = self.small(subs) is None
            rows.append(
                {
                    "unit": unit_names.get(key[0], ""),
                    "week_start": key[1].isoformat(),
                    "hours_away": None if hidden_away else num(away.get(key, ZERO)),
                    "substitute_hours": None if hidden_sub else num(extra["unit_sub"].get(key, ZERO)),
                }
            )
        return rows

    def outcomes(self) -> dict[str, Any]:
        counts = {value: 0 for value in Substitute.Outcome.values}
        for s in self.d.substitutes:
            counts[s.outcome] += 1
        total = len(self.d.substitutes)
        in_work = sum(1 for s in self.d.substitutes if s.in_work)
        share = round(in_work / total, 4) if total else None
        if not self.names and total and total < self.minimum:
            share = None
        return {
            "substitutes": total,
            "counts": {k: self.small(v) for k, v in counts.items()},
            "in_work": self.small(in_work),
            "share_in_work": share,
        }

    def build(self) -> dict[str, Any]:
        training = self.training()
        placement_rows, extra = self.placements(training)
        applications, grants = self.applications()
        phases = self.phases()
        ydelse_total = sum((r.pop("_ydelse") for r in placement_rows), ZERO)
        for row in placement_rows:
            row.pop("_unit", None)
        in_place = sum(
            1
            for s in self.d.substitutes
            if any(pl.starts_on <= self.today <= pl.ends_on for pl in self.d.placements.get(s.pk, []))
        )
        p = self.programme
        return {
            "programme": p.name,
            "id": p.pk,
            "status": p.status,
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
            "participants": len(self.d.participants),
            "target_group": self.d.target_size,
            "substitutes": len(self.d.substitutes),
            "substitutes_in_place": self.small(in_place),
            "weeks": len({r["week_start"] for r in placement_rows}),
            "placements": placement_rows,
            "ydelse_total": num(ydelse_total),
            "applications": applications,
            "grants_total": num(grants),
            "phases": phases,
            "money": self.money(training, extra["substitute_cost"], grants, ydelse_total),
            "unit_weeks": self.unit_weeks(training, extra),
            "outcomes": self.outcomes(),
            "names_shown": self.names,
            "min_group_size": self.minimum,
            "claim_basis": self.claim if self.names else [],
            "warnings": self.warnings,
        }


def programme_report(
    programme: Programme, *, names: bool, today: datetime.date | None = None
) -> dict[str, Any]:
    """The report as plain JSON-ready data (see the module docstring)."""
    data = load(programme)
    minimum = settings_for(programme.municipality_id).min_group_size
    return _Builder(data, names=names, minimum=minimum, today=today or timezone.localdate()).build()
