"""What programmes hold about a person (kapabel.core.personal_data): their participation (programmes,
status per phase, applications for them) and — when the person was a substitute (found by their
e-mail, or their exact name, in the same municipality) — the substitute record: hiring facts,
placements and outcome.

The export names no one else (covered colleagues appear as a count). Anonymising keeps every row (the
programme's figures and ydelse rest on them) and blanks the substitute's name and e-mail."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kapabel.core import audit, personal_data
from kapabel.core.audit import Actor
from kapabel.core.personal_data import REDACTED, Field, Person, Section
from kapabel.programmes.models import Application, ApplicationDocument, ParticipantPhase, Substitute


def _substitutes_q(person: Person) -> Q:
    q = Q(pk__in=[])
    if person.email.strip():
        q |= Q(email__iexact=person.email.strip())
    if person.name.strip():
        q |= Q(name=person.name.strip())
    return Q(programme__municipality_id=person.municipality_id, anonymised_at__isnull=True) & q


class ProgrammesData:
    key = "programmes"
    title = gettext_lazy("Programmes")
    # A participant's statuses per phase and applications; a substitute's employment (matched by
    # e-mail or name: a substitute need not be an employee).
    # Documents on an application for the person are theirs too (listed by name; deleted on
    # anonymisation: no figure rests on them).
    models = (
        "programmes.Participant",
        "programmes.Application",
        "programmes.ApplicationDocument",
        "programmes.Substitute",
    )

    def export(self, person: Person) -> list[Section]:
        statuses = (
            ParticipantPhase.objects.filter(participant__employee_id=person.employee_id)
            .select_related("phase__programme")
            .order_by("phase__starts_on", "id")
        )
        applications = (
            Application.objects.filter(participant__employee_id=person.employee_id)
            .select_related("scheme", "programme")
            .order_by("education_starts_on", "id")
        )
        documents = ApplicationDocument.objects.filter(
            application__participant__employee_id=person.employee_id
        ).select_related("application")
        substitutes = (
            Substitute.objects.filter(_substitutes_q(person))
            .select_related("programme", "unit")
            .annotate(placement_count=Count("placements"))
            .order_by("starts_on", "id")
        )
        return [
            Section(
                "programme_phases",
                gettext_lazy("Programme phases"),
                [
                    Field("programme", gettext_lazy("Programme")),
                    Field("phase", gettext_lazy("Phase")),
                    Field("status", gettext_lazy("Status")),
                ],
                [(s.phase.programme.name, s.phase.name, s.get_status_display()) for s in statuses],
            ),
            Section(
                "programme_applications",
                gettext_lazy("Funding applications"),
                [
                    Field("programme", gettext_lazy("Programme")),
                    Field("scheme", gettext_lazy("Scheme")),
                    Field("title", gettext_lazy("Title")),
                    Field("status", gettext_lazy("Status")),
                    Field("eligible_costs", gettext_lazy("Eligible costs"), "dec2"),
                ],
                [
                    (a.programme.name, a.scheme.name, a.title, a.get_status_display(), a.eligible_costs)
                    for a in applications
                ],
            ),
            Section(
                "programme_application_documents",
                gettext_lazy("Documents on funding applications"),
                [
                    Field("application", gettext_lazy("Application")),
                    Field("name", gettext_lazy("File name")),
                    Field("uploaded_at", gettext_lazy("Uploaded"), "date"),
                ],
                [(doc.application.title, doc.name, doc.uploaded_at.date()) for doc in documents],
            ),
            Section(
                "substitute",
                gettext_lazy("Substitute employment"),
                [
                    Field("programme", gettext_lazy("Programme")),
                    Field("name", gettext_lazy("Name")),
                    Field("email", gettext_lazy("E-mail")),
                    Field("recruited_via", gettext_lazy("Recruited through")),
                    Field("unemployment_months", gettext_lazy("Unemployment before hiring (months)"), "dec"),
                    Field("benefit", gettext_lazy("Benefit when hired")),
                    Field("starts_on", gettext_lazy("Employed from"), "date"),
                    Field("ends_on", gettext_lazy("Employed until"), "date"),
                    Field("hours_per_week", gettext_lazy("Hours per week"), "dec"),
                    Field("unit", gettext_lazy("Unit")),
                    Field("placements", gettext_lazy("Placements"), "int"),
                    Field("outcome", gettext_lazy("Outcome")),
                ],
                [
                    (
                        s.programme.name,
                        s.name,
                        s.email,
                        s.get_recruited_via_display(),
                        s.unemployment_months,
                        s.get_benefit_display(),
                        s.starts_on,
                        s.ends_on,
                        s.hours_per_week,
                        s.unit.name,
                        getattr(s, "placement_count", 0),
                        s.get_outcome_display(),
                    )
                    for s in substitutes
                ],
            ),
        ]

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        ids = list(Substitute.objects.filter(_substitutes_q(person)).values_list("pk", flat=True))
        return substitutes_anonymise(ids, actor=actor) + documents_delete(person, actor=actor)


def substitutes_anonymise(ids: list[int], *, actor: Actor) -> int:
    """Blank the name and e-mail of substitutes (a former substitute's erasure request, or through the
    person registry); their hours, placements and outcome stay for the figures."""
    rows = list(Substitute.objects.filter(pk__in=ids, anonymised_at__isnull=True).select_related("programme"))
    now = timezone.now()
    for row in rows:
        Substitute.objects.filter(pk=row.pk).update(name=REDACTED, email="", anonymised_at=now)
        audit.record(
            "programmes.substitute.anonymised",
            actor=actor,
            object_type="programmes.substitute",
            object_id=str(row.pk),
            object_repr=REDACTED,
            municipality_id=row.programme.municipality_id,
        )
    return len(rows)


def documents_delete(person: Person, *, actor: Actor) -> int:
    """Delete the files on applications for the person (the application's figures stay)."""
    documents = list(
        ApplicationDocument.objects.filter(
            application__participant__employee_id=person.employee_id
        ).select_related("application__programme")
    )
    for doc in documents:
        doc.file.delete(save=False)
        audit.record(
            "programmes.application.document_deleted",
            actor=actor,
            object_type="programmes.applicationdocument",
            object_id=str(doc.pk),
            object_repr=REDACTED,
            municipality_id=doc.application.programme.municipality_id,
        )
        doc.delete()
    return len(documents)


def register() -> None:
    personal_data.register(ProgrammesData())


def export_for(person: Person) -> list[Section]:  # for tests and the API
    return ProgrammesData().export(person)


__all__: list[Any] = ["ProgrammesData", "documents_delete", "register", "substitutes_anonymise"]
