"""Learning e-mails: who gets what for each status move, in their language, with the iCalendar
invitation or cancellation; nothing for a rolled-back move; reminders once; changed dates."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from kapabel.learning import notifications, services
from kapabel.learning.models import NotificationLog, NotificationPreference, Session
from kapabel.learning.services import SessionSpec
from kapabel.organisation.models import Employee
from tests.conftest import make_employee
from tests.learning.factories import SYSTEM, at, make_cohort


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the after-commit listeners of what happens inside the block, like a real commit."""

    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture


def calendars(message):
    """The iCalendar attachments of an e-mail: [(method parameter, parsed calendar)]."""
    found = []
    for part in message.attachments:
        if hasattr(part, "get_content_type") and part.get_content_type() == "text/calendar":
            found.append((part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True))))
    return found


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_own_request_tells_the_person_and_the_nearest_manager(world, lw, sent):
    with sent():
        services.enrolment_request(cohort=lw.cohort, employee=world.employee, actor=world.user("employee"))
    person, manager = to("e1@example.dk"), to("e3@example.dk")
    assert [m.subject for m in person] == ["Anmodning modtaget: Kommunikation med borgere"]
    assert "afventer nu din leders godkendelse" in person[0].body
    assert [m.subject for m in manager] == ["Godkendelse ønskes: Emma Employee på Kommunikation med borgere"]
    assert len(mail.outbox) == 2
    assert not calendars(person[0])
    html = person[0].alternatives[0]
    assert html[1] == "text/html" and "Kære Emma Employee" in html[0]


def test_manager_approval_then_hr_then_booked_with_invitation(world, lw, sent):
    world.user("hr").email = "hr@example.dk"
    world.user("hr").save()
    with sent():
        enrolment = services.enrolment_request(
            cohort=make_cohort(lw.expensive, capacity=3),
            employee=world.employee,
            actor=world.user("employee"),
        )
    mail.outbox.clear()
    with sent():
        services.enrolment_approve(enrolment=enrolment, actor=world.user("manager"))
    assert [m.subject for m in to("e1@example.dk")] == ["Godkendt af lederen: Diplommodul i ledelse"]
    [hr] = to("hr@example.dk")
    assert hr.subject == "Godkendelse ønskes: Emma Employee på Diplommodul i ledelse"
    assert "kræver godkendelse af HR" in hr.body
    mail.outbox.clear()
    with sent():
        services.enrolment_approve(enrolment=enrolment, actor=world.user("hr"))
    [booked] = mail.outbox
    assert booked.to == ["e1@example.dk"]
    assert booked.subject == "Booket: Diplommodul i ledelse"
    assert "Din anmodning er godkendt" in booked.body
    [(method, cal)] = calendars(booked)
    assert method == "REQUEST"
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    session = Session.objects.get(cohort=enrolment.cohort)
    assert str(event["UID"]) == f"session-{session.pk}@kapabel"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == session.starts_at
    assert "e1@example.dk" in str(event["ATTENDEE"])


def test_hr_booking_sends_a_booking_with_invitation_and_english_on_request(world, lw, sent):
    NotificationPreference.objects.create(employee=world.colleague, language="en")
    with sent():
        services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=world.user("hr"))
        services.enrolment_book(cohort=lw.cohort, employee=world.colleague, actor=world.user("hr"))
    [danish] = to("e1@example.dk")
    [english] = to("e2@example.dk")
    assert danish.subject == "Booket: Kommunikation med borgere"
    assert english.subject == "Booked: Kommunikation med borgere"
    assert "You have been booked" in english.body
    assert english.extra_headers["Content-Language"] == "en"
    assert [m for m, _c in calendars(english)] == ["REQUEST"]
    [event] = calendars(danish)[0][1].walk("VEVENT")
    assert "Rådhuset" in str(event["LOCATION"])


def test_waitlist_promotion_and_cancellation(world, lw, sent):
    with sent():
        first = services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
        services.enrolment_book(cohort=lw.cohort, employee=world.colleague, actor=SYSTEM)
        waiting = services.enrolment_book(cohort=lw.cohort, employee=world.manager_employee, actor=SYSTEM)
    assert waiting.status == "waitlisted"
    [wait] = to("e3@example.dk")
    assert wait.subject == "På venteliste: Kommunikation med borgere"
    assert not calendars(wait)
    booked_sequence = calendars(to("e1@example.dk")[0])[0][1].walk("VEVENT")[0]["SEQUENCE"]
    mail.outbox.clear()

    with sent():
        services.enrolment_cancel(enrolment=first, actor=world.user("employee"))
    [cancelled] = to("e1@example.dk")
    assert cancelled.subject == "Afmeldt: Kommunikation med borgere"
    [(method, cal)] = calendars(cancelled)
    assert method == "CANCEL" and cal["METHOD"] == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] > booked_sequence
    [promoted] = to("e3@example.dk")
    assert promoted.subject == "Du har fået en plads: Kommunikation med borgere"
    assert [m for m, _c in calendars(promoted)] == ["REQUEST"]


def test_declined_request_says_why(world, lw, sent):
    enrolment = services.enrolment_request(
        cohort=lw.cohort, employee=world.employee, actor=world.user("employee")
    )
    with sent():
        services.enrolment_decline(enrolment=enrolment, actor=world.user("manager"), reason="Ikke i år")
    [declined] = mail.outbox
    assert declined.subject == "Ikke godkendt: Kommunikation med borgere"
    assert "Begrundelse: Ikke i år" in declined.body
    assert not calendars(declined)


def test_cancelled_cohort_tells_everyone_and_cancels_the_bookings(world, lw, sent):
    cohort = make_cohort(lw.offer, capacity=1)
    services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    services.enrolment_book(cohort=cohort, employee=world.colleague, actor=SYSTEM)
    with sent():
        services.cohort_cancel(cohort=cohort, actor=world.user("hr"), reason="For få tilmeldte")
    booked, waiting = to("e1@example.dk"), to("e2@example.dk")
    assert [m.subject for m in booked] == ["Holdet er aflyst: Kommunikation med borgere"]
    assert "Begrundelse: For få tilmeldte" in booked[0].body
    [(method, cal)] = calendars(booked[0])
    assert method == "CANCEL"
    assert {str(e["STATUS"]) for e in cal.walk("VEVENT")} == {"CANCELLED"}
    assert [m.subject for m in waiting] == ["Holdet er aflyst: Kommunikation med borgere"]
    assert not calendars(waiting[0])


def test_a_rolled_back_move_sends_nothing(world, lw, sent):
    with sent(), pytest.raises(RuntimeError), transaction.atomic():
        services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
        raise RuntimeError("undo")
    assert mail.outbox == []
    assert not NotificationLog.objects.exists()


def test_everything_sent_is_logged_once(world, lw, sent):
    with sent():
        services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    [log] = NotificationLog.objects.all()
    assert (log.kind, log.recipient, log.language) == ("booked", "e1@example.dk", "da")
    change_ids = list(log.enrolment.history.values_list("pk", flat=True))
    assert notifications.notify_status_changes(change_ids) == []  # the same moves again: nothing
    assert len(mail.outbox) == 1


def test_no_address_no_mail(world, lw, sent):
    Employee.objects.filter(pk=world.employee.pk).update(email="")
    world.employee.refresh_from_db()
    with sent():
        services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    assert mail.outbox == []


def test_bulk_booking_mails_cost_a_fixed_number_of_queries(world, lw):
    people = [make_employee(world.a, world.team1, f"B{i}", f"Bulk {i}") for i in range(30)]

    def mails_for(group, capacity):
        cohort = make_cohort(lw.offer, capacity=capacity, days=40 + capacity)
        result = services.enrolments_bulk_book(cohort=cohort, employees=group, actor=SYSTEM)
        changes = [c.pk for e in result.booked + result.waitlisted for c in e.history.all()]
        mail.outbox.clear()
        from django.db import connection

        with CaptureQueriesContext(connection) as queries:
            notifications.notify_status_changes(changes)
        return len(queries), len(mail.outbox)

    few, few_mails = mails_for(people[:3], 2)
    many, many_mails = mails_for(people, 20)
    assert (few_mails, many_mails) == (3, 30)
    assert many == few


def test_reminders_go_once_to_the_booked_within_the_days(world, lw, sent):
    soon = make_cohort(lw.offer, capacity=5, days=2)
    later = make_cohort(lw.offer, capacity=5, days=10)
    services.enrolment_book(cohort=soon, employee=world.employee, actor=SYSTEM)
    services.enrolment_book(cohort=later, employee=world.colleague, actor=SYSTEM)
    waiting = make_cohort(lw.offer, capacity=1, days=3)
    services.enrolment_book(cohort=waiting, employee=world.manager_employee, actor=SYSTEM)
    services.enrolment_book(cohort=waiting, employee=world.outsider, actor=SYSTEM)  # waitlisted: no reminder

    call_command("learning-reminders")
    call_command("learning-reminders")  # the same day again: nothing more
    assert sorted(m.to[0] for m in mail.outbox) == ["e1@example.dk", "e3@example.dk"]
    [reminder] = to("e1@example.dk")
    assert reminder.subject.startswith("Påmindelse: Kommunikation med borgere starter ")
    assert [m for m, _c in calendars(reminder)] == ["REQUEST"]
    assert NotificationLog.objects.filter(kind="reminder").count() == 2

    services.learning_settings_update(municipality=world.a, reminder_days_before=10, actor=SYSTEM)
    notifications.reminders_send()
    assert sorted(m.to[0] for m in mail.outbox) == ["e1@example.dk", "e2@example.dk", "e3@example.dk"]


def test_reminder_task_can_be_enqueued(world, lw, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django_tasks import default_task_backend  # noqa: F401  (the backend follows the setting)

    cohort = make_cohort(lw.offer, capacity=5, days=1)
    services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    call_command("learning-reminders", "--enqueue")
    assert [m.to for m in mail.outbox] == [["e1@example.dk"]]


def test_changed_dates_send_an_updated_invitation_only_when_the_calendar_changes(world, lw, sent):
    with sent():
        services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    first = calendars(mail.outbox[0])[0][1].walk("VEVENT")[0]
    mail.outbox.clear()
    with sent():
        services.cohort_update(cohort=lw.cohort, capacity=4, actor=SYSTEM)
    assert mail.outbox == []  # capacity is not in anyone's calendar
    session = Session.objects.get(cohort=lw.cohort)
    with sent():
        services.session_update(
            session=session,
            spec=SessionSpec(starts_at=at(31, 10), ends_at=at(31, 14), place="Jobcentret"),
            actor=SYSTEM,
        )
    [changed] = mail.outbox
    assert changed.subject == "Ændrede datoer eller sted: Kommunikation med borgere"
    assert "Jobcentret" in changed.body
    [(method, cal)] = calendars(changed)
    [event] = cal.walk("VEVENT")
    assert method == "REQUEST"
    assert str(event["UID"]) == str(first["UID"])
    assert event["SEQUENCE"] > first["SEQUENCE"]
    assert event.decoded("DTSTART") == at(31, 10)


def test_a_removed_session_is_cancelled_in_the_change_mail(world, lw, sent):
    cohort = make_cohort(lw.offer, capacity=3, sessions=2)
    with sent():
        services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    mail.outbox.clear()
    gone = Session.objects.filter(cohort=cohort).order_by("starts_at").last()
    gone_pk = gone.pk
    with sent():
        services.session_delete(session=gone, actor=SYSTEM)
    [changed] = mail.outbox
    methods = dict(calendars(changed))
    assert set(methods) == {"REQUEST", "CANCEL"}
    [cancelled] = methods["CANCEL"].walk("VEVENT")
    assert str(cancelled["UID"]) == f"session-{gone_pk}@kapabel"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert len(methods["REQUEST"].walk("VEVENT")) == 1


def test_hr_step_falls_back_to_the_administrators_without_hr(world, lw, sent):
    from kapabel.core.models import Role
    from kapabel.organisation.models import RoleAssignment

    RoleAssignment.objects.filter(role=Role.HR).delete()
    world.user("admin").email = "admin@example.dk"
    world.user("admin").save()
    cohort = make_cohort(lw.expensive, capacity=3)
    with sent():
        services.enrolment_book(cohort=cohort, employee=world.employee, actor=world.user("manager"))
    assert [m.subject for m in to("admin@example.dk")] == [
        "Godkendelse ønskes: Emma Employee på Diplommodul i ledelse"
    ]
