"""The demo's cohorts past and future, their enrolments, attendance, results and evidence, and
internal learning between colleagues (see the package docstring for the story)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kapabel.assessments import selectors as assessment_selectors
from kapabel.competences.models import Competence
from kapabel.learning import services
from kapabel.learning.demo.builder import SYSTEM, Builder
from kapabel.learning.models import Enrolment, EnrolmentStatus, Evidence, InternalActivity

S = EnrolmentStatus


def build(b: Builder) -> None:
    b.catalogue()
    build_past(b)
    build_future(b)
    build_internal(b)


def build_past(b: Builder) -> None:
    """Cohorts that ran: booked while they were ahead, then their dates, attendance and results."""
    plan = {
        "forvaltning_h1": ("forvaltning", "FOA-H1", 20, b.sessions(-160, 4, every=10, room=0)),
        "jc_okonomi_1": ("jc_okonomi", "JCØ-1", 16, b.sessions(-95, 2, room=1)),
        "sidemand_1": ("sidemand", "SIDE-1", 6, b.sessions(-60, 1, room=1)),
        "erp_1": ("erp", "ERP-1", 16, b.sessions(-63, 7, room=0, online=(2, 4))),
    }
    teachers = {"forvaltning_h1": "Lene Kjær (Komponent)", "erp_1": "Morten Bach (UCN act2learn)"}
    groups = {
        "forvaltning_h1": b.pick(b.admin, 14),
        "jc_okonomi_1": b.pick(b.team, 2) + b.pick(b.jobcentre, 8, avoid=b.team),
        "sidemand_1": b.pick(b.jobcentre, 4),
        "erp_1": b.pick(b.admin, 10),
    }
    for key, (offer, code, capacity, specs) in plan.items():
        cohort = b.cohort(key, offer, code, capacity, specs, past=True, teacher=teachers.get(key, ""))
        b.book(cohort, groups[key])
        b.add_sessions(cohort, specs)
    # A colleague teaches the peer training; her hours are time away from her own work.
    teacher = b.pick(b.jobcentre, 1, avoid=groups["sidemand_1"])
    if teacher:
        services.facilitator_add(
            cohort=b.cohorts["sidemand_1"], employee=teacher[0], hours=Decimal("6"), actor=SYSTEM
        )
    services.cohorts_advance(actor=SYSTEM)

    forvaltning = groups["forvaltning_h1"]
    b.attend(b.cohorts["forvaltning_h1"], absent=forvaltning[:1], partial=forvaltning[1:3])
    b.results(b.cohorts["forvaltning_h1"], failed=forvaltning[2:3])
    b.confirm(b.cohorts["forvaltning_h1"], leave=forvaltning[3:5])
    jobcentre = groups["jc_okonomi_1"]
    b.attend(b.cohorts["jc_okonomi_1"], partial=jobcentre[-1:])
    b.results(b.cohorts["jc_okonomi_1"])
    # The manager's own people: their evidence waits for the manager to confirm it.
    b.confirm(b.cohorts["jc_okonomi_1"], leave=b.team)
    b.attend(b.cohorts["sidemand_1"])
    b.results(b.cohorts["sidemand_1"])
    b.confirm(b.cohorts["sidemand_1"])
    # The ERP education ended with its exam; attendance is in, the results are not yet.
    erp = groups["erp_1"]
    b.attend(b.cohorts["erp_1"], absent=erp[:1], partial=erp[1:3])

    # Kommunom progress: one of the module's graduates has merit for a module taken elsewhere.
    graduates = list(
        Enrolment.objects.filter(cohort=b.cohorts["forvaltning_h1"], status=S.COMPLETED)
        .select_related("employee")
        .order_by("pk")
    )
    if graduates:
        services.merit_grant(
            employee=graduates[0].employee,
            education=b.offers["kommunom"],
            module=b.offers["forvaltningsret"],
            ects=Decimal("10"),
            note="Forvaltningsret taget hos UCN act2learn i 2022.",
            actor=b.hr,
        )


def build_future(b: Builder) -> None:
    leder, medarbejder = b.leder, b.medarbejder
    # The tailored four-week course: the whole group booked in one action.
    tailored = b.cohort(
        "skraeddersyet",
        "skraeddersyet",
        "FAM-112",
        112,
        b.sessions(42, 4, room=2),
        teacher="Underviser fra Komponent",
    )
    b.book(tailored, b.pick(b.admin, 112))
    hr_colleague = [e for e in b.admin if e.job_role and e.job_role.title == "HR-konsulent"][:1]
    if hr_colleague:
        services.facilitator_add(
            session=tailored.sessions.order_by("starts_at").first(),
            employee=hr_colleague[0],
            hours=Decimal("3"),
            actor=SYSTEM,
        )

    # Kommunikation med borgere: bookings, requests waiting for managers, a decline, a cancellation.
    communication = b.cohort(
        "kommunikation_h2", "kommunikation", "KOM-H2", 20, b.sessions(35, 4, every=10, room=0)
    )
    booked = b.book(communication, b.pick(b.admin, 8, avoid=b.team)).booked
    if booked:
        services.enrolment_cancel(
            enrolment=booked[-1], reason="Kan alligevel ikke deltage på grund af ferie.", actor=SYSTEM
        )
    team_requests = [b.request(communication, e) for e in b.pick(b.team, 3)]
    if b.medarbejder_user and medarbejder:
        b.request(
            communication,
            medarbejder,
            actor=b.medarbejder_user,
            note="Jeg skriver mange breve til borgere og vil gerne blive bedre til klarsprog.",
        )
    if team_requests and b.leder_user:
        services.enrolment_decline(
            enrolment=team_requests[0],
            reason="Ikke i dette halvår: vi sender dig på næste hold.",
            actor=b.leder_user,
        )
    on_it = b.team + [e.employee for e in booked]
    others = [b.request(communication, e) for e in b.pick(b.admin, 3, avoid=on_it)]
    waiting = [e for e in others if e.status == S.AWAITING_MANAGER]
    if waiting:
        services.enrolment_approve(enrolment=waiting[0], actor=SYSTEM)

    # Excel and the case systems (AMU): full, with a waiting list that moved when a place freed.
    it_group = b.pick(b.jobcentre + b.admin, 16, avoid=b.team)
    capacity = max(2, min(12, len(it_group) - 4))
    it_cohort = b.cohort("jc_it_3", "jc_it", "IT-3", capacity, b.sessions(21, 3, every=2, room=1))
    it_booked = b.book(it_cohort, it_group).booked
    if it_booked:
        services.enrolment_cancel(enrolment=it_booked[0], reason="Sygemeldt.", actor=SYSTEM)

    # Økonomistyring for ledere (diplom): the manager step, then HR.
    managers = b.cohort("okonomistyring_1", "okonomistyring_ledere", "ØL-1", 24, b.sessions(56, 6, room=2))
    if leder and b.leder_user:
        b.request(managers, leder, actor=b.leder_user, note="Som led i min lederudvikling.")
    manager_requests = [b.request(managers, e) for e in b.pick(b.managers, 3, avoid=b.team)]
    for enrolment in manager_requests[:1]:
        if enrolment.status == S.AWAITING_MANAGER:
            services.enrolment_approve(enrolment=enrolment, actor=SYSTEM)
        if enrolment.status == S.AWAITING_HR:
            services.enrolment_approve(enrolment=enrolment, actor=b.hr)
    for employee in b.pick(b.team, 1, avoid=[e.employee for e in team_requests]):
        enrolment = b.request(managers, employee, note="Jeg er budgetansvarlig i teamet.")
        if b.leder_user and enrolment.status == S.AWAITING_MANAGER:
            services.enrolment_approve(enrolment=enrolment, actor=b.leder_user)

    # Virksomhedskontakt: the manager books the demo employee and a colleague.
    company = b.cohort("jc_virksomhed_2", "jc_virksomhed", "VK-2", 15, b.sessions(24, 2, every=1, room=1))
    b.book(company, b.pick(b.jobcentre, 6, avoid=b.team))
    if b.leder_user:
        for person in [medarbejder, *b.pick(b.team, 1)]:
            if person is not None:
                services.enrolment_book(cohort=company, employee=person, actor=b.leder_user)

    # Forvaltningsret: too few signed up, so the cohort was cancelled (its history is kept).
    law = b.cohort(
        "forvaltningsret_h1",
        "forvaltningsret",
        "FR-H1",
        20,
        b.sessions(28, 4, every=10, room=0),
        min_size=12,
    )
    law_group = b.pick(b.admin, 6, avoid=b.team)
    b.book(law, law_group[:5])
    for employee in law_group[5:]:
        b.request(law, employee)
    services.cohort_cancel(cohort=law, reason="Aflyst: for få tilmeldte (mindst 12).", actor=b.hr)

    # The next ERP cohort is planned; registration has not opened yet.
    b.cohort("erp_2", "erp", "ERP-2", 16, b.sessions(120, 7, room=0, online=(2, 4)), status="planned")

    # Ledelse af forandringer has no cohort yet: an interest list is building up.
    interested = [e for e in [leder, *b.pick(b.managers, 4)] if e is not None]
    for employee in interested:
        services.interest_register(
            offer=b.offers["forandringer"], employee=employee, note="Ønsker næste hold.", actor=SYSTEM
        )


def build_internal(b: Builder) -> None:
    """Pairings between colleagues, chosen by current level in "Økonomi og budget" and "Digitale
    systemer og ERP": a colleague at level 3 or more helps one at 2 or less."""
    today = b.calendar.today
    day = datetime.timedelta(days=1)
    competences = {
        c.code: c
        for c in Competence.objects.filter(
            version__framework__municipality=b.m, code__in=("ADM-05", "ADM-06", "ADM-02", "JC-02")
        )
    }
    plans = [
        ("ADM-05", InternalActivity.Kind.MENTORING, -30, 60, "20", InternalActivity.Status.ACTIVE),
        (
            "ADM-06",
            InternalActivity.Kind.PEER_TRAINING,
            -45,
            -14,
            "12",
            InternalActivity.Status.COMPLETED,
        ),
        ("ADM-02", InternalActivity.Kind.SHADOWING, 14, 28, "8", InternalActivity.Status.PLANNED),
    ]
    used: set[int] = set()
    ids = [e.pk for e in b.admin]
    by_pk = {e.pk: e for e in b.admin}
    for code, kind, start, end, hours, status in plans:
        competence = competences.get(code)
        if competence is None:
            continue
        rows = assessment_selectors.current_levels(employee_ids=ids, competence_ids=[competence.pk])
        levels = {pk: level for pk, level in rows.values_list("employee_id", "level") if level is not None}
        mentors = sorted(pk for pk, level in levels.items() if level >= 3 and pk not in used)
        learners = sorted(pk for pk, level in levels.items() if level <= 2 and pk not in used)
        if not mentors or not learners:
            continue
        mentor_id, learner_id = b.rng.choice(mentors), b.rng.choice(learners)
        used |= {mentor_id, learner_id}
        activity = services.internal_activity_create(
            kind=kind,
            learner=by_pk[learner_id],
            mentor=by_pk[mentor_id],
            competence=competence,
            target_level=3,
            starts_on=today + start * day,
            ends_on=today + end * day,
            hours=Decimal(hours),
            actor=SYSTEM,
        )
        if status == InternalActivity.Status.ACTIVE:
            services.internal_activity_update(activity=activity, status=status, actor=SYSTEM)
        if status == InternalActivity.Status.COMPLETED:
            services.internal_activity_update(
                activity=activity,
                status=status,
                outcome="Kan nu selv oprette og følge op på indkøb i ERP.",
                actor=SYSTEM,
            )
            for evidence in Evidence.objects.filter(activity=activity, confirmed_at__isnull=True):
                services.evidence_confirm(evidence=evidence, actor=b.hr)
    team = b.pick(b.jobcentre, 1)
    if team and "JC-02" in competences:
        activity = services.internal_activity_create(
            kind=InternalActivity.Kind.TEAM_LEARNING,
            learner=team[0],
            competence=competences["JC-02"],
            starts_on=today - 7 * day,
            ends_on=today + 49 * day,
            hours=Decimal("10"),
            actor=SYSTEM,
        )
        services.internal_activity_update(
            activity=activity, status=InternalActivity.Status.ACTIVE, actor=SYSTEM
        )
