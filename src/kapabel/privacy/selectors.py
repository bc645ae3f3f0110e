"""Reads for the data protection pages: people (including those who left and the anonymised), the
retention rule in force, and who is due for anonymisation under it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee
from kapabel.privacy.models import RetentionRule, RetentionRun


def people(municipality_ids: Iterable[int] | None) -> QuerySet[Employee]:
    """Every employee of these municipalities (None: all), active or not, anonymised or not."""
    found = Employee.objects.select_related("municipality", "unit", "job_role", "user")
    if municipality_ids is not None:
        found = found.filter(municipality_id__in=list(municipality_ids))
    return found


def people_matching(municipality_id: int, text: str) -> QuerySet[Employee]:
    """A municipality's people whose name or e-mail contains `text`, or whose employee number or
    external id is `text`, by name."""
    text = text.strip()
    return (
        people([municipality_id])
        .filter(
            Q(name__icontains=text) | Q(email__icontains=text) | Q(employee_number=text) | Q(external_id=text)
        )
        .order_by("name", "pk")
    )


def municipality(pk: int) -> Municipality | None:
    return Municipality.objects.filter(pk=pk).first()


def municipalities(ids: Iterable[int] | None) -> QuerySet[Municipality]:
    found = Municipality.objects.order_by("name")
    return found if ids is None else found.filter(pk__in=list(ids))


def rules(municipality_id: int) -> QuerySet[RetentionRule]:
    return RetentionRule.objects.filter(municipality_id=municipality_id).select_related("created_by")


def rule_in_force(
    municipality_id: int, day: datetime.date, kind: str = RetentionRule.Kind.FORMER_EMPLOYEES
) -> RetentionRule | None:
    return (
        RetentionRule.objects.filter(municipality_id=municipality_id, kind=kind, valid_from__lte=day)
        .order_by("-valid_from", "-id")
        .first()
    )


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same date `years` earlier (28 February for a 29 February that does not exist then)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def due(rule: RetentionRule, day: datetime.date) -> tuple[datetime.date, QuerySet[Employee]]:
    """The last employment end date the rule reaches on `day`, and the people it reaches: inactive,
    not yet anonymised, employment ended on or before that date."""
    cutoff = years_before(day, rule.years)
    found = (
        people([rule.municipality_id])
        .filter(
            active=False, anonymised_at__isnull=True, employment_end__isnull=False, employment_end__lte=cutoff
        )
        .order_by("employment_end", "name", "pk")
    )
    return cutoff, found


def left_without_end_date(municipality_id: int) -> int:
    """Inactive, not anonymised people with no employment end date: no rule can reach them."""
    return Employee.objects.filter(
        municipality_id=municipality_id, active=False, anonymised_at__isnull=True, employment_end__isnull=True
    ).count()


def runs(municipality_id: int) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.filter(municipality_id=municipality_id).select_related("rule")
