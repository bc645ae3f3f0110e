"""The campaign workflow around the forms (issue 11, item 6): invitations when a campaign opens and
to the participants of a consultation, the participant list (filters, export), reminders on demand
to those who have not answered, the employee's comment on the review page, agreed levels that start
empty, confirmations that name the person, and "Mine kompetencer" with current levels."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kapabel.assessments import selectors, services
from kapabel.assessments.models import Assessment, Campaign
from kapabel.competences import services as competence_services
from kapabel.competences.models import Profile, Status
from kapabel.core.models import AuditEvent
from tests.assessments.test_views import form_data
from tests.organisation.hr_import_helpers import TASKS_IMMEDIATE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_now(settings):
    """Mail goes through Django's locmem backend, and the background task runs at once."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = TASKS_IMMEDIATE
    settings.KAPABEL_BASE_URL = ""


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def new_campaign(world, aw, *, opens_on=None, invite=True, units=None, actor="tests", base_url=""):
    today = timezone.localdate()
    return services.campaign_create(
        municipality=world.a,
        name="Afklaring med invitation",
        kind=Campaign.Kind.INDIVIDUAL,
        framework_version=aw.version_a,
        opens_on=opens_on or today,
        closes_on=today + datetime.timedelta(days=20),
        scope=services.Scope(units=units or [(world.centre1, True)]),
        actor=actor,
        send_invitations=invite,
        base_url=base_url,
    )


# --- Invitations ------------------------------------------------------------------------------------


def test_a_campaign_opening_today_invites_its_participants_after_the_commit(
    world, aw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = new_campaign(world, aw, base_url="https://kapabel.example.dk/")
    people = [world.employee, world.colleague, world.manager_employee]  # Centre 1 and below
    assert recipients() == sorted(p.email for p in people)
    message = next(m for m in mail.outbox if m.to == [world.employee.email])
    own = campaign.assessments.get(employee=world.employee)
    assert campaign.name in message.subject and "Emma Employee" in message.body
    assert f"https://kapabel.example.dk/clarification/answers/{own.pk}/" in message.body
    assert not campaign.assessments.filter(invited_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="assessments.campaign.invited", object_id=str(campaign.pk))
    assert event.changes["invited"] == [0, 3]


def test_nothing_is_sent_when_the_transaction_rolls_back(world, aw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new_campaign(world, aw)
    assert callbacks and mail.outbox == []  # queued for after the commit, not sent inside it


def test_a_campaign_opening_later_is_invited_by_the_daily_job_once(
    world, aw, django_capture_on_commit_callbacks
):
    opens = timezone.localdate() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = new_campaign(world, aw, opens_on=opens)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        before = services.reminders_send(today=opens - datetime.timedelta(days=1))
    assert before["invited"] == 0 and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.reminders_send(today=opens)
    assert sent["invited"] == 3 and len(mail.outbox) == 3
    assert all(m.subject.startswith("Invitation") for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.reminders_send(today=opens)
    assert again["invited"] == 0 and len(mail.outbox) == 3
    assert campaign.assessments.filter(invited_at__isnull=False).count() == 3


def test_without_invitations_nobody_is_mailed_by_creation_or_the_daily_job(
    world, aw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new_campaign(world, aw, invite=False)
        services.reminders_send(today=timezone.localdate())
    assert mail.outbox == []


def test_people_without_an_address_are_counted_not_mailed(world, aw, django_capture_on_commit_callbacks):
    world.colleague.email = ""
    world.colleague.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        campaign = new_campaign(world, aw)
    assert world.colleague.email not in recipients() and len(mail.outbox) == 2
    assert selectors.invitation_counts(campaign) == {"invited": 3, "without_email": 1, "sent": 2}


def test_the_campaign_form_invites_and_says_so(world, aw, login, django_capture_on_commit_callbacks):
    client = login(world.user("admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:campaign_create"),
            {
                "name": "Ny afklaring",
                "kind": "individual",
                "framework_version": aw.version_a.pk,
                "opens_on": timezone.localdate().isoformat(),
                "closes_on": aw.campaign_a.closes_on.isoformat(),
                "units": [world.team1.pk],
                "send_invitations": "on",
            },
            follow=True,
        )
    assert recipients() == [world.employee.email]
    assert "Invitationer er på vej" in response.content.decode() or "invitation er på vej" in (
        response.content.decode()
    )
    assert "http://testserver/clarification/answers/" in mail.outbox[0].body


def test_a_consultation_invites_its_participants(world, aw, django_capture_on_commit_callbacks):
    profile = Profile.objects.create(
        municipality=world.a,
        framework_version=aw.version_a,
        kind=Profile.Kind.NAMED,
        name="Fremtidens medarbejder",
        status=Status.DRAFT,
    )
    with django_capture_on_commit_callbacks(execute=True):
        consultation = competence_services.consultation_open(
            actor=world.user("admin"),
            participants=[world.employee, world.colleague],
            profile=profile,
            message="Sig gerne til, hvis noget mangler.",
            closes_on=timezone.localdate() + datetime.timedelta(days=7),
            base_url="http://kapabel.test/",
        )
    assert recipients() == sorted([world.employee.email, world.colleague.email])
    body = mail.outbox[0].body
    assert (
        "Sig gerne til" in body and f"http://kapabel.test/frameworks/consultations/{consultation.pk}/" in body
    )


# --- Participant list and reminders -----------------------------------------------------------------


def submit(assessment, campaign):
    answers = {i.competence.pk: {"level": 2} for i in selectors.campaign_competences(campaign)}
    services.assessment_save_self(assessment=assessment, version=0, answers=answers, submit=True, actor="t")


def participants_url(campaign, **query):
    url = reverse("assessments:campaign_participants", kwargs={"campaign_pk": campaign.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_participant_list_filters_by_unit_and_status_within_the_readers_scope(
    world, aw, login, django_assert_max_num_queries
):
    submit(aw.colleague_assessment, aw.campaign_a)
    client = login(world.user("hr"))  # HR of Forvaltning 1: not Team Gamma
    with django_assert_max_num_queries(14):
        body = client.get(participants_url(aw.campaign_a)).content.decode()
    assert "Emma Employee" in body and "Carl Colleague" in body and "Oskar Outsider" not in body
    unanswered = client.get(participants_url(aw.campaign_a, status="unanswered")).content.decode()
    assert "Emma Employee" in unanswered and "Carl Colleague" not in unanswered
    team = client.get(participants_url(aw.campaign_a, unit=world.team2.pk)).content.decode()
    assert "Carl Colleague" in team and "Emma Employee" not in team
    # A unit outside the reader's choices is refused by the form, and filters nothing in.
    foreign = client.get(participants_url(aw.campaign_a, unit=world.team3.pk)).content.decode()
    assert "Oskar Outsider" not in foreign and "form-error-message" in foreign
    partial = client.get(participants_url(aw.campaign_a), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "Emma Employee" in partial


def test_participant_list_is_refused_outside_the_access_layer(world, aw, login):
    assert login(world.user("employee")).get(participants_url(aw.campaign_a)).status_code == 403
    assert (
        login(world.user("other_municipality_admin")).get(participants_url(aw.campaign_a)).status_code == 404
    )


def test_participant_export_has_the_filtered_rows(world, aw, login):
    submit(aw.assessment, aw.campaign_a)
    response = login(world.user("hr")).get(participants_url(aw.campaign_a, status="submitted", export="xlsx"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Navn" and [r[0] for r in rows[1:]] == ["Emma Employee"]
    assert rows[1][2] == world.employee.email
    csv = (
        login(world.user("admin"))
        .get(participants_url(aw.campaign_a, export="csv"))
        .content.decode("utf-8-sig")
    )
    assert "Oskar Outsider" in csv and "Bente Bby" not in csv


def test_hr_reminds_only_those_who_have_not_answered_within_the_grant(
    world, aw, login, django_capture_on_commit_callbacks
):
    submit(aw.colleague_assessment, aw.campaign_a)
    client = login(world.user("hr"))
    remind = reverse("assessments:campaign_remind", kwargs={"campaign_pk": aw.campaign_a.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind, follow=True)
    # Not the colleague (answered), not Oskar (Team Gamma, outside the grant), not Bente (other municipality).
    assert recipients() == sorted([world.employee.email, world.manager_employee.email])
    assert "påmindelse er på vej" in response.content.decode()
    reminded = set(
        Assessment.objects.filter(self_reminded_at__isnull=False).values_list("employee_id", flat=True)
    )
    assert reminded == {world.employee.pk, world.manager_employee.pk}
    assert AuditEvent.objects.filter(action="assessments.campaign.reminded").count() == 1


def test_a_manager_reminds_their_own_people_and_a_unit_filter_narrows_it(
    world, aw, login, django_capture_on_commit_callbacks
):
    client = login(world.user("manager"))
    remind = reverse("assessments:campaign_remind", kwargs={"campaign_pk": aw.campaign_a.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind, {"unit": world.team2.pk})
    assert recipients() == [world.colleague.email]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind)
    assert recipients() == sorted([world.employee.email, world.colleague.email])  # never themselves


def test_reminders_are_refused_to_others_and_after_the_close(world, aw, login):
    remind = reverse("assessments:campaign_remind", kwargs={"campaign_pk": aw.campaign_a.pk})
    assert login(world.user("employee")).post(remind).status_code == 403
    assert login(world.user("other_municipality_admin")).post(remind).status_code == 404
    assert login(world.user("admin")).get(remind).status_code == 405
    services.campaign_close(campaign=aw.campaign_a, actor="tests")
    body = login(world.user("admin")).post(remind, follow=True).content.decode()
    assert "lukket" in body and mail.outbox == []


# --- Review page, agreed levels, confirmations ---------------------------------------------------


def test_review_shows_the_employees_comment_and_the_agreed_form_starts_empty(world, aw, login):
    items = selectors.campaign_competences(aw.campaign_a)
    answers = {i.competence.pk: {"level": 2, "comment": "Jeg mangler erfaring med Opus"} for i in items}
    services.assessment_save_self(
        assessment=aw.assessment, version=0, answers=answers, submit=True, actor=world.user("employee")
    )
    client = login(world.user("manager"))
    url = reverse("assessments:assessment_review", kwargs={"assessment_pk": aw.assessment.pk})
    assert "Jeg mangler erfaring med Opus" in client.get(url).content.decode()
    response = client.post(url, {**form_data(aw.campaign_a, 0, level="3"), "step": "manager"}, follow=True)
    body = response.content.decode()
    assert "Din vurdering af Emma Employee er indsendt." in body
    assert 'value="3" checked' not in body  # the agreed form is not the manager's levels in disguise
    prefilled = client.get(url + "?start=manager").content.decode()
    assert prefilled.count('value="3" checked') == len(items)
    response = client.post(url, {**form_data(aw.campaign_a, 1, level="2"), "step": "agreed"}, follow=True)
    assert "Aftalte niveauer registreret for Emma Employee." in response.content.decode()


def test_participant_confirmation_names_the_campaign(world, aw, login):
    client = login(world.user("employee"))
    url = reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk})
    response = client.post(url, form_data(aw.campaign_a, 0), follow=True)
    assert "Dine svar i “Afklaring Aby 2026” er indsendt." in response.content.decode()


# --- Mine kompetencer -----------------------------------------------------------------------------


def test_my_competences_show_current_levels_not_a_log(world, aw, login, django_assert_max_num_queries):
    submit(aw.assessment, aw.campaign_a)
    client = login(world.user("employee"))
    with django_assert_max_num_queries(10):
        body = client.get(reverse("assessments:my_assessments")).content.decode()
    items = selectors.campaign_competences(aw.campaign_a)
    level_name = items[0].levels[1].name  # level 2 on the scale
    assert body.count(level_name) == len(items) and "Selvvurdering" in body
    assert "Vurderingshistorik, nyeste først" not in body  # the log is one click further
    history = client.get(reverse("assessments:my_history")).content.decode()
    assert "Vurderingshistorik, nyeste først" in history and history.count("<tr>") >= len(items)
    assert login(world.user("hr")).get(reverse("assessments:my_history")).status_code == 403
