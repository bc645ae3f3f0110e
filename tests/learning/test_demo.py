"""The learning demo step: a realistic catalogue, cohorts past and future with enrolments in every state
the services leave them in, evidence that moved current levels and the gap analysis, the personas'
bookings, requests and approvals; deterministic for a seed."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

from django.contrib.auth import get_user_model
from django.core.management import call_command

from kapabel.assessments.models import CurrentLevel, Source
from kapabel.core.models import Municipality
from kapabel.gaps import upkeep
from kapabel.gaps.models import GapFact
from kapabel.learning import selectors
from kapabel.learning.models import (
    Category,
    Cohort,
    EducationModule,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Evidence,
    Facilitator,
    Interest,
    InternalActivity,
    Offer,
    Provider,
)

S = EnrolmentStatus


def test_demo_builds_learning_in_every_state(db, tmp_path, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", employees=120, seed=1)
    # The demo writes history: nobody is e-mailed about it.
    assert [m.subject for m in mailoutbox] == []
    demo = Municipality.objects.get(kommunekode="999")
    enrolments = Enrolment.objects.filter(cohort__offer__municipality=demo)

    # Every state a service leaves an enrolment in; `requested` is the first history row of every
    # request (the service routes it on at once, to the manager, HR or a place).
    assert set(enrolments.values_list("status", flat=True)) == set(S.values) - {S.REQUESTED}
    assert EnrolmentStatusChange.objects.filter(enrolment__in=enrolments, to_status=S.REQUESTED).exists()

    # The catalogue.
    providers = set(Provider.objects.filter(municipality=demo).values_list("name", flat=True))
    assert {"Komponent (COK)", "VIA University College", "UCN act2learn", "AMU Syd", "Intern"} <= providers
    offers = Offer.objects.filter(municipality=demo)
    assert {"akademi", "diplom", "amu"} <= set(offers.values_list("level", flat=True))
    assert {"peer_training", "mentoring", "shadowing", "e_learning"} <= set(
        offers.values_list("kind", flat=True)
    )
    kommunom = offers.get(kind="education")
    modules = EducationModule.objects.filter(education=kommunom)
    assert modules.filter(obligatory=True).count() == 3 and modules.filter(obligatory=False).count() >= 2
    assert kommunom.merit_limit_ects == 10 and kommunom.completion_years == 6
    erp = offers.get(title="Procesrådgiver i ERP (OPUS)")
    assert erp.ects and erp.teaching_days == 7 and erp.offer_competences.exists()
    assert erp.cohorts.filter(status=Cohort.Status.RUNNING).get().sessions.count() == 7
    jobcentre = {"leadership", "economy_budget", "production_management", "it_tools", "result_review"}
    assert jobcentre | {"company_contact"} <= set(
        Category.objects.filter(offers__municipality=demo).values_list("code", flat=True)
    )
    assert not offers.filter(kind__in=["course", "education_module"], offer_competences__isnull=True).exists()

    # Cohorts past and future: completed, running, full with a waiting list, cancelled, planned.
    cohorts = Cohort.objects.filter(offer__municipality=demo)
    assert {"completed", "running", "full", "open", "cancelled", "planned"} <= set(
        cohorts.values_list("status", flat=True)
    )
    full = cohorts.get(status=Cohort.Status.FULL, code="IT-3")
    assert selectors.places_taken(full) == full.capacity and selectors.waitlist(full).exists()
    assert Facilitator.objects.filter(cohort__in=cohorts, employee__isnull=False).exists()
    assert Interest.objects.filter(offer__municipality=demo, offer__cohorts__isnull=True).exists()
    assert InternalActivity.objects.filter(municipality=demo, status="completed").exists()

    # Evidence confirmed into ratings with source "evidence"; the gap analysis reflects them.
    confirmed = Evidence.objects.filter(employee__municipality=demo, rating__isnull=False)
    assert confirmed.count() >= 10
    assert Evidence.objects.filter(employee__municipality=demo, confirmed_at__isnull=True).exists()
    from_evidence = CurrentLevel.objects.filter(municipality=demo, source=Source.EVIDENCE)
    assert from_evidence.exists()
    facts = {
        (f.employee_id, f.competence_id): f.level
        for f in GapFact.objects.filter(
            municipality=demo, employee_id__in=from_evidence.values("employee_id")
        )
    }
    moved = [c for c in from_evidence if (c.employee_id, c.competence_id) in facts]
    assert moved and all(facts[(c.employee_id, c.competence_id)] == c.level for c in moved)
    for municipality in Municipality.objects.all():
        assert upkeep.verify(municipality) == []

    # The personas: the employee has a booking and a request; the manager has approvals waiting.
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["leder", "medarbejder"])}
    mine = set(enrolments.filter(employee__user=users["medarbejder"]).values_list("status", flat=True))
    assert {S.BOOKED, S.AWAITING_MANAGER} <= mine
    assert selectors.approvals_for_user(users["leder"]).filter(status=S.AWAITING_MANAGER).exists()

    # Deterministic for a seed: another process on another database builds the same.
    assert _signature_in_process() == _signature_of_a_fresh_run(tmp_path, employees=120, seed=1)


SIGNATURE = (
    "from kapabel.learning.models import Enrolment, Evidence\n"
    "print(sorted(Enrolment.objects.values_list('cohort__code', 'employee__external_id', 'status')))\n"
    "print(sorted((e.employee.external_id, e.competence.code, e.level, e.rating_id is None)"
    " for e in Evidence.objects.select_related('employee', 'competence')))\n"
)


def _signature_in_process() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(SIGNATURE, {})
    return out.getvalue()


def _signature_of_a_fresh_run(tmp_path, employees: int, seed: int) -> str:
    """The same demo built by `kapabel demo` in a new process on a new database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["KAPABEL_VAR_DIR"] = str(tmp_path)

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-P", "-m", "kapabel", *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    run("migrate", "-v0")
    run("demo", "--employees", str(employees), "--seed", str(seed))
    return run("shell", "--no-imports", "-c", SIGNATURE)
