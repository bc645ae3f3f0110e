"""Display helpers for the learning templates: the badge colour of a status, and numbers in the
user's language (ECTS with one decimal only when needed, prices in whole kroner)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat

from kapabel.learning.models import Cohort, EnrolmentStatus

register = template.Library()

S = EnrolmentStatus
_BADGES: dict[str, str] = {
    S.BOOKED: "badge-success",
    S.ATTENDED_FULL: "badge-success",
    S.COMPLETED: "badge-success",
    S.WAITLISTED: "badge-warning",
    S.REQUESTED: "badge-info",
    S.AWAITING_MANAGER: "badge-info",
    S.AWAITING_HR: "badge-info",
    S.ATTENDED_PARTIAL: "badge-warning",
    S.NO_SHOW: "badge-error",
    S.FAILED: "badge-error",
    S.DECLINED: "badge-error",
    S.CANCELLED_BY_PERSON: "",
    S.CANCELLED_BY_COHORT: "badge-error",
    Cohort.Status.OPEN: "badge-success",
    Cohort.Status.FULL: "badge-warning",
    Cohort.Status.RUNNING: "badge-info",
    Cohort.Status.CANCELLED: "badge-error",
}


@register.filter
def badge(status: str) -> str:
    """The DKFDS badge class for an enrolment or cohort status (the text always says the status)."""
    return _BADGES.get(status, "")


@register.filter
def ects(value: Any) -> str:
    return "" if value is None else floatformat(value, "-1")


@register.filter
def kroner(value: Any) -> str:
    return "" if value is None else floatformat(value, "0g")
