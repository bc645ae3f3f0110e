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
