"""Invitations when a campaign opens, and reminders sent on demand to the participants who have not
answered. The messages are composed here and sent in the background after the transaction commits
(`kapabel.core.mail`); who was invited or reminded, and when, is kept on each assessment."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.assessments import permissions, selectors
from kapabel.assessments.models import Assessment, Campaign
from kapabel.core import audit, mail
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.organisation.models import OrgUnit


@dataclass(frozen=True)
class MailResult:
    """How many people a mailing went to, and how many it could not reach (no e-mail address)."""

    sent: int
    without_email: int


def _form_link(assessment_pk: int, base_url: str) -> str:
    return mail.link(
        reverse("assessments:assessment_form", kwargs={"assessment_pk": assessment_pk}), base_url
    )


def _where(link: str) -> str:
    if link:
        return _("Open your form here: %(link)s") % {"link": link}
    return _("Log in to Kapabel and find it under “My tasks” on the start page.")


def invitation(campaign: Campaign, *, name: str, unit: str, link: str) -> mail.Mail:
    """The invitation one participant gets (without the address; see `campaign_invitations_send`)."""
    values = {
        "name": name,
        "campaign": campaign.name,
        "unit": unit,
        "date": date_format(campaign.closes_on, "DATE_FORMAT"),
    }
    if campaign.kind == Campaign.Kind.LEADER_SURVEY:
        intro = _(
            "Dear %(name)s,\n\nyou are invited to answer the leader survey “%(campaign)s” for "
            "%(unit)s: how important each competence is for the unit now and in three years, and "
            "where the unit stands today. Please answer by %(date)s."
        )
    elif campaign.kind == Campaign.Kind.NEEDS_SURVEY:
        intro = _(
            "Dear %(name)s,\n\nyou are invited to answer the needs survey “%(campaign)s”: which "
            "competences you would like to develop, and a few open questions. Please answer by "
            "%(date)s."
        )
    else:
        intro = _(
            "Dear %(name)s,\n\nyou are invited to the competence clarification “%(campaign)s”. You "
            "assess your own competences; then your manager gives their assessment, and after a "
            "conversation you agree on your levels. Please give your answers by %(date)s."
        )
    paragraphs = [intro % values]
    if campaign.description.strip():
        paragraphs.append(campaign.description.strip())
    paragraphs.append(_where(link))
    return mail.Mail(
        to="",
        subject=_("Invitation: %(campaign)s") % {"campaign": campaign.name},
        body="\n\n".join(paragraphs),
    )


def participant_reminder(campaign: Campaign, *, name: str, link: str) -> mail.Mail:
    """The reminder a participant who has not answered gets (the daily job and on demand)."""
    close = date_format(campaign.closes_on, "DATE_FORMAT")
    body = _(
        "Dear %(name)s,\n\nyou have not yet submitted your answers in “%(campaign)s”. "
        "The campaign closes on %(date)s. Log in to Kapabel and find it under “My tasks”.\n"
    ) % {"name": name, "campaign": campaign.name, "date": close}
    if link:
        body += "\n" + _("Open your form here: %(link)s") % {"link": link} + "\n"
    return mail.Mail(
        to="",
        subject=_("Reminder: %(campaign)s closes on %(date)s") % {"campaign": campaign.name, "date": close},
        body=body,
    )


def _addressed(message: mail.Mail, to: str) -> mail.Mail:
    return mail.Mail(to=to, subject=message.subject, body=message.body)


@transaction.atomic
def campaign_invitations_send(
    *, campaign: Campaign, actor: Actor, base_url: str = "", today: datetime.date | None = None
) -> MailResult:
    """Invite every participant not yet invited, once the campaign is open for answers (not before
    its open date, not after it closed; `today` defaults to today). Called when a campaign that
    invites is created and by the daily job (`reminders_send`), which catches campaigns opening
    later."""
    if not campaign.is_open_for(campaign.participant_part, today):
        return MailResult(0, 0)
    waiting = list(
        Assessment.objects.select_for_update()
        .filter(campaign=campaign, invited_at__isnull=True)
        .values_list("pk", "employee__email", "employee__name", "unit__name")
    )
    if not waiting:
        return MailResult(0, 0)
    mails = []
    with translation.override(django_settings.LANGUAGE_CODE):
        for pk, email, name, unit in waiting:
            if email:
                message = invitation(campaign, name=name, unit=unit, link=_form_link(pk, base_url))
                mails.append(_addressed(message, email))
    Assessment.objects.filter(pk__in=[row[0] for row in waiting]).update(invited_at=timezone.now())
    mail.send_after_commit(mails)
    result = MailResult(sent=len(mails), without_email=len(waiting) - len(mails))
    audit.record(
        "assessments.campaign.invited",
        actor=actor,
        obj=campaign,
        changes={"invited": [0, result.sent], "without_email": [0, result.without_email]},
    )
    return result


@transaction.atomic
def campaign_remind(
    *, campaign: Campaign, actor: User, unit: OrgUnit | None = None, base_url: str = ""
) -> MailResult:
    """Remind, now, the participants who have not answered: those the acting user may remind (a
    campaign manager within their grant, a manager their own people), optionally those taking part
    for one unit. Refused when the campaign no longer takes answers."""
    reason = campaign.closed_reason(campaign.participant_part)
    if reason is not None:
        raise ValidationError(reason)
    permissions.require_remind(actor, campaign)
    waiting = list(
        selectors.remind_candidates(campaign, actor, unit.pk if unit else None).values_list(
            "pk", "employee__email", "employee__name"
        )
    )
    if not waiting:
        raise ValidationError(_("Everyone you may remind has already answered."))
    mails = []
    with translation.override(django_settings.LANGUAGE_CODE):
        for pk, email, name in waiting:
            if email:
                message = participant_reminder(campaign, name=name, link=_form_link(pk, base_url))
                mails.append(_addressed(message, email))
    Assessment.objects.filter(pk__in=[row[0] for row in waiting]).update(self_reminded_at=timezone.now())
    mail.send_after_commit(mails)
    result = MailResult(sent=len(mails), without_email=len(waiting) - len(mails))
    audit.record(
        "assessments.campaign.reminded",
        actor=actor,
        obj=campaign,
        changes={
            "participants": [0, result.sent],
            "without_email": [0, result.without_email],
            **({"unit": [None, unit.pk]} if unit is not None else {}),
        },
    )
    return result
