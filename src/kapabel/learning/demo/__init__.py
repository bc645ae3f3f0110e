"""Demo step (order 50, after the gap rebuild at 40): the demo municipality's learning, built through
the learning services.

The catalogue (`catalogue.py`): six providers, akademi and diplom modules, a Kommunom-like education,
the ERP process-adviser education, jobcentre courses in their categories and internal learning, each
linked to competences of the starter frameworks with an expected gain. Cohorts (`cohorts.py`, with the
helpers in `builder.py`): past ones that ran, with attendance, results and evidence that a manager or
HR confirmed (so some current levels now come from evidence); a finished education whose exam
results are pending; future ones with bookings, requests waiting for the manager (`leder`) and HR, a
full cohort with a waiting list, a cancelled cohort, an offer with an interest list and no cohort yet;
internal pairings between colleagues. The demo employee (`medarbejder`) has a booking and a request.

A past cohort is created without dates, people are booked onto it, then its (past) sessions are
entered: the services refuse to book onto a cohort that has started, and so would a real HR consultant.
Every cohort meets on its own weekdays, so nobody is booked on two cohorts meeting at once.

The gap upkeep is suspended for the whole demo (step 0) and step 40 rebuilt the aggregates before this
step ran, so this step rebuilds the demo municipality's aggregates once more after confirming evidence.
Everything runs in one transaction (one commit: fast on SQLite) and is deterministic for a seed; dates
are relative to today."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count

from kapabel.core.demo import DemoContext
from kapabel.gaps import upkeep
from kapabel.learning import events
from kapabel.learning.demo.builder import Builder
from kapabel.learning.demo.cohorts import build
from kapabel.learning.models import Enrolment, EnrolmentStatus, EnrolmentStatusChange, Evidence


def build_learning(ctx: DemoContext) -> None:
    municipality = ctx.data.get("municipality")
    if municipality is None:
        return
    # The demo writes history: nobody is e-mailed about it (the console would print hundreds of mails).
    with transaction.atomic(), events.muted():
        builder = Builder(ctx, municipality)
        build(builder)
        upkeep.rebuild(municipality.pk)
    ctx.data["learning"] = {"offers": builder.offers, "cohorts": builder.cohorts}
    counts = Counter(
        dict(
            Enrolment.objects.filter(cohort__offer__municipality=municipality)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    requested = EnrolmentStatusChange.objects.filter(
        enrolment__cohort__offer__municipality=municipality, to_status=EnrolmentStatus.REQUESTED
    ).count()
    evidence = Evidence.objects.filter(employee__municipality=municipality)
    ctx.report.append(
        f"Læring: {len(builder.offers)} tilbud, {len(builder.cohorts)} hold, "
        f"{sum(counts.values())} tilmeldinger ({requested} anmodninger), "
        f"{evidence.count()} beviser, {evidence.filter(confirmed_at__isnull=False).count()} bekræftet"
    )
    ctx.report.append(
        "  " + ", ".join(f"{status}={counts.get(status, 0)}" for status in EnrolmentStatus.values)
    )
