"""A person with data in every app: Emma Employee (world.employee, login "employee") — ratings and
gaps, a self-assessment with a comment, the manager's assessment of her, a needs-survey answer, an
individual target with a note, a consultation and a comment she wrote, an API token, a failed login,
an HR-import report that echoes her row, and reads of her pages. Others have data too, so an export
can be checked for holding nothing of theirs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kapabel.assessments import selectors as assessment_selectors
from kapabel.assessments import services as assessment_services
from kapabel.competences.models import Profile, Status
from kapabel.competences.services import consultations, targets
from kapabel.core import audit, tokens
from kapabel.core.models import FailedLogin
from kapabel.organisation.models import HRImport
from tests.assessments.factories import build_assessment_world
from tests.gaps.data import build_gap_data

SYSTEM = "tests"


@pytest.fixture
def rich(world):
    gaps = build_gap_data(world)
    aw = build_assessment_world(world, competences=3)
    items = assessment_selectors.campaign_competences(aw.campaign_a)
    manager = world.user("manager")
    emma_user = world.user("employee")
    emma_user.email = "emma.private@example.org"
    emma_user.save()
    answers = {i.competence.pk: {"level": 2, "comment": "Jeg vil gerne lære mere"} for i in items}
    assessment_services.assessment_save_self(
        assessment=aw.assessment, version=0, answers=answers, submit=True, actor=emma_user
    )
    aw.assessment.refresh_from_db()
    manager_answers = {i.competence.pk: {"level": 3, "comment": "Emma Employee er stærk her"} for i in items}
    assessment_services.assessment_save_manager(
        assessment=aw.assessment,
        version=aw.assessment.manager_version,
        answers=manager_answers,
        submit=True,
        actor=manager,
    )
    # The manager also rates Carl, with a comment that mentions Emma.
    assessment_services.assessment_save_self(
        assessment=aw.colleague_assessment,
        version=0,
        answers={i.competence.pk: {"level": 1} for i in items},
        submit=True,
        actor=SYSTEM,
    )
    aw.colleague_assessment.refresh_from_db()
    assessment_services.assessment_save_manager(
        assessment=aw.colleague_assessment,
        version=aw.colleague_assessment.manager_version,
        answers={i.competence.pk: {"level": 2, "comment": "Kan lære af Emma Employee"} for i in items},
        submit=True,
        actor=manager,
    )
    needs = aw.needs_a.assessments.get(employee=world.employee)
    assessment_services.assessment_save_self(
        assessment=needs,
        version=0,
        needs_answers=["Mere om digitalisering, Emma"],
        submit=True,
        actor=emma_user,
    )
    target = targets.individual_target_set(
        employee=world.employee,
        competence=gaps.competences[1],
        target_level=4,
        note="Aftalt med Emma Employee til MUS",
        actor=manager,
    )
    draft = Profile.objects.create(
        municipality=world.a,
        framework_version=gaps.version,
        kind=Profile.Kind.UNIT,
        unit=world.centre1,
        name="Center Et (udkast)",
        status=Status.DRAFT,
    )
    consultation = consultations.consultation_open(
        actor=world.user("hr"), participants=[world.employee, world.colleague], profile=draft
    )
    consultations.comment_add(consultation=consultation, author=emma_user, body="Jeg foreslår et højere mål")
    consultations.comment_add(
        consultation=consultation, author=world.user("hr"), body="Godt forslag fra Emma Employee"
    )
    tokens.token_create(user=emma_user, name="Emmas script", scope="read", days=30, actor=SYSTEM)
    FailedLogin.objects.create(username="employee")
    HRImport.objects.create(
        municipality=world.a,
        actor_label="hr",
        format=HRImport.Format.KAPABEL,
        source=HRImport.Source.CLI,
        sample=[
            {"external_id": "E1", "name": ["Emma Employee", "Emma Employee"], "email": ["e1@example.dk", ""]}
        ],
        problems=[{"line": 3, "message": "Ugyldig e-mail for Emma Employee: e1@example.dk"}],
    )
    audit.audit_read(manager, world.employee, action="gaps.person.viewed")
    audit.audit_read(world.user("hr"), world.colleague, action="gaps.person.viewed")
    return SimpleNamespace(gaps=gaps, aw=aw, target=target, consultation=consultation)


@pytest.fixture
def rich_more(world, rich):
    """Emma's learning and dialogues on top of `rich`: an enrolment with her note and the manager's
    reason, internal learning with Carl as mentor, an e-mail to her, a calendar feed and her language;
    a held dialogue with notes and agreements, her private preparation and the manager's, an agreed
    plan with a free goal, an activity and a follow-up, her consent — and Carl's enrolment and dialogue
    whose text mentions her."""
    import datetime

    from django.utils import timezone

    from kapabel.dialogues import services as dialogue_services
    from kapabel.learning import services as learning_services
    from kapabel.learning.models import NotificationLog
    from tests.dialogues.factories import build_dialogue_world
    from tests.learning.factories import build_learning_world

    emma_user, manager = world.user("employee"), world.user("manager")
    lw = build_learning_world(world)
    lw.cohort.capacity = 5
    lw.cohort.save(update_fields=["capacity"])
    enrolment = learning_services.enrolment_book(
        cohort=lw.cohort, employee=world.employee, actor=SYSTEM, note="Emma Employee ønsker kurset"
    )
    learning_services.enrolment_book(
        cohort=lw.cohort, employee=world.colleague, actor=SYSTEM, note="Sammen med Emma Employee"
    )
    activity = learning_services.internal_activity_create(
        kind="mentoring",
        learner=world.employee,
        mentor=world.colleague,
        starts_on=timezone.localdate() - datetime.timedelta(days=5),
        outcome="Emma Employee lærte sagsbehandling",
        actor=SYSTEM,
    )
    NotificationLog.objects.create(
        key=f"booked:{enrolment.pk}:e1@example.dk",
        kind="booked",
        enrolment=enrolment,
        recipient="e1@example.dk",
        subject="Emma Employee, du er tilmeldt",
        data={"to": "Emma Employee"},
    )
    learning_services.calendar_feed_get_or_create(employee=world.employee, actor=SYSTEM)
    learning_services.notification_preference_set(employee=world.employee, language="en", actor=SYSTEM)

    dw = build_dialogue_world(world)
    dialogue_services.preparation_save(
        dialogue=dw.dialogue, actor=emma_user, notes="Min hemmelige forberedelse", shared=False
    )
    dialogue_services.preparation_save(
        dialogue=dw.dialogue, actor=manager, notes="Lederens egne tanker om Emma Employee", shared=False
    )
    dialogue_services.dialogue_record(
        dialogue=dw.dialogue,
        actor=manager,
        notes="Emma Employee vil gerne være teamleder",
        agreements="Emma Employee tager kurset",
    )
    dialogue_services.dialogue_record(
        dialogue=dw.colleague_dialogue, actor=manager, notes="Carl kan lære af Emma Employee"
    )
    plan = dialogue_services.plan_create(employee=world.employee, actor=manager, dialogue=dw.dialogue)
    goal = dialogue_services.goal_add(plan=plan, actor=manager, title="Lede et team som Emma Employee")
    dialogue_services.activity_add(
        plan=plan, actor=manager, goal=goal, title="Emma Employee følger en teamleder"
    )
    dialogue_services.activity_add(plan=plan, actor=manager, enrolment=enrolment)
    dialogue_services.plan_confirm(plan=plan, actor=manager, version=plan.version)
    dialogue_services.plan_confirm(plan=plan, actor=emma_user, version=plan.version)
    follow_up = plan.follow_ups.get()
    dialogue_services.follow_up_record(
        follow_up=follow_up, actor=manager, note="Emma Employee er godt på vej"
    )
    dialogue_services.consent_set(employee=world.employee, actor=emma_user, allow=True)
    return SimpleNamespace(lw=lw, dw=dw, enrolment=enrolment, activity=activity, plan=plan)
