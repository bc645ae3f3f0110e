"""The guards of enrolment: each refusal is a `Refused` (a ValidationError with a code) carrying a
whole translated sentence that says what is wrong and, where there is one, what to do."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.learning import selectors
from kapabel.learning.models import LIVE_STATUSES, Cohort, Enrolment, EnrolmentStatus, Offer
from kapabel.organisation.models import Employee


class Refused(ValidationError):
    """A guard refused the change; nothing was written. `code` names the guard."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


def when(value: object) -> str:
    """A time in the user's language and the local time zone."""
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")  # type: ignore[arg-type]


def check_same_municipality(cohort: Cohort, employee: Employee) -> None:
    if employee.municipality_id != cohort.offer.municipality_id:
        raise Refused(
            _("%(name)s belongs to another municipality than the cohort %(cohort)s.")
            % {"name": employee.name, "cohort": cohort.display_title},
            code="other_municipality",
        )


def check_active(employee: Employee) -> None:
    if not employee.active:
        raise Refused(
            _("%(name)s is no longer active in the organisation and cannot be enrolled.")
            % {"name": employee.name},
            code="inactive_employee",
        )


def check_not_started(cohort: Cohort, now: object = None) -> None:
    """The cohort takes people: not cancelled, completed or started."""
    now = now or timezone.now()
    if cohort.status == Cohort.Status.CANCELLED:
        raise Refused(
            _("The cohort %(cohort)s has been cancelled.") % {"cohort": cohort.display_title},
            code="cohort_cancelled",
        )
    if cohort.status == Cohort.Status.COMPLETED:
        raise Refused(
            _("The cohort %(cohort)s has been completed.") % {"cohort": cohort.display_title},
            code="cohort_completed",
        )
    if cohort.status == Cohort.Status.RUNNING or (
        cohort.first_starts_at is not None and cohort.first_starts_at <= now  # type: ignore[operator]
    ):
        raise Refused(
            _("The cohort %(cohort)s has already started; places can no longer be given or changed.")
            % {"cohort": cohort.display_title},
            code="cohort_started",
        )


def check_registration_open(cohort: Cohort, now: object = None) -> None:
    """The registration window, for a person's own request and a manager's booking (HR and
    administrators may place people outside it until the cohort starts)."""
    now = now or timezone.now()
    if cohort.status == Cohort.Status.PLANNED or (
        cohort.registration_opens is not None and cohort.registration_opens > now  # type: ignore[operator]
    ):
        if cohort.registration_opens is not None and cohort.registration_opens > now:  # type: ignore[operator]
            message = _("Registration for %(cohort)s opens %(date)s.") % {
                "cohort": cohort.display_title,
                "date": when(cohort.registration_opens),
            }
        else:
            message = _("Registration for %(cohort)s has not opened yet.") % {"cohort": cohort.display_title}
        raise Refused(message, code="registration_not_open")
    if cohort.registration_closes is not None and cohort.registration_closes < now:  # type: ignore[operator]
        raise Refused(
            _("Registration for %(cohort)s closed %(date)s. Ask HR if a place can still be arranged.")
            % {"cohort": cohort.display_title, "date": when(cohort.registration_closes)},
            code="registration_closed",
        )


def check_not_enrolled(cohort: Cohort, employee: Employee) -> None:
    if Enrolment.objects.filter(cohort=cohort, employee=employee, status__in=LIVE_STATUSES).exists():
        raise Refused(
            _("%(name)s is already enrolled on %(cohort)s.")
            % {"name": employee.name, "cohort": cohort.display_title},
            code="already_enrolled",
        )


def missing_prerequisites(offer: Offer, employee_ids: list[int]) -> dict[int, list[Offer]]:
    """{employee id: prerequisite offers they have not completed} (only those missing some)."""
    required = list(offer.prerequisites.all())
    if not required:
        return {}
    done = selectors.completed_offer_ids(employee_ids, [o.pk for o in required])
    missing = {e: [o for o in required if o.pk not in done.get(e, set())] for e in employee_ids}
    return {e: offers for e, offers in missing.items() if offers}


def prerequisites_message(employee: Employee, missing: Iterable[Offer]) -> str:
    return _("%(name)s has not completed the prerequisites for this offer: %(offers)s.") % {
        "name": employee.name,
        "offers": ", ".join(o.title for o in missing),
    }


def check_prerequisites(offer: Offer, employee: Employee) -> None:
    missing = missing_prerequisites(offer, [employee.pk]).get(employee.pk)
    if missing:
        raise Refused(prerequisites_message(employee, missing), code="prerequisites")


def overlap_message(employee: Employee, other: Enrolment) -> str:
    return _("%(name)s is already booked on %(other)s, which meets at the same time as this cohort.") % {
        "name": employee.name,
        "other": other.cohort.display_title,
    }


def check_no_overlap(cohort: Cohort, employee: Employee) -> None:
    other = selectors.overlapping_bookings(cohort, [employee.pk]).get(employee.pk)
    if other is not None:
        raise Refused(overlap_message(employee, other), code="overlap")


def check_transition(enrolment: Enrolment, to: str) -> None:
    from kapabel.learning.models import TRANSITIONS

    if to not in TRANSITIONS[enrolment.status]:
        raise Refused(
            _("An enrolment that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": EnrolmentStatus(enrolment.status).label if enrolment.status else "-",
                "target": EnrolmentStatus(to).label,
            },
            code="transition",
        )


def check_cancellation_cutoff(cohort: Cohort, now: object = None) -> None:
    """A person (or their manager) cancels before the cut-off, or before the start if none is set."""
    now = now or timezone.now()
    deadline = cohort.cancellation_cutoff or cohort.first_starts_at
    if deadline is not None and deadline <= now:  # type: ignore[operator]
        raise Refused(
            _("The deadline for cancelling %(cohort)s passed %(date)s. Contact HR if you cannot take part.")
            % {"cohort": cohort.display_title, "date": when(deadline)},
            code="cancellation_cutoff",
        )


def full_message(cohort: Cohort) -> str:
    return _("%(cohort)s is full (%(capacity)d places).") % {
        "cohort": cohort.display_title,
        "capacity": cohort.capacity,
    }


def stale_message() -> str:
    return _(
        "Someone else changed this enrolment while you were looking at it. Reload the page and try again."
    )
