"""The enrolment state machine: every transition, every guard (refused with its message, nothing
written) and the first-come-first-served waiting list."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kapabel.core.models import AuditEvent
from kapabel.learning import selectors, services
from kapabel.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    LearningSettings,
)
from kapabel.learning.services import Refused
from kapabel.organisation import services as org_services
from tests.learning.factories import SYSTEM, at, make_cohort, make_offer, move_to_past

S = EnrolmentStatus


def history(enrolment) -> list[tuple[str, str]]:
    return list(enrolment.history.order_by("at", "id").values_list("from_status", "to_status"))


class NothingWritten:
    """Counts the rows a refused service must not have written."""

    def __init__(self):
        self.before = self.counts()

    @staticmethod
    def counts():
        return (Enrolment.objects.count(), EnrolmentStatusChange.objects.count(), AuditEvent.objects.count())

    def check(self):
        assert self.counts() == self.before


def refused(code: str, func, **kwargs) -> str:
    guard = NothingWritten()
    with pytest.raises(Refused) as info:
        func(**kwargs)
    guard.check()
    assert info.value.code == code
    return info.value.messages[0]


# --- Transitions -----------------------------------------------------------------------------------


def test_request_goes_to_the_manager_then_booked(world, lw):
    user = world.user("employee")
    enrolment = services.enrolment_request(cohort=lw.cohort, employee=world.employee, actor=user)
    assert enrolment.status == S.AWAITING_MANAGER
    assert history(enrolment) == [("", S.REQUESTED), (S.REQUESTED, S.AWAITING_MANAGER)]
    services.enrolment_approve(enrolment=enrolment, actor=world.user("manager"))
    enrolment.refresh_from_db()
    assert enrolment.status == S.BOOKED
    assert enrolment.queued_at is not None
    last = enrolment.history.order_by("-id").first()
    assert (last.from_status, last.to_status, last.actor_label) == (S.AWAITING_MANAGER, S.BOOKED, "manager")
    assert AuditEvent.objects.filter(action="learning.enrolment.booked", object_id=str(enrolment.pk)).exists()


def test_hr_step_when_the_offer_requires_it(world, lw):
    cohort = make_cohort(lw.expensive)
    enrolment = services.enrolment_request(
        cohort=cohort, employee=world.employee, actor=world.user("employee")
    )
    services.enrolment_approve(enrolment=enrolment, actor=world.user("manager"))
    assert enrolment.status == S.AWAITING_HR
    with pytest.raises(PermissionDenied):
        services.enrolment_approve(enrolment=enrolment, actor=world.user("manager"))
    services.enrolment_approve(enrolment=enrolment, actor=world.user("hr"))
    assert enrolment.status == S.BOOKED
    assert [to for _f, to in history(enrolment)] == [S.REQUESTED, S.AWAITING_MANAGER, S.AWAITING_HR, S.BOOKED]


def test_hr_step_when_the_price_reaches_the_threshold(world, lw):
    LearningSettings.objects.create(municipality=world.a, hr_approval_price_threshold=4200)
    enrolment = services.enrolment_book(
        cohort=lw.cohort, employee=world.employee, actor=world.user("manager")
    )
    assert enrolment.status == S.AWAITING_HR
    services.enrolment_approve(enrolment=enrolment, actor=world.user("hr"))
    assert enrolment.status == S.BOOKED


def test_nobody_approves_their_own_request(world, lw):
    cohort = make_cohort(lw.expensive)
    hr_user = world.user("hr")
    org_services.employee_link_user(employee=world.colleague, user=hr_user, actor=SYSTEM)
    enrolment = services.enrolment_request(cohort=cohort, employee=world.colleague, actor=hr_user)
    services.enrolment_approve(enrolment=enrolment, actor=world.user("manager"))
    with pytest.raises(PermissionDenied):
        services.enrolment_approve(enrolment=enrolment, actor=hr_user)


def test_a_request_without_a_manager_or_hr_step_is_booked(world, lw):
    enrolment = services.enrolment_request(
        cohort=lw.cohort, employee=world.manager_employee, actor=world.user("manager")
    )
    assert enrolment.status == S.BOOKED


def test_manager_declines(world, lw):
    enrolment = services.enrolment_request(
        cohort=lw.cohort, employee=world.employee, actor=world.user("employee")
    )
    services.enrolment_decline(enrolment=enrolment, actor=world.user("manager"), reason="Ikke nu")
    assert enrolment.status == S.DECLINED
    assert enrolment.history.order_by("-id").first().reason == "Ikke nu"
    # Declined is not live: the person may ask again.
    again = services.enrolment_request(
        cohort=lw.cohort, employee=world.employee, actor=world.user("employee")
    )
    assert again.status == S.AWAITING_MANAGER


def test_hr_books_at_once_and_waitlists_when_full(world, lw):
    hr = world.user("hr")
    first = services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=hr)
    second = services.enrolment_book(cohort=lw.cohort, employee=world.colleague, actor=hr)
    third = services.enrolment_book(cohort=lw.cohort, employee=world.manager_employee, actor=hr)
    assert [first.status, second.status, third.status] == [S.BOOKED, S.BOOKED, S.WAITLISTED]
    lw.cohort.refresh_from_db()
    assert lw.cohort.status == Cohort.Status.FULL
    assert selectors.places_taken(lw.cohort) == 2


def test_manager_books_own_people_only(world, lw):
    manager = world.user("manager")
    assert (
        services.enrolment_book(cohort=lw.cohort, employee=world.colleague, actor=manager).status == S.BOOKED
    )
    with pytest.raises(PermissionDenied):
        services.enrolment_book(cohort=lw.cohort, employee=world.outsider, actor=manager)
    with pytest.raises(PermissionDenied):
        services.enrolment_book(
            cohort=lw.cohort, employee=world.employee, actor=world.user("other_municipality_admin")
        )


def test_employee_cannot_request_for_someone_else(world, lw):
    with pytest.raises(PermissionDenied):
        services.enrolment_request(cohort=lw.cohort, employee=world.colleague, actor=world.user("employee"))


def test_manager_booking_of_an_hr_offer_goes_to_hr(world, lw):
    cohort = make_cohort(lw.expensive)
    enrolment = services.enrolment_book(cohort=cohort, employee=world.employee, actor=world.user("manager"))
    assert enrolment.status == S.AWAITING_HR
    services.enrolment_decline(enrolment=enrolment, actor=world.user("hr"))
    assert enrolment.status == S.DECLINED


# --- The waiting list --------------------------------------------------------------------------------


def _fill(world, cohort):
    hr = world.user("admin")
    people = [world.employee, world.colleague, world.manager_employee, world.outsider]
    return [services.enrolment_book(cohort=cohort, employee=p, actor=hr) for p in people]


def test_cancellation_promotes_the_first_on_the_waiting_list(world, lw):
    a, b, c, d = _fill(world, lw.cohort)
    assert [e.status for e in (a, b, c, d)] == [S.BOOKED, S.BOOKED, S.WAITLISTED, S.WAITLISTED]
    services.enrolment_cancel(enrolment=a, actor=world.user("employee"))
    c.refresh_from_db()
    d.refresh_from_db()
    assert (a.status, c.status, d.status) == (S.CANCELLED_BY_PERSON, S.BOOKED, S.WAITLISTED)
    assert history(c)[-1] == (S.WAITLISTED, S.BOOKED)
    assert selectors.places_taken(lw.cohort) == 2


def test_waiting_list_is_ordered_by_queue_time_not_id(world, lw):
    a, b, c, d = _fill(world, lw.cohort)
    # d queued first (e.g. an older request approved late keeps its place in the queue).
    Enrolment.objects.filter(pk=d.pk).update(queued_at=c.queued_at - datetime.timedelta(minutes=1))
    services.enrolment_decline(enrolment=b, actor=world.user("admin"))
    c.refresh_from_db()
    d.refresh_from_db()
    assert (c.status, d.status) == (S.WAITLISTED, S.BOOKED)


def test_raising_capacity_promotes_in_order(world, lw):
    a, b, c, d = _fill(world, lw.cohort)
    services.cohort_update(cohort=lw.cohort, capacity=3, actor=world.user("admin"))
    c.refresh_from_db()
    d.refresh_from_db()
    assert (c.status, d.status) == (S.BOOKED, S.WAITLISTED)
    assert lw.cohort.status == Cohort.Status.FULL
    services.cohort_update(cohort=lw.cohort, capacity=10, actor=world.user("admin"))
    d.refresh_from_db()
    assert d.status == S.BOOKED
    assert lw.cohort.status == Cohort.Status.OPEN


def test_a_newcomer_never_jumps_the_queue(world, lw):
    a, b, c, d = _fill(world, lw.cohort)
    # A place frees but the first in line is declined at promotion (left the organisation).
    org_services.employee_update(employee=world.manager_employee, active=False, actor=SYSTEM)
    services.enrolment_cancel(enrolment=a, actor=world.user("admin"))
    c.refresh_from_db()
    d.refresh_from_db()
    assert (c.status, d.status) == (S.DECLINED, S.BOOKED)
    assert "no longer active" in c.history.order_by("-id").first().reason


def test_promotion_skips_someone_now_booked_at_the_same_time(world, lw):
    a, b, c, d = _fill(world, lw.cohort)
    other = make_cohort(lw.offer, capacity=5, days=30)  # same day and hours
    services.enrolment_book(cohort=other, employee=world.manager_employee, actor=world.user("admin"))
    services.enrolment_cancel(enrolment=a, actor=world.user("admin"))
    c.refresh_from_db()
    d.refresh_from_db()
    assert (c.status, d.status) == (S.DECLINED, S.BOOKED)


def test_cancel_cohort_cancels_everyone_and_keeps_history(world, lw):
    a, b, c, d = _fill(world, lw.cohort)
    services.cohort_cancel(cohort=lw.cohort, actor=world.user("hr"), reason="For få tilmeldte")
    lw.cohort.refresh_from_db()
    assert lw.cohort.status == Cohort.Status.CANCELLED
    assert lw.cohort.sequence >= 1
    for enrolment in (a, b, c, d):
        enrolment.refresh_from_db()
        assert enrolment.status == S.CANCELLED_BY_COHORT
        assert history(enrolment)[-1][1] == S.CANCELLED_BY_COHORT
        assert len(history(enrolment)) == 2
    msg = refused(
        "cohort_cancelled", services.enrolment_book, cohort=lw.cohort, employee=world.employee, actor=SYSTEM
    )
    assert "cancelled" in msg


# --- Guards: each refused with its message, nothing written ------------------------------------------


def test_guard_capacity(world, lw):
    _fill(world, lw.cohort)
    full = make_cohort(lw.offer, capacity=1, days=60)
    services.enrolment_book(cohort=full, employee=world.colleague, actor=SYSTEM)
    msg = refused(
        "capacity",
        services.enrolment_book,
        cohort=full,
        employee=world.employee,
        actor=SYSTEM,
        waitlist=False,
    )
    assert "is full (1 places)" in msg
    msg = refused("capacity", services.cohort_update, cohort=lw.cohort, capacity=1, actor=SYSTEM)
    assert "cannot be lower than the 2 places" in msg


def test_guard_registration_window(world, lw):
    employee = world.user("employee")
    later = make_cohort(lw.offer, days=60, registration_opens=at(10))
    msg = refused(
        "registration_not_open",
        services.enrolment_request,
        cohort=later,
        employee=world.employee,
        actor=employee,
    )
    assert "opens" in msg
    closed = make_cohort(lw.offer, days=60, registration_opens=at(-10), registration_closes=at(-1))
    msg = refused(
        "registration_closed",
        services.enrolment_request,
        cohort=closed,
        employee=world.employee,
        actor=employee,
    )
    assert "closed" in msg
    planned = make_cohort(lw.offer, days=60, status=Cohort.Status.PLANNED)
    refused(
        "registration_not_open",
        services.enrolment_request,
        cohort=planned,
        employee=world.employee,
        actor=employee,
    )
    # HR may place people outside the window.
    assert (
        services.enrolment_book(cohort=closed, employee=world.employee, actor=world.user("hr")).status
        == S.BOOKED
    )


def test_guard_cancellation_cutoff(world, lw):
    cohort = make_cohort(lw.offer, days=20, cancellation_cutoff=at(-1))
    enrolment = services.enrolment_book(cohort=cohort, employee=world.employee, actor=world.user("hr"))
    msg = refused(
        "cancellation_cutoff", services.enrolment_cancel, enrolment=enrolment, actor=world.user("employee")
    )
    assert "deadline for cancelling" in msg
    # HR may still cancel for the person before the start.
    services.enrolment_cancel(enrolment=enrolment, actor=world.user("hr"))
    assert enrolment.status == S.CANCELLED_BY_PERSON


def test_guard_cohort_started(world, lw):
    enrolment = services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    move_to_past(lw.cohort)
    msg = refused(
        "cohort_started", services.enrolment_book, cohort=lw.cohort, employee=world.colleague, actor=SYSTEM
    )
    assert "already started" in msg
    refused("cohort_started", services.enrolment_cancel, enrolment=enrolment, actor=SYSTEM)


def test_guard_prerequisites(world, lw):
    advanced = make_offer(world.a, lw.provider, "Kommunikation 2")
    services.offer_set_prerequisites(offer=advanced, prerequisites=[lw.offer], actor=SYSTEM)
    cohort = make_cohort(advanced, days=90)
    msg = refused(
        "prerequisites", services.enrolment_book, cohort=cohort, employee=world.employee, actor=SYSTEM
    )
    assert "Kommunikation med borgere" in msg
    # Completing the prerequisite opens the way.
    done = services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    move_to_past(lw.cohort)
    services.enrolment_complete(enrolment=done, actor=SYSTEM)
    assert services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM).status == S.BOOKED


def test_guard_overlapping_sessions(world, lw):
    services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    clash = make_cohort(make_offer(world.a, lw.provider, "Excel"), days=30)
    msg = refused("overlap", services.enrolment_book, cohort=clash, employee=world.employee, actor=SYSTEM)
    assert "Kommunikation med borgere" in msg and "same time" in msg
    other_day = make_cohort(lw.offer, days=31)
    assert services.enrolment_book(cohort=other_day, employee=world.employee, actor=SYSTEM).status == S.BOOKED


def test_guard_inactive_employee(world, lw):
    org_services.employee_update(employee=world.colleague, active=False, actor=SYSTEM)
    world.colleague.refresh_from_db()
    msg = refused(
        "inactive_employee", services.enrolment_book, cohort=lw.cohort, employee=world.colleague, actor=SYSTEM
    )
    assert "no longer active" in msg


def test_guard_transition_not_allowed(world, lw):
    enrolment = services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    msg = refused("transition", services.enrolment_approve, enrolment=enrolment, actor=SYSTEM)
    assert "Booked" in msg
    services.enrolment_cancel(enrolment=enrolment, actor=SYSTEM)
    msg = refused("transition", services.enrolment_cancel, enrolment=enrolment, actor=SYSTEM)
    assert "cannot become" in msg


def test_guard_other_municipality(world, lw):
    msg = refused(
        "other_municipality",
        services.enrolment_book,
        cohort=lw.cohort,
        employee=world.b_employee,
        actor=SYSTEM,
    )
    assert "another municipality" in msg


def test_guard_already_enrolled(world, lw):
    services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    refused(
        "already_enrolled", services.enrolment_book, cohort=lw.cohort, employee=world.employee, actor=SYSTEM
    )


def test_stale_version_is_refused(world, lw):
    enrolment = services.enrolment_request(
        cohort=lw.cohort, employee=world.employee, actor=world.user("employee")
    )
    old = enrolment.version - 1
    msg = refused(
        "stale", services.enrolment_approve, enrolment=enrolment, actor=world.user("manager"), version=old
    )
    assert "Someone else changed" in msg


def test_refusals_speak_danish(world, lw):
    from django.utils import translation

    org_services.employee_update(employee=world.colleague, active=False, actor=SYSTEM)
    world.colleague.refresh_from_db()
    with translation.override("da"), pytest.raises(Refused) as info:
        services.enrolment_book(cohort=lw.cohort, employee=world.colleague, actor=SYSTEM)
    assert "ikke længere aktiv" in info.value.messages[0]


# --- Interest -------------------------------------------------------------------------------------


def test_interest_is_offered_places_in_order(world, lw):
    offer = make_offer(world.a, lw.provider, "Projektledelse")
    services.interest_register(offer=offer, employee=world.outsider, actor=world.user("admin"))
    services.interest_register(offer=offer, employee=world.employee, actor=world.user("employee"))
    services.interest_register(offer=offer, employee=world.colleague, actor=world.user("hr"))
    refused(
        "already_interested",
        services.interest_register,
        offer=offer,
        employee=world.employee,
        actor=world.user("employee"),
    )
    cohort = make_cohort(offer, capacity=1, days=45)
    by_person = {e.employee_id: e.status for e in Enrolment.objects.filter(cohort=cohort)}
    # The outsider has no manager: booked (first come); the others have one: requests to the manager.
    assert by_person == {
        world.outsider.pk: S.BOOKED,
        world.employee.pk: S.AWAITING_MANAGER,
        world.colleague.pk: S.AWAITING_MANAGER,
    }
    assert not offer.interests.filter(handled_at__isnull=True).exists()


# --- Attendance and completion --------------------------------------------------------------------


def test_attendance_and_completion(world, lw):
    cohort = make_cohort(lw.offer, capacity=5, days=40, sessions=2)
    people = [world.employee, world.colleague, world.manager_employee]
    enrolments = [services.enrolment_book(cohort=cohort, employee=p, actor=SYSTEM) for p in people]
    first, second = list(cohort.sessions.order_by("starts_at"))
    refused(
        "not_started",
        services.attendance_record,
        session=first,
        marks={enrolments[0].pk: "present"},
        actor=SYSTEM,
    )
    move_to_past(cohort)
    first.refresh_from_db()
    second.refresh_from_db()
    admin = world.user("admin")
    services.attendance_record(
        session=first,
        marks={enrolments[0].pk: "present", enrolments[1].pk: "present", enrolments[2].pk: "absent"},
        actor=admin,
    )
    enrolments[0].refresh_from_db()
    assert enrolments[0].status == S.BOOKED  # one session still without a mark
    services.attendance_record(
        session=second,
        marks={enrolments[0].pk: "present", enrolments[1].pk: "absent", enrolments[2].pk: "absent"},
        actor=admin,
    )
    for e in enrolments:
        e.refresh_from_db()
    assert [e.status for e in enrolments] == [S.ATTENDED_FULL, S.ATTENDED_PARTIAL, S.NO_SHOW]
    with pytest.raises(PermissionDenied):
        services.attendance_record(
            session=second, marks={enrolments[0].pk: "present"}, actor=world.user("employee")
        )
    services.enrolment_complete(enrolment=enrolments[0], actor=admin)
    assert enrolments[0].status == S.COMPLETED
    assert enrolments[0].ects_earned == lw.offer.ects
    services.enrolment_fail(enrolment=enrolments[1], actor=admin)
    assert enrolments[1].status == S.FAILED
    refused("transition", services.enrolment_complete, enrolment=enrolments[2], actor=admin)


# --- Bulk -------------------------------------------------------------------------------------------


def _many(world, n: int):
    from tests.conftest import make_employee

    return [make_employee(world.a, world.team1, f"M{i:03d}", f"Medarbejder {i:03d}") for i in range(n)]


def test_bulk_booking_fills_places_then_waitlists_in_order(world, lw, django_assert_max_num_queries):
    people = _many(world, 30)
    cohort = make_cohort(lw.offer, capacity=20, days=50)
    services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    with django_assert_max_num_queries(25):
        result = services.enrolments_bulk_book(
            cohort=cohort, employees=[world.employee, *people], actor=world.user("hr")
        )
    assert result.skipped == [world.employee]
    assert [e.employee_id for e in result.booked] == [p.pk for p in people[:19]]
    assert [e.employee_id for e in result.waitlisted] == [p.pk for p in people[19:]]
    assert list(selectors.waitlist(cohort).values_list("employee_id", flat=True)) == [
        p.pk for p in people[19:]
    ]
    assert selectors.places_taken(cohort) == 20
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.FULL
    assert EnrolmentStatusChange.objects.filter(enrolment__cohort=cohort).count() == 31


def test_bulk_query_count_does_not_grow(world, lw, django_assert_max_num_queries):
    people = _many(world, 112)
    cohort = make_cohort(lw.offer, capacity=100, days=50)
    with django_assert_max_num_queries(25):
        result = services.enrolments_bulk_book(cohort=cohort, employees=people, actor=SYSTEM)
    assert (len(result.booked), len(result.waitlisted)) == (100, 12)


def test_bulk_refuses_everything_on_one_problem(world, lw):
    people = _many(world, 3)
    org_services.employee_update(employee=people[1], active=False, actor=SYSTEM)
    cohort = make_cohort(lw.offer, capacity=10, days=50)
    msg = refused("bulk", services.enrolments_bulk_book, cohort=cohort, employees=people, actor=SYSTEM)
    assert "Medarbejder 001" in msg
    with pytest.raises(PermissionDenied):
        services.enrolments_bulk_book(cohort=cohort, employees=[world.outsider], actor=world.user("manager"))


# --- Planning flags --------------------------------------------------------------------------------


def test_room_and_facilitator_double_bookings_are_flagged(world, lw):
    room = services.room_create(municipality=world.a, name="Mødelokale 1", actor=SYSTEM)
    spec = services.SessionSpec(starts_at=at(70, 9), ends_at=at(70, 12), room=room)
    one = services.cohort_create(offer=lw.offer, capacity=5, sessions=[spec], actor=SYSTEM)
    two = services.cohort_create(
        offer=lw.offer,
        capacity=5,
        sessions=[services.SessionSpec(starts_at=at(70, 11), ends_at=at(70, 14), room=room)],
        actor=SYSTEM,
    )
    services.facilitator_add(cohort=one, employee=world.colleague, hours=3, actor=SYSTEM)
    services.facilitator_add(cohort=two, employee=world.colleague, hours=3, actor=SYSTEM)
    conflicts = selectors.booking_conflicts(world.a.pk)
    kinds = sorted((c.kind, c.resource) for c in conflicts)
    assert kinds == [("facilitator", "Carl Colleague"), ("room", "Mødelokale 1")]
    assert selectors.booking_conflicts(world.b.pk) == []


def test_public_holidays_are_flagged(world, lw):
    year = timezone.localdate().year + 1
    christmas = timezone.make_aware(datetime.datetime(year, 12, 25, 9))  # noqa: DTZ001 - made aware in Copenhagen time
    grundlov = timezone.make_aware(datetime.datetime(year, 6, 5, 9))  # noqa: DTZ001 - made aware in Copenhagen time
    march = timezone.make_aware(datetime.datetime(year, 3, 3, 9))  # noqa: DTZ001 - made aware in Copenhagen time
    cohort = services.cohort_create(
        offer=lw.offer,
        capacity=5,
        sessions=[
            services.SessionSpec(starts_at=christmas, ends_at=christmas + datetime.timedelta(hours=3)),
            services.SessionSpec(starts_at=grundlov, ends_at=grundlov + datetime.timedelta(hours=3)),
            services.SessionSpec(starts_at=march, ends_at=march + datetime.timedelta(hours=3)),
        ],
        actor=SYSTEM,
    )
    flags = selectors.holiday_flags(list(cohort.sessions.all()))
    names = sorted(flags.values())
    assert names == ["Grundlovsdag", "Juledag"]
