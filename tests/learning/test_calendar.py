"""Calendar feeds (RFC 5545), parsed with the real icalendar parser: a person's feed behind a secret
renewable token, and a cohort's feed in the API; stable UIDs, SEQUENCE raised on change, CANCELLED on
cancellation, times in UTC."""

from __future__ import annotations

import datetime

from icalendar import Calendar

from kapabel.learning import calendar, services
from kapabel.learning.models import CalendarFeed, Session
from kapabel.learning.services import SessionSpec
from tests.learning.factories import SYSTEM, at, make_cohort
from tests.learning.test_api import post, token


def feed_url(world, persona="employee", employee=None):
    feed = services.calendar_feed_get_or_create(
        employee=employee or world.employee, actor=world.user(persona) if persona else SYSTEM
    )
    return f"/learning/calendar/{feed.token}.ics"


def events(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_person_feed_needs_no_login_and_has_stable_uids(world, lw, client):
    cohort = make_cohort(lw.offer, capacity=5, sessions=2)
    services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    url = feed_url(world)
    first, second = events(client.get(url)), events(client.get(url))
    sessions = list(Session.objects.filter(cohort=cohort).order_by("starts_at"))
    assert set(first) == set(second) == {f"session-{s.pk}@kapabel" for s in sessions}
    for uid, event in first.items():
        assert event["SEQUENCE"] == second[uid]["SEQUENCE"]
        assert str(event["STATUS"]) == "CONFIRMED"
        start = event.decoded("DTSTART")
        assert start.utcoffset() == datetime.timedelta(0)  # written in UTC
    assert [first[f"session-{s.pk}@kapabel"].decoded("DTSTART") for s in sessions] == [
        s.starts_at for s in sessions
    ]
    assert "(gang 1 af 2)" in str(first[f"session-{sessions[0].pk}@kapabel"]["SUMMARY"])


def test_sequence_rises_when_a_session_moves(world, lw, client):
    services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    url = feed_url(world)
    session = Session.objects.get(cohort=lw.cohort)
    uid = f"session-{session.pk}@kapabel"
    before = events(client.get(url))[uid]
    cohort_before = events(client.get(f"/api/v1/cohorts/{lw.cohort.pk}/calendar.ics", **token(world, "hr")))[
        uid
    ]
    services.session_update(
        session=session,
        spec=SessionSpec(starts_at=at(32, 8), ends_at=at(32, 12), place="Rådhuset"),
        actor=SYSTEM,
    )
    after = events(client.get(url))[uid]
    cohort_after = events(client.get(f"/api/v1/cohorts/{lw.cohort.pk}/calendar.ics", **token(world, "hr")))[
        uid
    ]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert cohort_after["SEQUENCE"] > cohort_before["SEQUENCE"]
    assert after.decoded("DTSTART") == at(32, 8)


def test_cancelled_cohort_and_own_cancellation_show_cancelled(world, lw, client):
    own = services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    other = make_cohort(lw.offer, capacity=5, days=50)
    services.enrolment_book(cohort=other, employee=world.employee, actor=SYSTEM)
    url = feed_url(world)
    booked = events(client.get(url))
    services.enrolment_cancel(enrolment=own, actor=world.user("employee"))
    services.cohort_cancel(cohort=other, actor=SYSTEM, reason="Aflyst")
    now = events(client.get(url))
    assert set(now) == set(booked)
    for uid, event in now.items():
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] > booked[uid]["SEQUENCE"]
    cohort_feed = events(client.get(f"/api/v1/cohorts/{other.pk}/calendar.ics", **token(world, "hr")))
    assert {str(e["STATUS"]) for e in cohort_feed.values()} == {"CANCELLED"}


def test_waiting_is_tentative_and_teaching_is_shown(world, lw, client):
    services.enrolment_book(cohort=lw.cohort, employee=world.colleague, actor=SYSTEM)
    services.enrolment_book(cohort=lw.cohort, employee=world.manager_employee, actor=SYSTEM)
    services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)  # waitlisted
    taught = make_cohort(lw.offer, capacity=5, days=60)
    services.facilitator_add(cohort=taught, employee=world.employee, hours=6, actor=SYSTEM)
    found = events(client.get(feed_url(world)))
    by_cohort = {
        Session.objects.get(pk=int(uid.split("-")[1].split("@")[0])).cohort_id: e for uid, e in found.items()
    }
    assert str(by_cohort[lw.cohort.pk]["STATUS"]) == "TENTATIVE"
    assert str(by_cohort[taught.pk]["STATUS"]) == "CONFIRMED"
    assert str(by_cohort[taught.pk]["SUMMARY"]).startswith("Undervisning: ")


def test_unknown_or_renewed_token_is_404_and_renewal_is_the_persons(world, lw, client):
    assert client.get("/learning/calendar/not-a-token.ics").status_code == 404
    old = feed_url(world)
    assert client.get(old).status_code == 200
    client.force_login(world.user("employee"))
    response = client.post("/learning/calendar/renew/", {"next": "/learning/"})
    assert response.status_code == 302 and response["Location"] == "/learning/"
    assert client.get(old).status_code == 404
    new = f"/learning/calendar/{CalendarFeed.objects.get(employee=world.employee).token}.ics"
    assert new != old and client.get(new).status_code == 200
    # Someone without an employee record has no feed to renew; GET is not allowed.
    client.force_login(world.user("hr"))
    assert client.post("/learning/calendar/renew/").status_code == 404
    assert client.get("/learning/calendar/renew/").status_code == 405


def test_renewal_redirects_only_to_this_site(world, client):
    client.force_login(world.user("employee"))
    response = client.post("/learning/calendar/renew/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_feed_of_someone_who_left_is_gone(world, lw, client):
    url = feed_url(world)
    type(world.employee).objects.filter(pk=world.employee.pk).update(active=False)
    assert client.get(url).status_code == 404


def test_api_feed_url_and_renewal(world, client):
    auth = token(world, "employee")
    assert client.get("/api/v1/learning/calendar-feed", **auth).json() == {"url": None, "renewed_at": None}
    body = {"employee_id": world.employee.pk}
    first = post(client, "/api/v1/learning/calendar-feed", body, auth).json()["url"]
    assert first.startswith("http://testserver/learning/calendar/") and first.endswith(".ics")
    assert client.get("/api/v1/learning/calendar-feed", **auth).json()["url"] == first
    renewed = post(client, "/api/v1/learning/calendar-feed", body, auth).json()
    assert renewed["url"] != first and renewed["renewed_at"]
    assert client.get(first.replace("http://testserver", "")).status_code == 404
    assert (
        post(client, "/api/v1/learning/calendar-feed", body, token(world, "employee", "read")).status_code
        == 403
    )
    # Only the person renews their feed; someone else's is refused or invisible.
    assert post(client, "/api/v1/learning/calendar-feed", body, token(world, "manager")).status_code == 403
    stranger = token(world, "other_municipality_admin")
    assert post(client, "/api/v1/learning/calendar-feed", body, stranger).status_code == 404
    assert client.get("/api/v1/learning/calendar-feed", **token(world, "hr")).json()["url"] is None


def test_api_language_preference(world, client):
    auth = token(world, "employee")
    assert client.get("/api/v1/learning/preferences", **auth).json() == {"language": "da"}
    body = {"employee_id": world.employee.pk, "language": "en"}
    response = client.put("/api/v1/learning/preferences", body, content_type="application/json", **auth)
    assert response.status_code == 200 and response.json() == {"language": "en"}
    assert client.get("/api/v1/learning/preferences", **auth).json() == {"language": "en"}
    other = client.put(
        "/api/v1/learning/preferences", body, content_type="application/json", **token(world, "manager")
    )
    assert other.status_code == 403


def test_cohort_feed_is_access_checked_like_the_cohort(world, lw, client):
    url = f"/api/v1/cohorts/{lw.cohort.pk}/calendar.ics"
    response = client.get(url, **token(world, "employee", "read"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert client.get(url, **token(world, "other_municipality_admin")).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/cohorts/999999/calendar.ics", **token(world, "hr")).status_code == 404


def test_person_feed_queries_do_not_grow_with_rows(world, lw, django_assert_max_num_queries):
    for days in (20, 40, 60, 80):
        cohort = make_cohort(lw.offer, capacity=5, days=days, sessions=3)
        services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    with django_assert_max_num_queries(5):
        found = calendar.person_events(world.employee)
    assert len(found) == 12
