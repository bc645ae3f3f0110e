"""Reminders of application deadlines: an e-mail to the programme coordinators of the municipality when
a draft's deadline (the last day of the scheme's application window) is within `days_before` days, once
per application (`reminded_at`). Run daily with `kapabel programme-reminders`."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.core.models import Role
from kapabel.organisation.models import RoleAssignment
from kapabel.programmes import rules
from kapabel.programmes.models import Application, ParameterKey
from kapabel.programmes.selectors.schemes import all_params

DAYS_BEFORE = 14


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None, days_before: int = DAYS_BEFORE) -> int:
    """Send the reminders due; returns how many applications were reminded."""
    today = today or timezone.localdate()
    params = all_params()
    drafts = list(
        Application.objects.select_for_update(of=("self",))
        .filter(status=Application.Status.DRAFT, reminded_at__isnull=True, education_starts_on__gte=today)
        .select_related("programme")
    )
    due: list[tuple[Application, datetime.date]] = []
    for application in drafts:
        rows = params.get(application.scheme_id, [])
        start = application.education_starts_on
        months = rules.param_at(rows, ParameterKey.WINDOW_MONTHS_BEFORE, start)
        days = rules.param_at(rows, ParameterKey.WINDOW_DAYS_BEFORE, start)
        if months is None or days is None:
            continue
        _first, last = rules.application_window(start, int(months), int(days))
        if today <= last <= today + datetime.timedelta(days=days_before):
            due.append((application, last))
    coordinators: dict[int, list[str]] = defaultdict(list)
    municipalities = {a.programme.municipality_id for a, _last in due}
    for municipality_id, email in RoleAssignment.objects.filter(
        role=Role.COORDINATOR, municipality_id__in=municipalities
    ).values_list("municipality_id", "user__email"):
        if email:
            coordinators[municipality_id].append(email)
    with get_connection() as connection:
        for application, last in due:
            recipients = sorted(set(coordinators.get(application.programme.municipality_id, [])))
            if not recipients:
                continue
            subject = _("The application “%(title)s” must be sent by %(date)s") % {
                "title": application.title,
                "date": date_format(last, "SHORT_DATE_FORMAT"),
            }
            body = _(
                "The application is still a draft in the programme %(programme)s. Open Kapabel, check the "
                "amounts and the signatures needed, and submit it before the deadline."
            ) % {"programme": application.programme.name}
            EmailMessage(subject=subject, body=body, to=recipients, connection=connection).send()
    Application.objects.filter(pk__in=[a.pk for a, _last in due]).update(reminded_at=timezone.now())
    return len(due)
