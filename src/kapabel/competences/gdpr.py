"""What the competence frameworks hold about a person (kapabel.core.personal_data): their individual
targets, the consultations they were invited to, and the comments they wrote there.

Anonymising keeps the targets (the gap statistics use them) without their notes, and keeps the
comments' proposals and decisions (the framework's history) with the text and the author's name
blanked; other comments that mention the person are scrubbed."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy

from kapabel.competences.models import Comment, Consultation, IndividualTarget
from kapabel.core.audit import Actor
from kapabel.core.personal_data import REDACTED, Field, Person, Section


class CompetencesData:
    key = "competences"
    title = gettext_lazy("Competence targets and consultations")

    def export(self, person: Person) -> list[Section]:
        targets = (
            IndividualTarget.objects.filter(employee_id=person.employee_id)
            .select_related("competence", "framework_version__framework")
            .order_by("framework_version_id", "competence__code", "competence_id")
        )
        consultations = (
            Consultation.objects.filter(participants=person.employee_id)
            .select_related("profile", "framework_version__framework")
            .order_by("opened_at")
        )
        comments = (
            Comment.objects.filter(author_id=person.user_id)
            .select_related("competence")
            .order_by("created_at")
            if person.user_id
            else Comment.objects.none()
        )
        return [
            Section(
                "individual_targets",
                gettext_lazy("Individual targets"),
                [
                    Field("framework", gettext_lazy("Framework")),
                    Field("competence", gettext_lazy("Competence")),
                    Field("target_level", gettext_lazy("Target level"), "int"),
                    Field("importance", gettext_lazy("Importance")),
                    Field("note", gettext_lazy("Note")),
                    Field("updated", gettext_lazy("Updated"), "date"),
                ],
                [
                    [
                        str(t.framework_version),
                        str(t.competence),
                        t.target_level,
                        t.get_importance_display(),
                        t.note,
                        t.updated_at,
                    ]
                    for t in targets
                ],
            ),
            Section(
                "consultations",
                gettext_lazy("Consultations the person was invited to"),
                [
                    Field("subject", gettext_lazy("Subject")),
                    Field("opened", gettext_lazy("Opened"), "date"),
                    Field("closes_on", gettext_lazy("Closes on"), "date"),
                ],
                [[str(c), c.opened_at, c.closes_on] for c in consultations],
            ),
            Section(
                "consultation_comments",
                gettext_lazy("Comments the person wrote in consultations"),
                [
                    Field("competence", gettext_lazy("Competence")),
                    Field("comment", gettext_lazy("Comment")),
                    Field("proposed_target_level", gettext_lazy("Proposed target level"), "int"),
                    Field("proposed_importance", gettext_lazy("Proposed importance")),
                    Field("decision", gettext_lazy("Decision")),
                    Field("written", gettext_lazy("Written"), "date"),
                ],
                [
                    [
                        str(c.competence) if c.competence else "",
                        c.body,
                        c.proposed_target_level,
                        c.get_proposed_importance_display() if c.proposed_importance else "",
                        c.get_decision_display() if c.decision else "",
                        c.created_at,
                    ]
                    for c in comments
                ],
            ),
        ]

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        changed = (
            IndividualTarget.objects.filter(employee_id=person.employee_id).exclude(note="").update(note="")
        )
        if person.user_id is not None:
            changed += Comment.objects.filter(author_id=person.user_id).update(
                author_label=person.anonymised_username, body=REDACTED
            )
        # Others' comments and decision notes in the municipality that mention the person.
        mentions = Q()
        for needle in person.needles:
            mentions |= (
                Q(body__icontains=needle) | Q(decision_note__icontains=needle) | Q(author_label=needle)
            )
        if mentions:
            for comment in Comment.objects.filter(
                mentions, consultation__municipality_id=person.municipality_id
            ):
                body, note = person.scrub(comment.body), person.scrub(comment.decision_note)
                label = person.scrub(comment.author_label)
                if (body, note, label) != (comment.body, comment.decision_note, comment.author_label):
                    Comment.objects.filter(pk=comment.pk).update(
                        body=body, decision_note=note, author_label=label
                    )
                    changed += 1
        return changed
