"""Reminder e-mails: to participants who have not answered and to managers with pending
assessments, once each per campaign, in the days before the close date."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings as django_settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.assessments import selectors
from kapabel.assessments.models import Assessment, AssessmentSettings, Campaign, Part
from kapabel.assessments.services.mailing import campaign_invitations_send, participant_reminder
from kapabel.core import audit, mail
from kapabel.organisation.models import OrgUnit


def _nearest_managers(
    municipality_id: int,
) -> Callable[[OrgUnit | None, str, int], list[tuple[int, str, str]]]:
    links: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for unit_id, employee_id, email, name in OrgUnit.managers.through.objects.filter(
        orgunit__municipality_id=municipality_id, orgunit__active=True, employee__active=True
    ).values_list("orgunit_id", "employee_id", "employee__email", "employee__name"):
        links[unit_id].append((employee_id, email, name))

    def find(_unit: OrgUnit | None, path: str, employee_id: int) -> list[tuple[int, str, str]]:
        for unit_id in reversed([int(p) for p in path.strip("/").split("/") if p]):
            managers = [m for m in links.get(unit_id, []) if m[0] != employee_id]
            if managers:
                return managers
        return []

    return find


def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send the reminder e-mails due today: to participants who have not submitted and to managers with
    pending assessments, once each per campaign, starting N days before the close date. First, the
    invitations of campaigns that have opened (`campaign_invitations_send`)."""
    today = today or timezone.localdate()
    sent = {"participants": 0, "managers": 0, "campaigns": 0, "invited": 0}
    # Campaigns that invite and have opened: invite whoever has not been invited yet (a campaign
    # that opened since yesterday, or one whose invitations could not be sent when it was created).
    for campaign in selectors.campaigns_to_invite(today):
        sent["invited"] += campaign_invitations_send(campaign=campaign, actor=None, today=today).sent
    settings_by_municipality: dict[int, AssessmentSettings] = {}
    connection = get_connection()
    with translation.override(django_settings.LANGUAGE_CODE):
        for campaign in selectors.due_for_reminder(today):
            options = settings_by_municipality.setdefault(
                campaign.municipality_id, selectors.settings_for(campaign.municipality_id)
            )
            if not options.reminders_enabled:
                continue
            days = campaign.reminder_days_before_close
            days = options.reminder_days_before_close if days is None else days
            if today < campaign.closes_on - datetime.timedelta(days=days):
                continue
            counts = _remind_campaign(campaign, connection)
            if counts["participants"] or counts["managers"]:
                sent["campaigns"] += 1
                sent["participants"] += counts["participants"]
                sent["managers"] += counts["managers"]
    return sent


@transaction.atomic
def _remind_campaign(campaign: Campaign, connection: BaseEmailBackend) -> dict[str, int]:
    now = timezone.now()
    close = date_format(campaign.closes_on, "DATE_FORMAT")
    messages: list[EmailMessage] = []
    waiting = list(
        Assessment.objects.filter(
            campaign=campaign, self_submitted_at__isnull=True, self_reminded_at__isnull=True
        )
        .exclude(employee__email="")
        .values_list("pk", "employee__email", "employee__name")
    )
    for pk, email, name in waiting:
        link = mail.link(reverse("assessments:assessment_form", kwargs={"assessment_pk": pk}))
        message = participant_reminder(campaign, name=name, link=link)
        messages.append(
            EmailMessage(subject=message.subject, body=message.body, to=[email], connection=connection)
        )
    Assessment.objects.filter(pk__in=[pk for pk, _e, _n in waiting]).update(self_reminded_at=now)
    managers_sent = 0
    if campaign.has_part(Part.MANAGER):
        pending = list(
            Assessment.objects.filter(
                campaign=campaign, agreed_at__isnull=True, manager_reminded_at__isnull=True
            ).values_list("pk", "employee_id", "employee__unit__path")
        )
        find = _nearest_managers(campaign.municipality_id)
        per_manager: dict[tuple[int, str, str], int] = defaultdict(int)
        for _pk, employee_id, path in pending:
            for manager in find(None, path, employee_id):
                per_manager[manager] += 1
        for (_mid, email, name), count in sorted(per_manager.items()):
            if not email:
                continue
            messages.append(
                EmailMessage(
                    subject=_("Reminder: assessments pending in %(campaign)s") % {"campaign": campaign.name},
                    body=_(
                        "Dear %(name)s,\n\n%(count)d of your employees still await your assessment or "
                        "the agreed level in “%(campaign)s”, which closes on %(date)s. Log in to Kapabel "
                        "and find them under “My tasks”.\n"
                    )
                    % {"name": name, "count": count, "campaign": campaign.name, "date": close},
                    to=[email],
                    connection=connection,
                )
            )
            managers_sent += 1
        Assessment.objects.filter(pk__in=[pk for pk, _e, _p in pending]).update(manager_reminded_at=now)
    if messages:
        connection.send_messages(messages)
        audit.record(
            "assessments.campaign.reminded",
            actor=None,
            obj=campaign,
            changes={"participants": [0, len(waiting)], "managers": [0, managers_sent]},
        )
    return {"participants": len(waiting), "managers": managers_sent}
