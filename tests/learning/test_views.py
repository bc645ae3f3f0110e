"""The learning pages: each renders for the personas it is for and refuses (403) or hides (404) for
the others, across units and municipalities; every POST goes through the service (status, history,
message); list pages run a number of queries that does not grow with their rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from kapabel.competences.models import Competence
from kapabel.learning import services
from kapabel.learning.models import (
    Attendance,
    CalendarFeed,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Evidence,
    Interest,
    OfferCompetence,
)
from kapabel.learning.services import SessionSpec
from tests.learning.factories import SYSTEM, at, make_cohort, make_offer, move_to_past

S = EnrolmentStatus
A_PERSONAS = ["employee", "manager", "hr", "coordinator", "admin"]


@pytest.fixture(autouse=True)
def _english_pages(client):
    """The pages answer in the browser's language; these tests read them in English (the Danish
    page has its own test below)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(name, **kwargs):
    return reverse(f"learning:{name}", kwargs=kwargs or None)


def last_message(response):
    """The message the action just added (earlier ones wait unread when a test follows no redirect)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def request_place(world, cohort, person=None):
    person = person or world.employee
    return services.enrolment_request(cohort=cohort, employee=person, actor=person.user or SYSTEM)


# --- Catalogue ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", A_PERSONAS)
def test_catalogue_shows_own_municipality_only(world, lw, login, persona):
    response = login(world.user(persona)).get(url("catalogue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kommunikation med borgere" in body and "Diplommodul i ledelse" in body
    assert "Samtaleteknik" not in body


def test_catalogue_of_the_other_municipality(world, lw, login):
    body = login(world.user("other_municipality_admin")).get(url("catalogue")).content.decode()
    assert "Samtaleteknik" in body
    assert "Kommunikation med borgere" not in body


def test_catalogue_search_and_facets(world, lw, login):
    client = login(world.user("employee"))
    body = client.get(url("catalogue"), {"q": "diplom"}).content.decode()
    assert "Diplommodul i ledelse" in body and "Kommunikation med borgere" not in body
    body = client.get(url("catalogue"), {"kind": "education_module"}).content.decode()
    assert "Diplommodul i ledelse" in body and "Kommunikation med borgere" not in body
    body = client.get(url("catalogue"), {"price": "free"}).content.decode()
    assert "Diplommodul i ledelse" in body and "Kommunikation med borgere" not in body
    body = client.get(url("catalogue"), {"starts": "90"}).content.decode()
    assert "Kommunikation med borgere" in body and "Diplommodul i ledelse" not in body
    body = client.get(url("catalogue"), {"starts": "none"}).content.decode()
    assert "Diplommodul i ledelse" in body and "Kommunikation med borgere" not in body
    # The facet counts: choosing a kind leaves the other kinds countable.
    body = client.get(url("catalogue"), {"kind": "education_module"}).content.decode()
    assert "Course (1)" in body and "Education module (1)" in body
    # Unknown facet values are ignored, not an error.
    assert client.get(url("catalogue"), {"kind": "nonsense", "category": "x"}).status_code == 200


def test_catalogue_page_searches_in_danish(world, lw, login):
    """The page uses the catalogue's Danish search, as the API does: an inflected word finds the
    offer (stemming), the start of a word finds it (prefix), and case does not matter."""
    client = login(world.user("employee"))
    for text in ("kommunikationen", "KOMMUNIK", "borgerne"):
        body = client.get(url("catalogue"), {"q": text}).content.decode()
        assert "Kommunikation med borgere" in body, text
        assert "Diplommodul i ledelse" not in body, text


def test_catalogue_htmx_answers_the_fragment(world, lw, login):
    response = login(world.user("employee")).get(
        url("catalogue"), {"q": "kommunikation"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Kommunikation med borgere" in body and 'hx-swap-oob="innerHTML"' in body


def test_catalogue_query_count_does_not_grow(world, lw, login, django_assert_max_num_queries):
    client = login(world.user("employee"))
    client.get(url("catalogue"))  # warm the session and the scope
    with django_assert_max_num_queries(20):
        assert client.get(url("catalogue")).status_code == 200
    for i in range(30):
        offer = make_offer(world.a, lw.provider, f"Kursus {i:02d}", price_per_participant=Decimal(i * 1000))
        make_cohort(offer, days=40 + i)
    with django_assert_max_num_queries(20):
        body = client.get(url("catalogue")).content.decode()
    assert "32 offers" in body


def test_catalogue_in_danish(world, lw, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
    client.force_login(world.user("employee"))
    body = client.get(url("catalogue")).content.decode()
    assert "Kursuskatalog" in body and "4.200 kr." in body and "Gratis" in body


# --- Offer and cohort pages -----------------------------------------------------------------------


def test_offer_page_shows_facts_competences_and_cohorts(world, lw, login):
    competence = Competence.objects.filter(version__framework__municipality=world.a).first()
    if competence is not None:
        OfferCompetence.objects.create(offer=lw.offer, competence=competence, expected_gain=2)
    client = login(world.user("employee"))
    response = client.get(url("offer_detail", offer_id=lw.offer.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "4,200 kr." in body and "Request a place" in body
    assert reverse("learning:cohort_detail", kwargs={"cohort_id": lw.cohort.pk}) in body
    assert "Book people" not in body  # an employee books nobody


@pytest.mark.parametrize("persona", A_PERSONAS)
def test_other_municipality_offer_and_cohort_are_404(world, lw, login, persona):
    client = login(world.user(persona))
    assert client.get(url("offer_detail", offer_id=lw.b_offer.pk)).status_code == 404
    assert client.get(url("cohort_detail", cohort_id=lw.b_cohort.pk)).status_code == 404
    assert client.post(url("cohort_request", cohort_id=lw.b_cohort.pk)).status_code == 404
    assert client.post(url("interest_register", offer_id=lw.b_offer.pk)).status_code == 404


def test_register_interest_when_no_cohort_exists(world, lw, login):
    client = login(world.user("employee"))
    page = client.get(url("offer_detail", offer_id=lw.expensive.pk)).content.decode()
    assert "Register interest" in page
    response = client.post(url("interest_register", offer_id=lw.expensive.pk), {"note": "Gerne i foråret"})
    assert response.status_code == 302
    interest = Interest.objects.get(offer=lw.expensive)
    assert (interest.employee, interest.note) == (world.employee, "Gerne i foråret")
    assert "interest list" in last_message(response)
    # Twice is refused with a message, nothing more written.
    again = client.post(url("interest_register", offer_id=lw.expensive.pk))
    assert "already on the interest list" in last_message(again)
    assert Interest.objects.count() == 1


def test_employee_requests_a_place_from_the_cohort_page(world, lw, login):
    client = login(world.user("employee"))
    page = client.get(url("cohort_detail", cohort_id=lw.cohort.pk)).content.decode()
    assert "Request a place" in page and "Participants" not in page and "Administration" not in page
    response = client.post(url("cohort_request", cohort_id=lw.cohort.pk), {"note": "Til min udvikling"})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(cohort=lw.cohort, employee=world.employee)
    assert enrolment.status == S.AWAITING_MANAGER and enrolment.note == "Til min udvikling"
    assert "sent to your manager" in last_message(response)
    # A second request is refused by the service's guard, shown as a message.
    again = client.post(url("cohort_request", cohort_id=lw.cohort.pk))
    assert "already enrolled" in last_message(again)
    # The request is only for yourself: someone without an employee record gets 404.
    assert login(world.user("hr")).post(url("cohort_request", cohort_id=lw.cohort.pk)).status_code == 404


def test_cohort_page_for_hr_shows_participants_flags_and_administration(world, lw, login):
    services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    services.enrolment_book(cohort=lw.cohort, employee=world.outsider, actor=SYSTEM)
    # A session on Christmas Day, and a room booked twice.
    room = services.room_create(municipality=world.a, name="Mødelokale 1", actor=SYSTEM)
    year = timezone.localdate().year + 1
    christmas = datetime.datetime(year, 12, 25, 9, tzinfo=datetime.UTC)
    offer = make_offer(world.a, lw.provider, "Juleworkshop")
    spec = SessionSpec(starts_at=christmas, ends_at=christmas + datetime.timedelta(hours=3), room=room)
    one = services.cohort_create(offer=offer, capacity=5, sessions=[spec], actor=SYSTEM)
    services.cohort_create(offer=offer, capacity=5, sessions=[spec], actor=SYSTEM)
    client = login(world.user("hr"))
    body = client.get(url("cohort_detail", cohort_id=lw.cohort.pk)).content.decode()
    assert "Participants" in body and "Emma Employee" in body
    assert "Oskar Outsider" not in body  # outside HR's grant (another unit)
    assert "Edit cohort and sessions" in body and "Cancel the cohort" in body
    flags = client.get(url("cohort_detail", cohort_id=one.pk)).content.decode()
    assert "Holiday" in flags and "Juledag" in flags
    assert "Double booking" in flags and "Mødelokale 1" in flags
    # The manager sees their own people on the cohort, but no administration.
    body = login(world.user("manager")).get(url("cohort_detail", cohort_id=lw.cohort.pk)).content.decode()
    assert "Emma Employee" in body and "Administration" not in body and "Holiday" not in body


def test_cohort_page_query_count_does_not_grow(world, lw, login, django_assert_max_num_queries):
    from tests.conftest import make_employee

    cohort = make_cohort(lw.offer, capacity=10, sessions=3, days=40)
    client = login(world.user("hr"))
    client.get(url("cohort_detail", cohort_id=cohort.pk))
    with django_assert_max_num_queries(25):
        client.get(url("cohort_detail", cohort_id=cohort.pk))
    people = [
        make_employee(world.a, world.team1, f"C{i}", f"Deltager {i:02d}", world.role_a) for i in range(15)
    ]
    services.enrolments_bulk_book(cohort=cohort, employees=people, actor=SYSTEM)
    with django_assert_max_num_queries(25):
        body = client.get(url("cohort_detail", cohort_id=cohort.pk)).content.decode()
    assert "Deltager 14" in body and "no. 5 in line" in body


# --- Approvals and the team calendar ------------------------------------------------------------


def test_manager_approves_from_the_queue(world, lw, login):
    enrolment = request_place(world, lw.cohort)
    client = login(world.user("manager"))
    page = client.get(url("approvals"))
    assert page.status_code == 200
    assert "Emma Employee" in page.content.decode() and "Approve" in page.content.decode()
    response = client.post(
        url("enrolment_approve", enrolment_id=enrolment.pk), {"version": enrolment.version}
    )
    assert response.status_code == 302 and response["Location"] == url("approvals")
    enrolment.refresh_from_db()
    assert enrolment.status == S.BOOKED
    assert [h.to_status for h in enrolment.history.all()][-1] == S.BOOKED
    assert "is booked" in last_message(response)
    # A stale page (an old version) is refused with the service's message, nothing changes.
    again = client.post(url("enrolment_approve", enrolment_id=enrolment.pk), {"version": 0})
    assert "Reload the page" in last_message(again)


def test_decline_needs_a_reason_and_records_it(world, lw, login):
    enrolment = request_place(world, lw.cohort)
    client = login(world.user("manager"))
    form = client.get(url("enrolment_decline", enrolment_id=enrolment.pk))
    assert form.status_code == 200 and "Reason" in form.content.decode()
    empty = client.post(url("enrolment_decline", enrolment_id=enrolment.pk), {"reason": ""})
    assert empty.status_code == 422
    enrolment.refresh_from_db()
    assert enrolment.status == S.AWAITING_MANAGER
    done = client.post(
        url("enrolment_decline", enrolment_id=enrolment.pk), {"reason": "Ikke i år", "next": url("approvals")}
    )
    assert done.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == S.DECLINED
    assert enrolment.history.last().reason == "Ikke i år"


def test_approvals_refused_for_the_person_and_strangers(world, lw, login):
    own = request_place(world, lw.cohort)
    other_unit = request_place(world, lw.cohort, world.outsider)
    b = request_place(world, lw.b_cohort, world.b_employee)  # nobody leads B's team: booked at once
    before = {e.pk: e.status for e in (own, other_unit, b)}
    employee = login(world.user("employee"))
    assert employee.get(url("approvals")).status_code == 403
    assert employee.post(url("enrolment_approve", enrolment_id=own.pk)).status_code == 403
    assert employee.get(url("enrolment_decline", enrolment_id=own.pk)).status_code == 403
    manager = login(world.user("manager"))
    assert "Oskar Outsider" not in manager.get(url("approvals")).content.decode()
    for enrolment in (other_unit, b):
        assert manager.post(url("enrolment_approve", enrolment_id=enrolment.pk)).status_code == 404
        assert manager.post(url("enrolment_decline", enrolment_id=enrolment.pk)).status_code == 404
    assert (
        login(world.user("other_municipality_admin"))
        .post(url("enrolment_approve", enrolment_id=own.pk))
        .status_code
        == 404
    )
    for enrolment in (own, other_unit, b):
        enrolment.refresh_from_db()
        assert enrolment.status == before[enrolment.pk]


def test_hr_step_after_the_manager(world, lw, login):
    cohort = make_cohort(lw.expensive, capacity=3)
    enrolment = request_place(world, cohort)
    login(world.user("manager")).post(url("enrolment_approve", enrolment_id=enrolment.pk))
    enrolment.refresh_from_db()
    assert enrolment.status == S.AWAITING_HR
    manager_page = login(world.user("manager")).get(url("approvals")).content.decode()
    assert "Not yours to decide" in manager_page
    hr = login(world.user("hr"))
    assert "Emma Employee" in hr.get(url("approvals")).content.decode()
    hr.post(url("enrolment_approve", enrolment_id=enrolment.pk))
    enrolment.refresh_from_db()
    assert enrolment.status == S.BOOKED


def test_approval_queue_query_count_does_not_grow(world, lw, login, django_assert_max_num_queries):
    from tests.conftest import make_employee

    client = login(world.user("manager"))
    request_place(world, lw.cohort)
    client.get(url("approvals"))
    with django_assert_max_num_queries(15):
        client.get(url("approvals"))
    for i in range(20):
        person = make_employee(world.a, world.team1, f"Q{i}", f"Person {i:02d}", world.role_a)
        cohort = make_cohort(lw.offer, capacity=5, days=50 + i)
        services.enrolment_request(cohort=cohort, employee=person, actor=SYSTEM)
    with django_assert_max_num_queries(15):
        body = client.get(url("approvals")).content.decode()
    assert "Person 19" in body


def test_team_calendar_shows_own_people_by_week(world, lw, login, django_assert_max_num_queries):
    services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    other = make_cohort(make_offer(world.a, lw.provider, "Gamma-kursus"), capacity=5, days=10)
    services.enrolment_book(cohort=other, employee=world.outsider, actor=SYSTEM)
    client = login(world.user("manager"))
    with django_assert_max_num_queries(15):
        body = client.get(url("team_calendar")).content.decode()
    assert "Emma Employee" in body and "Kommunikation med borgere" in body
    assert "Oskar Outsider" not in body and "Gamma-kursus" not in body
    assert "Week " in body
    assert login(world.user("employee")).get(url("team_calendar")).status_code == 403


# --- Min læring ----------------------------------------------------------------------------------


def test_my_learning_shows_requests_bookings_history_calendar_and_feed(world, lw, login):
    booked = services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=world.user("hr"))
    other = make_cohort(lw.expensive, capacity=3, days=60)
    request_place(world, other)
    client = login(world.user("employee"))
    response = client.get(url("mine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Diplommodul i ledelse" in body and "Awaiting manager approval" in body
    assert "Kommunikation med borgere" in body and "Booked" in body and "Status history" in body
    feed = CalendarFeed.objects.get(employee=world.employee)
    assert f"/learning/calendar/{feed.token}.ics" in body
    assert "Rådhuset" in body  # the upcoming session in the calendar list
    # Cancelling one's place from the page goes through the service.
    response = client.post(
        url("enrolment_cancel", enrolment_id=booked.pk), {"version": booked.version, "next": url("mine")}
    )
    assert response.status_code == 302 and response["Location"] == url("mine")
    booked.refresh_from_db()
    assert booked.status == S.CANCELLED_BY_PERSON


def test_my_learning_shows_education_progress_and_evidence(world, lw, login):
    education = make_offer(
        world.a, lw.provider, "Akademiuddannelse i offentlig forvaltning", kind="education"
    )
    education.ects = Decimal("60")
    education.save()
    module = make_offer(world.a, lw.provider, "Forvaltningsret", kind="education_module", ects=Decimal("10"))
    elective = make_offer(world.a, lw.provider, "Valgfrit modul", kind="education_module", ects=Decimal("5"))
    services.education_module_set(education=education, module=module, obligatory=True, actor=SYSTEM)
    services.education_module_set(education=education, module=elective, obligatory=False, actor=SYSTEM)
    cohort = make_cohort(module, capacity=3)
    enrolment = services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    competence = Competence.objects.filter(version__framework__municipality=world.a).first()
    if competence is not None:
        Evidence.objects.create(employee=world.employee, competence=competence, level=2, enrolment=enrolment)
    body = login(world.user("employee")).get(url("mine")).content.decode()
    assert "Education progress" in body and "Akademiuddannelse i offentlig forvaltning" in body
    assert "Forvaltningsret" in body and "Obligatory" in body and "Elective" in body and "Enrolled" in body
    if competence is not None:
        assert "Awaiting confirmation" in body


def test_my_learning_needs_an_employee_record(world, lw, login):
    assert login(world.user("hr")).get(url("mine")).status_code == 403


def test_my_learning_query_count_does_not_grow(world, lw, login):
    """One booking or eleven: the same number of queries (prefetches run once a list is non-empty, so
    the comparison starts from one booking)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.user("employee"))
    services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    client.get(url("mine"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("mine"))
    for i in range(10):
        cohort = make_cohort(make_offer(world.a, lw.provider, f"Kursus {i}"), capacity=3, days=40 + i)
        services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url("mine")).content.decode()
    assert "Kursus 9" in body
    assert len(many.captured_queries) == len(one.captured_queries), [
        q["sql"][:120] for q in many.captured_queries
    ]


# --- HR: cohort administration ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hr", "coordinator", "admin"])
def test_cohort_list_for_administrators(world, lw, login, persona, django_assert_max_num_queries):
    client = login(world.user(persona))
    client.get(url("cohort_list"))
    with django_assert_max_num_queries(15):
        body = client.get(url("cohort_list")).content.decode()
    assert "Kommunikation med borgere" in body and "Samtaleteknik" not in body
    for i in range(15):
        make_cohort(lw.offer, capacity=5, days=40 + i, min_size=3)
    with django_assert_max_num_queries(15):
        body = client.get(url("cohort_list")).content.decode()
    assert "under minimum" in body


@pytest.mark.parametrize("persona", ["employee", "manager"])
def test_cohort_administration_is_refused_to_others(world, lw, login, persona):
    client = login(world.user(persona))
    assert client.get(url("cohort_list")).status_code == 403
    assert client.get(url("cohort_create")).status_code == 403
    assert client.get(url("cohort_edit", cohort_id=lw.cohort.pk)).status_code == 403
    assert client.get(url("cohort_cancel", cohort_id=lw.cohort.pk)).status_code == 403
    assert client.post(url("cohort_status", cohort_id=lw.cohort.pk), {"status": "planned"}).status_code == 403
    session = lw.cohort.sessions.get()
    assert client.get(url("session_attendance", session_id=session.pk)).status_code == 403
    lw.cohort.refresh_from_db()
    assert lw.cohort.status == Cohort.Status.OPEN


def test_cohort_administration_of_another_municipality_is_404(world, lw, login):
    client = login(world.user("other_municipality_admin"))
    for name in ("cohort_edit", "cohort_cancel", "cohort_book"):
        assert client.get(url(name, cohort_id=lw.cohort.pk)).status_code == 404
    assert client.get(url("session_attendance", session_id=lw.cohort.sessions.get().pk)).status_code == 404
    assert "Kommunikation med borgere" not in client.get(url("cohort_list")).content.decode()


def _dt(value: datetime.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _cohort_post(offer, sessions, **extra):
    data = {
        "offer": offer.pk,
        "status": "open",
        "code": "H1",
        "title": "",
        "capacity": "12",
        "min_size": "4",
        "registration_opens": "",
        "registration_closes": "",
        "cancellation_cutoff": "",
        "sessions-TOTAL_FORMS": str(len(sessions)),
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, (starts, ends) in enumerate(sessions):
        data[f"sessions-{i}-starts_at"] = _dt(starts)
        data[f"sessions-{i}-ends_at"] = _dt(ends)
        data[f"sessions-{i}-place"] = "Jobcentret"
    return data


def test_hr_creates_a_cohort_with_sessions(world, lw, login):
    client = login(world.user("hr"))
    page = client.get(url("cohort_create"), {"offer": lw.expensive.pk})
    assert page.status_code == 200 and "Sessions" in page.content.decode()
    response = client.post(
        url("cohort_create"), _cohort_post(lw.expensive, [(at(20, 9), at(20, 15)), (at(27, 9), at(27, 15))])
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(offer=lw.expensive)
    assert (cohort.capacity, cohort.min_size, cohort.code, cohort.status) == (12, 4, "H1", "open")
    assert cohort.sessions.count() == 2 and cohort.first_starts_at == at(20, 9)
    assert response["Location"] == url("cohort_detail", cohort_id=cohort.pk)


def test_cohort_create_refuses_a_session_ending_before_it_starts(world, lw, login):
    client = login(world.user("hr"))
    response = client.post(url("cohort_create"), _cohort_post(lw.expensive, [(at(20, 15), at(20, 9))]))
    assert response.status_code == 422
    assert "must end after it starts" in response.content.decode()
    none = client.post(url("cohort_create"), _cohort_post(lw.expensive, []))
    assert none.status_code == 422 and "at least one session" in none.content.decode()
    assert not Cohort.objects.filter(offer=lw.expensive).exists()


def test_hr_edits_capacity_and_sessions(world, lw, login):
    services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    services.enrolment_book(cohort=lw.cohort, employee=world.colleague, actor=SYSTEM)
    waiting = services.enrolment_book(cohort=lw.cohort, employee=world.manager_employee, actor=SYSTEM)
    assert waiting.status == S.WAITLISTED
    session = lw.cohort.sessions.get()
    client = login(world.user("hr"))
    assert client.get(url("cohort_edit", cohort_id=lw.cohort.pk)).status_code == 200
    data = {
        "code": "K1",
        "title": "Kommunikation, hold 1",
        "capacity": "3",
        "min_size": "0",
        "registration_opens": "",
        "registration_closes": "",
        "cancellation_cutoff": "",
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "1",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-session_id": str(session.pk),
        "sessions-0-starts_at": _dt(session.starts_at),
        "sessions-0-ends_at": _dt(session.ends_at),
        "sessions-0-place": "Rådhuset",
        "sessions-1-starts_at": _dt(at(31, 9)),
        "sessions-1-ends_at": _dt(at(31, 12)),
        "sessions-1-place": "Jobcentret",
    }
    response = client.post(url("cohort_edit", cohort_id=lw.cohort.pk), data)
    assert response.status_code == 302, response.content.decode()
    lw.cohort.refresh_from_db()
    assert (lw.cohort.capacity, lw.cohort.title) == (3, "Kommunikation, hold 1")
    assert lw.cohort.sessions.count() == 2
    session.refresh_from_db()
    assert session.sequence == 0  # unchanged sessions are left alone
    waiting.refresh_from_db()
    assert waiting.status == S.BOOKED  # the raised capacity went to the waiting list
    # Capacity below the places taken is refused, and nothing else changes either.
    data.update({"capacity": "1", "title": "Andet navn", "sessions-TOTAL_FORMS": "1"})
    refused = client.post(url("cohort_edit", cohort_id=lw.cohort.pk), data)
    assert refused.status_code == 422 and "cannot be lower" in refused.content.decode()
    lw.cohort.refresh_from_db()
    assert (lw.cohort.capacity, lw.cohort.title) == (3, "Kommunikation, hold 1")


def test_hr_cancels_a_cohort_after_confirming(world, lw, login):
    booked = services.enrolment_book(cohort=lw.cohort, employee=world.employee, actor=SYSTEM)
    client = login(world.user("hr"))
    confirm = client.get(url("cohort_cancel", cohort_id=lw.cohort.pk))
    assert confirm.status_code == 200 and "1 person is enrolled" in confirm.content.decode()
    lw.cohort.refresh_from_db()
    assert lw.cohort.status == Cohort.Status.OPEN  # GET changes nothing
    response = client.post(url("cohort_cancel", cohort_id=lw.cohort.pk), {"reason": "For få tilmeldte"})
    assert response.status_code == 302
    lw.cohort.refresh_from_db()
    booked.refresh_from_db()
    assert lw.cohort.status == Cohort.Status.CANCELLED and lw.cohort.cancel_reason == "For få tilmeldte"
    assert booked.status == S.CANCELLED_BY_COHORT
    assert "was cancelled" in last_message(response)


def test_hr_opens_and_closes_registration(world, lw, login):
    client = login(world.user("hr"))
    page = client.get(url("cohort_detail", cohort_id=lw.cohort.pk)).content.decode()
    assert "Close registration" in page
    client.post(url("cohort_status", cohort_id=lw.cohort.pk), {"status": "planned"})
    lw.cohort.refresh_from_db()
    assert lw.cohort.status == Cohort.Status.PLANNED
    refused = client.post(url("cohort_status", cohort_id=lw.cohort.pk), {"status": "completed"})
    assert "cannot become" in last_message(refused)


def test_attendance_grid_and_results(world, lw, login):
    cohort = make_cohort(lw.offer, capacity=5, sessions=2, days=40)
    first = services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    second = services.enrolment_book(cohort=cohort, employee=world.colleague, actor=SYSTEM)
    client = login(world.user("hr"))
    sessions = list(cohort.sessions.order_by("starts_at"))
    # Before the start the grid shows, but saving is refused by the service.
    page = client.get(url("session_attendance", session_id=sessions[0].pk)).content.decode()
    assert "has not started yet" in page
    move_to_past(cohort)
    for session in sessions:
        page = client.get(url("session_attendance", session_id=session.pk))
        assert page.status_code == 200 and "Emma Employee" in page.content.decode()
        response = client.post(
            url("session_attendance", session_id=session.pk),
            {f"mark_{first.pk}": "present", f"mark_{second.pk}": "absent"},
        )
        assert response.status_code == 302
    assert Attendance.objects.filter(enrolment=first).count() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.ATTENDED_FULL, S.NO_SHOW)
    # Completed with ECTS typed the Danish way; not passed for the other.
    body = client.get(url("cohort_detail", cohort_id=cohort.pk)).content.decode()
    assert "Completed" in body and "Not passed" in body
    client.post(url("enrolment_complete", enrolment_id=first.pk), {"ects_earned": "4,5"})
    client.post(url("enrolment_fail", enrolment_id=second.pk), {"reason": "Udeblev"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.ects_earned) == (S.COMPLETED, Decimal("4.5"))
    assert second.status == S.FAILED
    bad = client.post(url("enrolment_complete", enrolment_id=second.pk), {"ects_earned": "fem"})
    assert "ECTS must be a number" in last_message(bad)


def test_results_are_for_administrators(world, lw, login):
    cohort = make_cohort(lw.offer, capacity=5, days=40)
    enrolment = services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    move_to_past(cohort)
    assert (
        login(world.user("manager")).post(url("enrolment_complete", enrolment_id=enrolment.pk)).status_code
        == 403
    )
    assert (
        login(world.user("employee")).post(url("enrolment_complete", enrolment_id=enrolment.pk)).status_code
        == 403
    )
    enrolment.refresh_from_db()
    assert enrolment.status == S.BOOKED


# --- Booking many people ---------------------------------------------------------------------------


def test_hr_books_a_group_in_one_action(world, lw, login):
    client = login(world.user("hr"))
    page = client.get(url("cohort_book", cohort_id=lw.cohort.pk), {"unit": world.centre1.pk})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Emma Employee" in body and "Carl Colleague" in body and "Oskar Outsider" not in body
    ids = [world.employee.pk, world.colleague.pk, world.manager_employee.pk]
    response = client.post(url("cohort_book", cohort_id=lw.cohort.pk), {"employees": ids})
    assert response.status_code == 302
    statuses = dict(Enrolment.objects.filter(cohort=lw.cohort).values_list("employee_id", "status"))
    assert statuses == {ids[0]: S.BOOKED, ids[1]: S.BOOKED, ids[2]: S.WAITLISTED}
    assert "Booked: 2. On the waiting list: 1." in last_message(response)


def test_bulk_booking_refuses_people_outside_the_users_scope(world, lw, login):
    client = login(world.user("hr"))
    response = client.post(
        url("cohort_book", cohort_id=lw.cohort.pk), {"employees": [world.employee.pk, world.outsider.pk]}
    )
    assert response.status_code == 403
    assert not Enrolment.objects.filter(cohort=lw.cohort).exists()
    # A manager books their own people; the coordinator books nobody; an employee nobody.
    manager = login(world.user("manager"))
    assert "Emma Employee" in manager.get(url("cohort_book", cohort_id=lw.cohort.pk)).content.decode()
    assert login(world.user("coordinator")).get(url("cohort_book", cohort_id=lw.cohort.pk)).status_code == 403
    assert login(world.user("employee")).get(url("cohort_book", cohort_id=lw.cohort.pk)).status_code == 403


def test_bulk_booking_with_a_guard_refusal_books_nobody(world, lw, login):
    from kapabel.organisation import services as org_services

    org_services.employee_update(employee=world.colleague, active=False, actor=SYSTEM)
    client = login(world.user("hr"))
    response = client.post(
        url("cohort_book", cohort_id=lw.cohort.pk), {"employees": [world.employee.pk, world.colleague.pk]}
    )
    assert response.status_code == 302
    assert "no longer active" in last_message(response)
    assert not Enrolment.objects.filter(cohort=lw.cohort).exists()


def test_bulk_page_query_count_does_not_grow(world, lw, login, django_assert_max_num_queries):
    from tests.conftest import make_employee

    client = login(world.user("hr"))
    client.get(url("cohort_book", cohort_id=lw.cohort.pk))
    with django_assert_max_num_queries(15):
        client.get(url("cohort_book", cohort_id=lw.cohort.pk))
    for i in range(25):
        make_employee(world.a, world.team1, f"B{i}", f"Bulk {i:02d}", world.role_a)
    with django_assert_max_num_queries(15):
        body = client.get(url("cohort_book", cohort_id=lw.cohort.pk)).content.decode()
    assert "Bulk 24" in body


# --- Start page, tasks and menu -----------------------------------------------------------------------


def test_start_page_sections_per_persona(world, lw, login):
    services.enrolment_book(cohort=lw.cohort, employee=world.colleague, actor=SYSTEM)
    request_place(world, lw.cohort)
    make_cohort(lw.offer, capacity=10, days=10, min_size=5)
    employee = login(world.user("employee")).get("/").content.decode()
    assert "My learning" in employee and "Open requests" in employee
    manager = login(world.user("manager")).get("/").content.decode()
    assert "1 request for a course waits for your approval" in manager
    assert "Approve 1 learning request" in manager  # "My tasks"
    hr = login(world.user("hr")).get("/").content.decode()
    assert "Cohorts to watch" in hr and "Below their minimum size" in hr


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        ("employee", ["My learning", "Course catalogue"], ["Approvals", ">Cohorts<"]),
        ("manager", ["My learning", "Course catalogue", "Approvals"], [">Cohorts<"]),
        ("hr", ["Course catalogue", "Approvals", ">Cohorts<"], ["My learning"]),
        ("coordinator", ["Course catalogue", ">Cohorts<"], ["Approvals"]),
    ],
)
def test_menu_entries_per_persona(world, lw, login, persona, present, absent):
    body = login(world.user(persona)).get(url("catalogue")).content.decode()
    menu = body[body.index('class="mainmenu"') : body.index("</nav>")]
    for label in present:
        assert label in menu, label
    for label in absent:
        assert label not in menu, label
