"""The dialogue services: cycles and their schedules, booking guards, requests, recording with agreed
levels, plans (framework check, versions, confirmation, follow-ups, bookings that follow the
enrolment), team dialogues, reminders — and that a refusal writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kapabel.assessments.models import Rating
from kapabel.dialogues import services
from kapabel.dialogues.models import Cycle, Dialogue, DialogueState, FollowUp, Plan, PlanVersion
from kapabel.dialogues.schedule import person_window
from kapabel.dialogues.services import Refused
from kapabel.dialogues.status import activity_status
from kapabel.learning import services as learning_services
from kapabel.learning.models import EnrolmentStatus
from kapabel.organisation import services as org_services
from tests.dialogues.factories import SYSTEM, at
from tests.learning.factories import make_cohort, make_offer


def test_cycle_creates_one_dialogue_per_active_person_in_the_subtree(world, dw):
    assert Dialogue.objects.filter(cycle=dw.cycle).count() == 4
    only_centre = services.cycle_create(
        unit=world.centre1,
        name="C",
        starts_on=dw.cycle.starts_on,
        ends_on=dw.cycle.ends_on,
        include_subtree=False,
        actor=SYSTEM,
    )
    assert list(Dialogue.objects.filter(cycle=only_centre).values_list("employee_id", flat=True)) == [
        world.manager_employee.pk
    ]


def test_hire_date_schedule_is_due_on_the_anniversary_within_the_period():
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    opens, due = person_window(
        schedule="hire_date",
        starts_on=start,
        ends_on=end,
        window_days=30,
        employment_start=datetime.date(2019, 3, 15),
    )
    assert (opens, due) == (datetime.date(2026, 2, 13), datetime.date(2026, 3, 15))
    # Hired within the period: the first anniversary falls after it, so the period's end.
    assert person_window(
        schedule="hire_date",
        starts_on=start,
        ends_on=end,
        window_days=30,
        employment_start=datetime.date(2026, 5, 1),
    ) == (datetime.date(2026, 12, 1), end)
    # Leap day in a year without one; no hire date: the fixed window.
    assert person_window(
        schedule="hire_date",
        starts_on=start,
        ends_on=end,
        window_days=0,
        employment_start=datetime.date(2020, 2, 29),
    )[1] == datetime.date(2026, 2, 28)
    assert person_window(
        schedule="hire_date", starts_on=start, ends_on=end, window_days=30, employment_start=None
    ) == (
        start,
        end,
    )


def test_cycle_relative_to_hire_date_sets_windows_per_person(world):
    org_services.employee_update(
        employee=world.employee, employment_start=datetime.date(2015, 6, 10), actor=SYSTEM
    )
    cycle = services.cycle_create(
        unit=world.team1,
        name="MUS efter ansættelsesdato",
        schedule=Cycle.Schedule.HIRE_DATE,
        starts_on=datetime.date(2030, 1, 1),
        ends_on=datetime.date(2030, 12, 31),
        window_days=14,
        actor=SYSTEM,
    )
    d = Dialogue.objects.get(cycle=cycle, employee=world.employee)
    assert (d.window_opens, d.due_on) == (datetime.date(2030, 5, 27), datetime.date(2030, 6, 10))


def test_only_hr_or_an_administrator_creates_cycles(world, dw):
    with pytest.raises(PermissionDenied):
        services.cycle_create(
            unit=world.centre1,
            name="X",
            starts_on=dw.cycle.starts_on,
            ends_on=dw.cycle.ends_on,
            actor=world.user("manager"),
        )
    with pytest.raises(PermissionDenied):  # HR's grant is Forvaltning 1, not Forvaltning 2
        services.cycle_create(
            unit=world.forvaltning2,
            name="X",
            starts_on=dw.cycle.starts_on,
            ends_on=dw.cycle.ends_on,
            actor=world.user("hr"),
        )


def test_questions_must_be_in_both_languages(world, dw):
    with pytest.raises(Exception, match="both Danish and English"):
        services.cycle_create(
            unit=world.centre1,
            name="X",
            starts_on=dw.cycle.starts_on,
            ends_on=dw.cycle.ends_on,
            questions=[{"da": "Kun dansk"}],
            actor=SYSTEM,
        )
    assert not Cycle.objects.filter(name="X").exists()


def test_booking_outside_the_window_is_refused_and_nothing_is_written(world, dw):
    manager = world.user("manager")
    before = Dialogue.objects.get(pk=dw.dialogue.pk)
    with pytest.raises(Refused, match="within the cycle's window") as caught:
        services.dialogue_book(dialogue=dw.dialogue, starts_at=at(90), ends_at=at(90, 11), actor=manager)
    assert caught.value.code == "outside_window"
    after = Dialogue.objects.get(pk=dw.dialogue.pk)
    assert (after.state, after.starts_at, after.version) == (before.state, None, before.version)
    assert not mail.outbox


def test_two_dialogues_at_the_same_time_for_one_manager_are_refused(
    world, dw, django_capture_on_commit_callbacks
):
    manager = world.user("manager")
    with django_capture_on_commit_callbacks(execute=True):
        services.dialogue_book(
            dialogue=dw.dialogue, starts_at=at(5, 10), ends_at=at(5, 11), place="Lokale 1", actor=manager
        )
    assert len(mail.outbox) == 2  # the person and the manager
    invitation = mail.outbox[0].attachments[0]
    assert "METHOD:REQUEST" in invitation.get_payload(decode=True).decode()
    with pytest.raises(Refused, match="already has a dialogue at that time") as caught:
        services.dialogue_book(
            dialogue=dw.colleague_dialogue, starts_at=at(5, 10, 30), ends_at=at(5, 11, 30), actor=manager
        )
    assert caught.value.code == "manager_overlap"
    assert Dialogue.objects.get(pk=dw.colleague_dialogue.pk).state == DialogueState.OPEN
    # Back to back is fine; a move of the same dialogue does not clash with itself.
    services.dialogue_book(
        dialogue=dw.colleague_dialogue, starts_at=at(5, 11), ends_at=at(5, 12), actor=manager
    )
    moved = services.dialogue_book(
        dialogue=dw.dialogue, starts_at=at(5, 9, 30), ends_at=at(5, 10, 30), actor=manager
    )
    assert moved.sequence == 1


def test_booking_from_a_stale_form_is_refused(world, dw):
    manager = world.user("manager")
    version = dw.dialogue.version
    services.dialogue_book(
        dialogue=dw.dialogue, starts_at=at(5), ends_at=at(5, 11), actor=manager, version=version
    )
    with pytest.raises(Refused) as caught:
        services.dialogue_book(
            dialogue=dw.dialogue, starts_at=at(6), ends_at=at(6, 11), actor=manager, version=version
        )
    assert caught.value.code == "stale"


def test_the_person_cannot_book_their_own_dialogue_but_can_ask_for_one(world, dw):
    employee = world.user("employee")
    with pytest.raises(PermissionDenied):
        services.dialogue_book(dialogue=dw.dialogue, starts_at=at(5), ends_at=at(5, 11), actor=employee)
    asked = services.dialogue_request(
        employee=world.employee, actor=employee, note="Jeg vil gerne tale om min udvikling"
    )
    assert asked.pk == dw.dialogue.pk and asked.requested_at is not None
    with pytest.raises(Refused, match="already asked"):
        services.dialogue_request(employee=world.employee, actor=employee)
    with pytest.raises(PermissionDenied):
        services.dialogue_request(employee=world.colleague, actor=employee)


def test_a_request_in_a_team_dialogue_cycle_gets_an_individual_dialogue_in_it(world):
    today = timezone.localdate()
    cycle = services.cycle_create(
        unit=world.centre1,
        name="TUS",
        kind=Cycle.Kind.GROUP,
        starts_on=today,
        ends_on=today + datetime.timedelta(30),
        actor=SYSTEM,
    )
    asked = services.dialogue_request(employee=world.employee, actor=world.user("employee"))
    assert (asked.cycle_id, asked.kind) == (cycle.pk, Dialogue.Kind.INDIVIDUAL)
    assert Dialogue.objects.filter(cycle=cycle, employee=world.employee).count() == 2


def test_a_request_outside_any_cycle_is_due_within_eight_weeks(world):
    asked = services.dialogue_request(employee=world.outsider, actor=SYSTEM)
    assert asked.cycle is None
    assert asked.due_on == timezone.localdate() + datetime.timedelta(days=56)


def test_record_writes_agreed_levels_and_refuses_a_competence_outside_the_framework(world, dw):
    manager = world.user("manager")
    with pytest.raises(Refused, match="not part of the competence framework"):
        services.dialogue_record(dialogue=dw.dialogue, actor=manager, levels={dw.b_competence: 2})
    assert Dialogue.objects.get(pk=dw.dialogue.pk).state == DialogueState.OPEN
    assert not Rating.objects.filter(employee=world.employee).exists()
    with pytest.raises(Refused, match="not a level on the scale"):
        services.dialogue_record(dialogue=dw.dialogue, actor=manager, levels={dw.competences[0]: 9})
    services.dialogue_record(
        dialogue=dw.dialogue, actor=manager, notes="Referat", levels={dw.competences[0]: 2}
    )
    assert Rating.objects.get(employee=world.employee).source == "dialogue"
    # HR records nothing: what was said is between the person and the manager.
    with pytest.raises(PermissionDenied):
        services.dialogue_record(dialogue=dw.colleague_dialogue, actor=world.user("hr"), notes="x")


def test_plan_goal_outside_the_framework_is_refused_and_nothing_is_written(world, dw):
    plan = services.plan_create(employee=world.employee, dialogue=dw.dialogue, actor=world.user("manager"))
    version = plan.version
    with pytest.raises(Refused) as caught:
        services.goal_add(plan=plan, competence=dw.b_competence, target_level=2, actor=world.user("manager"))
    assert caught.value.code == "competence_outside_framework"
    fresh = Plan.objects.get(pk=plan.pk)
    assert (fresh.version, fresh.goals.count(), fresh.versions.count()) == (version, 0, 1)
    goal = services.goal_add(
        plan=plan, competence=dw.competences[1], target_level=3, actor=world.user("employee")
    )
    assert goal.title == str(dw.competences[1])
    free = services.goal_add(plan=plan, title="Lede et projekt", actor=world.user("employee"))
    assert free.competence is None
    assert PlanVersion.objects.filter(plan=plan).count() == 3


def test_plan_is_agreed_when_both_confirm_the_same_version_and_a_change_needs_both_again(world, dw):
    manager, employee = world.user("manager"), world.user("employee")
    plan = services.plan_create(employee=world.employee, dialogue=dw.dialogue, actor=manager)
    services.goal_add(plan=plan, title="Mål", actor=manager)
    services.plan_confirm(plan=plan, actor=manager, version=plan.version)
    # The person saw the plan before the manager's confirmation: stale, nothing written.
    with pytest.raises(Refused) as caught:
        services.plan_confirm(plan=plan, actor=employee, version=plan.version - 1)
    assert caught.value.code == "stale"
    agreed = services.plan_confirm(plan=plan, actor=employee, version=plan.version)
    assert agreed.is_agreed and agreed.agreed_version == agreed.content_version
    assert FollowUp.objects.filter(plan=plan, done_at__isnull=True).count() == 1
    assert PlanVersion.objects.get(plan=plan, number=agreed.content_version).agreed_at is not None
    services.goal_add(plan=plan, title="Nyt mål", actor=employee)
    changed = Plan.objects.get(pk=plan.pk)
    assert (
        not changed.is_agreed and changed.agreed_version == agreed.content_version
    )  # still current meanwhile
    # A second plan agreed closes the first.
    second = services.plan_create(employee=world.employee, actor=manager)
    services.plan_confirm(plan=second, actor=manager, version=second.version)
    services.plan_confirm(plan=second, actor=employee, version=second.version)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.CLOSED


def test_an_activity_that_is_a_booking_follows_the_booking(world, dw):
    provider = learning_services.provider_create(municipality=world.a, name="Udbyder", actor=SYSTEM)
    cohort = make_cohort(make_offer(world.a, provider), capacity=5)
    enrolment = learning_services.enrolment_book(cohort=cohort, employee=world.employee, actor=SYSTEM)
    plan = services.plan_create(employee=world.employee, actor=world.user("manager"))
    activity = services.activity_add(plan=plan, enrolment=enrolment, actor=world.user("manager"))
    assert activity.kind == "booking" and activity_status(activity) == "planned"
    learning_services.enrolment_cancel(enrolment=enrolment, actor=SYSTEM)
    activity.refresh_from_db()
    assert activity.enrolment.status == EnrolmentStatus.CANCELLED_BY_PERSON
    assert activity_status(activity) == "cancelled"
    colleague_booking = learning_services.enrolment_book(
        cohort=cohort, employee=world.colleague, actor=SYSTEM
    )
    with pytest.raises(Refused, match="someone else's"):
        services.activity_add(plan=plan, enrolment=colleague_booking, actor=world.user("manager"))


def test_team_dialogue_records_shared_goals_and_members_count_as_held(world):
    today = timezone.localdate()
    cycle = services.cycle_create(
        unit=world.centre1,
        name="TUS",
        kind=Cycle.Kind.GROUP,
        starts_on=today - datetime.timedelta(5),
        ends_on=today + datetime.timedelta(30),
        actor=SYSTEM,
    )
    manager = world.user("manager")
    group = services.group_create(cycle=cycle, unit=world.team1, actor=manager)
    assert [m.employee_id for m in group.members.all()] == [world.employee.pk]
    services.group_book(group=group, starts_at=at(2, 13), ends_at=at(2, 15), actor=manager)
    with pytest.raises(Refused, match="already has a dialogue"):
        other = services.group_create(cycle=cycle, unit=world.team2, actor=manager)
        services.group_book(group=other, starts_at=at(2, 14), ends_at=at(2, 16), actor=manager)
    member = group.members.get()
    services.group_record(
        group=group, shared_goals="Bedre overlevering", agreements={member.pk: "Mentor"}, actor=manager
    )
    member.refresh_from_db()
    assert (member.state, member.agreements) == (DialogueState.HELD, "Mentor")


def test_follow_up_reminders_are_sent_once(world, dw):
    manager, employee = world.user("manager"), world.user("employee")
    plan = services.plan_create(employee=world.employee, actor=manager)
    services.plan_confirm(plan=plan, actor=manager, version=plan.version)
    services.plan_confirm(plan=plan, actor=employee, version=plan.version)
    follow_up = plan.follow_ups.get()
    assert services.reminders_send(today=follow_up.due_on - datetime.timedelta(days=30)) == 0
    assert services.reminders_send(today=follow_up.due_on - datetime.timedelta(days=3)) == 1
    assert services.reminders_send(today=follow_up.due_on) == 0
    assert sorted(mail.outbox[0].to) == sorted([world.employee.email, world.manager_employee.email])
    services.follow_up_record(follow_up=follow_up, note="Godt i gang", actor=employee)
    with pytest.raises(Refused):
        services.follow_up_record(follow_up=follow_up, note="igen", actor=employee)
