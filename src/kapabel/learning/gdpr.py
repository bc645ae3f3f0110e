"""What learning holds about a person (kapabel.core.personal_data): their enrolments with their
history and attendance, internal learning (as learner; as mentor without the learner), evidence,
merits, interest registrations, the cohorts they teach, the e-mails sent to them about their own
enrolments, their language and whether they have a calendar feed.

Others appear only as roles: the export never names who booked or confirmed. Anonymising keeps every
enrolment, status change, attendance, activity and piece of evidence (the statistics and the gap
figures rest on them) and blanks the free text written by or about the person (notes, outcomes),
their address in the e-mail log and their name as the author of changes they made; the calendar
feed (a secret address to their calendar) is removed; others' text that mentions them is scrubbed."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy

from kapabel.core.audit import Actor
from kapabel.core.personal_data import REDACTED, Field, Person, Section, scrub_texts
from kapabel.learning.models import (
    Attendance,
    CalendarFeed,
    CatalogueImport,
    Cohort,
    Enrolment,
    EnrolmentStatusChange,
    Evidence,
    Facilitator,
    Interest,
    InternalActivity,
    Merit,
    NotificationLog,
    NotificationPreference,
)


def _own_notifications(person: Person) -> Q:
    """E-mails sent to the person about their own enrolments."""
    if not person.email:
        return Q(pk__in=[])
    return Q(enrolment__employee_id=person.employee_id, recipient__iexact=person.email)


def _taught(facilitator: Facilitator) -> str:
    cohort = facilitator.cohort or (facilitator.session.cohort if facilitator.session else None)
    return cohort.display_title if cohort else ""


class LearningData:
    key = "learning"
    title = gettext_lazy("Learning")
    models = (
        "learning.Enrolment",
        "learning.EnrolmentStatusChange",
        "learning.Attendance",
        "learning.InternalActivity",
        "learning.Evidence",
        "learning.Merit",
        "learning.Interest",
        "learning.Facilitator",
        "learning.CalendarFeed",
        "learning.NotificationPreference",
        "learning.CatalogueImport",
    )

    def export(self, person: Person) -> list[Section]:
        employee_id = person.employee_id
        enrolments = (
            Enrolment.objects.filter(employee_id=employee_id)
            .select_related("cohort__offer")
            .order_by("created_at", "id")
        )
        history = (
            EnrolmentStatusChange.objects.filter(enrolment__employee_id=employee_id)
            .select_related("enrolment__cohort__offer")
            .order_by("at", "id")
        )
        attendance = (
            Attendance.objects.filter(enrolment__employee_id=employee_id)
            .select_related("session__cohort__offer")
            .order_by("session__starts_at", "id")
        )
        activities = (
            InternalActivity.objects.filter(learner_id=employee_id)
            .select_related("competence")
            .order_by("starts_on", "id")
        )
        mentoring = InternalActivity.objects.filter(mentor_id=employee_id).order_by("starts_on", "id")
        evidence = (
            Evidence.objects.filter(employee_id=employee_id)
            .select_related("competence")
            .order_by("created_at", "id")
        )
        merits = (
            Merit.objects.filter(employee_id=employee_id)
            .select_related("education", "module")
            .order_by("created_at", "id")
        )
        interests = (
            Interest.objects.filter(employee_id=employee_id)
            .select_related("offer")
            .order_by("created_at", "id")
        )
        teaching = (
            Facilitator.objects.filter(employee_id=employee_id)
            .select_related("cohort__offer", "session__cohort__offer")
            .order_by("id")
        )
        notifications = NotificationLog.objects.filter(_own_notifications(person)).order_by("sent_at", "id")
        preference = NotificationPreference.objects.filter(employee_id=employee_id).first()
        feed = CalendarFeed.objects.filter(employee_id=employee_id).first()
        return [
            Section(
                "enrolments",
                gettext_lazy("Enrolments"),
                [
                    Field("offer", gettext_lazy("Offer")),
                    Field("cohort", gettext_lazy("Cohort")),
                    Field("status", gettext_lazy("Status")),
                    Field("requested", gettext_lazy("Requested"), "date"),
                    Field("queued", gettext_lazy("On the waiting list since"), "date"),
                    Field("ects", gettext_lazy("ECTS earned"), "dec"),
                    Field("note", gettext_lazy("Note")),
                ],
                [
                    [
                        e.cohort.offer.title,
                        e.cohort.display_title,
                        e.get_status_display(),
                        e.created_at,
                        e.queued_at,
                        e.ects_earned,
                        e.note,
                    ]
                    for e in enrolments
                ],
            ),
            Section(
                "enrolment_history",
                gettext_lazy("Changes of the enrolments"),
                [
                    Field("cohort", gettext_lazy("Cohort")),
                    Field("from_status", gettext_lazy("From")),
                    Field("to_status", gettext_lazy("To")),
                    Field("at", gettext_lazy("When"), "date"),
                    Field("reason", gettext_lazy("Reason")),
                ],
                [
                    [c.enrolment.cohort.display_title, c.from_status, c.to_status, c.at, c.reason]
                    for c in history
                ],
            ),
            Section(
                "attendance",
                gettext_lazy("Attendance"),
                [
                    Field("cohort", gettext_lazy("Cohort")),
                    Field("session", gettext_lazy("Session"), "date"),
                    Field("status", gettext_lazy("Status")),
                ],
                [
                    [a.session.cohort.display_title, a.session.starts_at, a.get_status_display()]
                    for a in attendance
                ],
            ),
            Section(
                "internal_learning",
                gettext_lazy("Internal learning"),
                [
                    Field("kind", gettext_lazy("Kind")),
                    Field("competence", gettext_lazy("Competence")),
                    Field("target_level", gettext_lazy("Target level"), "int"),
                    Field("starts_on", gettext_lazy("Starts"), "date"),
                    Field("ends_on", gettext_lazy("Ends"), "date"),
                    Field("hours", gettext_lazy("Hours"), "dec"),
                    Field("status", gettext_lazy("Status")),
                    Field("outcome", gettext_lazy("Outcome")),
                ],
                [
                    [
                        a.get_kind_display(),
                        str(a.competence) if a.competence else "",
                        a.target_level,
                        a.starts_on,
                        a.ends_on,
                        a.hours,
                        a.get_status_display(),
                        a.outcome,
                    ]
                    for a in activities
                ],
            ),
            Section(
                "mentoring",
                gettext_lazy("Internal learning the person led as mentor"),
                [
                    Field("kind", gettext_lazy("Kind")),
                    Field("starts_on", gettext_lazy("Starts"), "date"),
                    Field("ends_on", gettext_lazy("Ends"), "date"),
                    Field("hours", gettext_lazy("Hours"), "dec"),
                ],
                [[a.get_kind_display(), a.starts_on, a.ends_on, a.hours] for a in mentoring],
            ),
            Section(
                "evidence",
                gettext_lazy("Evidence of learning"),
                [
                    Field("competence", gettext_lazy("Competence")),
                    Field("level", gettext_lazy("Level"), "int"),
                    Field("note", gettext_lazy("Note")),
                    Field("created", gettext_lazy("Created"), "date"),
                    Field("confirmed", gettext_lazy("Confirmed"), "date"),
                ],
                [[str(e.competence), e.level, e.note, e.created_at, e.confirmed_at] for e in evidence],
            ),
            Section(
                "merits",
                gettext_lazy("Merits"),
                [
                    Field("education", gettext_lazy("Education")),
                    Field("module", gettext_lazy("Module")),
                    Field("ects", gettext_lazy("ECTS"), "dec"),
                    Field("note", gettext_lazy("Note")),
                    Field("created", gettext_lazy("Created"), "date"),
                ],
                [
                    [m.education.title, m.module.title if m.module else "", m.ects, m.note, m.created_at]
                    for m in merits
                ],
            ),
            Section(
                "interests",
                gettext_lazy("Interest registrations"),
                [
                    Field("offer", gettext_lazy("Offer")),
                    Field("note", gettext_lazy("Note")),
                    Field("created", gettext_lazy("Created"), "date"),
                    Field("handled", gettext_lazy("Handled"), "date"),
                ],
                [[i.offer.title, i.note, i.created_at, i.handled_at] for i in interests],
            ),
            Section(
                "teaching",
                gettext_lazy("Cohorts the person teaches"),
                [
                    Field("cohort", gettext_lazy("Cohort")),
                    Field("session", gettext_lazy("Session"), "date"),
                    Field("hours", gettext_lazy("Hours"), "dec"),
                ],
                [
                    [
                        _taught(f),
                        f.session.starts_at if f.session else None,
                        f.hours,
                    ]
                    for f in teaching
                ],
            ),
            Section(
                "learning_notifications",
                gettext_lazy("E-mails sent about the person's enrolments"),
                [
                    Field("kind", gettext_lazy("Kind")),
                    Field("subject", gettext_lazy("Subject")),
                    Field("recipient", gettext_lazy("Recipient")),
                    Field("sent", gettext_lazy("Sent"), "date"),
                ],
                [[n.kind, n.subject, n.recipient, n.sent_at] for n in notifications],
            ),
            Section(
                "learning_preferences",
                gettext_lazy("Language and calendar feed"),
                [
                    Field("language", gettext_lazy("Language of e-mails and calendar")),
                    Field("calendar_feed", gettext_lazy("Calendar feed created"), "date"),
                ],
                [
                    [
                        preference.get_language_display() if preference else "",
                        feed.created_at if feed else None,
                    ]
                ],
            ),
        ]

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        employee_id = person.employee_id
        changed = Enrolment.objects.filter(employee_id=employee_id).exclude(note="").update(note="")
        changed += Interest.objects.filter(employee_id=employee_id).exclude(note="").update(note="")
        changed += Merit.objects.filter(employee_id=employee_id).exclude(note="").update(note="")
        changed += (
            InternalActivity.objects.filter(learner_id=employee_id).exclude(outcome="").update(outcome="")
        )
        changed += Evidence.objects.filter(employee_id=employee_id).exclude(note="").update(note="")
        changed += CalendarFeed.objects.filter(employee_id=employee_id).delete()[0]
        if person.user_id is not None:
            label = person.anonymised_username
            changed += Enrolment.objects.filter(requested_by_id=person.user_id).update(
                requested_by_label=label
            )
            changed += EnrolmentStatusChange.objects.filter(actor_id=person.user_id).update(actor_label=label)
            changed += CatalogueImport.objects.filter(created_by_id=person.user_id).update(actor_label=label)
        # The e-mail log: their address (also inside the log's unique key) and their name.
        mine = _own_notifications(person) | Q(enrolment__employee_id=employee_id)
        if person.email:
            mine |= Q(recipient__iexact=person.email)
        for row in NotificationLog.objects.filter(mine).only("pk", "key", "recipient", "subject", "data"):
            key = person.scrub(row.key).replace(REDACTED, f"anonymised-{row.pk}")
            recipient = (
                "" if person.email and row.recipient.lower() == person.email.lower() else row.recipient
            )
            values = {"key": key, "recipient": recipient, "subject": person.scrub(row.subject)}
            values["data"] = person.scrub_json(row.data)
            if values != {
                "key": row.key,
                "recipient": row.recipient,
                "subject": row.subject,
                "data": row.data,
            }:
                NotificationLog.objects.filter(pk=row.pk).update(**values)
                changed += 1
        # Others' text in the municipality that mentions the person.
        municipality_id = person.municipality_id
        by_cohort = Q(cohort__offer__municipality_id=municipality_id)
        by_enrolment = Q(enrolment__cohort__offer__municipality_id=municipality_id)
        by_employee = Q(employee__municipality_id=municipality_id)
        for model, field, scope in (
            (Enrolment, "note", by_cohort),
            (Enrolment, "requested_by_label", by_cohort),
            (EnrolmentStatusChange, "reason", by_enrolment),
            (EnrolmentStatusChange, "actor_label", by_enrolment),
            (InternalActivity, "outcome", Q(municipality_id=municipality_id)),
            (Evidence, "note", by_employee),
            (Merit, "note", by_employee),
            (Interest, "note", Q(offer__municipality_id=municipality_id)),
            (Cohort, "cancel_reason", Q(offer__municipality_id=municipality_id)),
            (
                Facilitator,
                "external_name",
                by_cohort | Q(session__cohort__offer__municipality_id=municipality_id),
            ),
            (NotificationLog, "subject", by_enrolment),
            (NotificationLog, "data", by_enrolment),
            (CatalogueImport, "actor_label", Q(municipality_id=municipality_id)),
        ):
            changed += scrub_texts(person, model, field, scope)
        return changed
