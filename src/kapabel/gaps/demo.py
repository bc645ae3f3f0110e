"""Demo step (order 40): build the gap aggregates for whatever profiles and ratings the earlier
steps (organisation 10, frameworks 20, campaigns 30) created. Harmless when there are none."""

from __future__ import annotations

from kapabel.core.demo import DemoContext
from kapabel.core.models import Municipality
from kapabel.gaps import upkeep


def suspend_upkeep(ctx: DemoContext) -> None:
    """Step 0: the demo writes people, profiles and ratings in bulk; `build_gaps` rebuilds once."""
    ctx.stack.enter_context(upkeep.suspended())


def build_gaps(ctx: DemoContext) -> None:
    facts = 0
    for municipality_id in Municipality.objects.values_list("id", flat=True):
        facts += upkeep.rebuild(municipality_id)
    ctx.report.append(f"Gap analysis: {facts} person × competence rows")
