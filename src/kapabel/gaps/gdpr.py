"""What the gap analysis holds about a person (kapabel.core.personal_data): one row per target
competence with the target, the current level and the gap.

Nothing to anonymise: the rows hold no name or free text, only the employee's id, unit, job role and
figures, which is what keeps the unit and municipality figures the same after anonymisation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from kapabel.core.audit import Actor
from kapabel.core.personal_data import Field, Person, Section
from kapabel.gaps.models import GapFact


class GapsData:
    key = "gaps"
    title = gettext_lazy("Gap analysis")

    def export(self, person: Person) -> list[Section]:
        facts = (
            GapFact.objects.filter(employee_id=person.employee_id)
            .select_related("competence")
            .order_by("competence__code", "competence_id")
        )
        return [
            Section(
                "gaps",
                gettext_lazy("Targets, levels and gaps"),
                [
                    Field("competence", gettext_lazy("Competence")),
                    Field("target_level", gettext_lazy("Target level"), "int"),
                    Field("target_source", gettext_lazy("Target from")),
                    Field("importance", gettext_lazy("Importance")),
                    Field("level", gettext_lazy("Current level"), "int"),
                    Field("gap", gettext_lazy("Gap"), "int"),
                ],
                [
                    [
                        str(f.competence),
                        f.target_level,
                        f.get_target_source_display(),
                        f.get_importance_display(),
                        f.level,
                        f.gap,
                    ]
                    for f in facts
                ],
            )
        ]

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        return 0
