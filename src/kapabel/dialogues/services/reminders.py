"""Reminders of plan follow-ups: an e-mail to the person and the manager a week before the date,
once per follow-up (`reminded_at`). Run daily with `kapabel dialogue-reminders`."""

from __future__ import annotations

import datetime

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.dialogues.models import FollowUp, Plan
from kapabel.dialogues.services.cycles import nearest_manager

DAYS_BEFORE = 7


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None, days_before: int = DAYS_BEFORE) -> int:
    """Send the reminders due; returns how many follow-ups were reminded. The e-mail names the date
    only, never what the plan says."""
    today = today or timezone.localdate()
    due = list(
        FollowUp.objects.select_for_update(of=("self",))
        .filter(
            done_at__isnull=True,
            reminded_at__isnull=True,
            due_on__lte=today + datetime.timedelta(days=days_before),
            plan__status=Plan.Status.ACTIVE,
        )
        .select_related("plan__employee__unit")
    )
    with get_connection() as connection:
        for follow_up in due:
            employee = follow_up.plan.employee
            manager = nearest_manager(employee)
            recipients = [e.email for e in (employee, manager) if e is not None and e.email]
            if not recipients:
                continue
            subject = _("Follow-up of the development plan of %(name)s on %(date)s") % {
                "name": employee.name,
                "date": date_format(follow_up.due_on, "SHORT_DATE_FORMAT"),
            }
            body = _(
                "It is time to follow up the development plan. Open Kapabel to see the plan and record what "
                "came of it."
            )
            EmailMessage(subject=subject, body=body, to=recipients, connection=connection).send()
    FollowUp.objects.filter(pk__in=[f.pk for f in due]).update(reminded_at=timezone.now())
    return len(due)
