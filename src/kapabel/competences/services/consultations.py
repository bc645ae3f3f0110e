"""Co-creation: a draft framework version or profile opened for comments to chosen people, who may
propose changed targets that the owner accepts or rejects."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kapabel.competences import permissions
from kapabel.competences.models import (
    Comment,
    Competence,
    Consultation,
    FrameworkVersion,
    Importance,
    Profile,
)
from kapabel.competences.services.common import check_level, require_draft, require_draft_profile
from kapabel.competences.services.profiles import profile_set_targets
from kapabel.core import audit, mail
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.organisation.models import Employee


@transaction.atomic
def consultation_open(
    *,
    actor: Actor,
    participants: Sequence[Employee],
    framework_version: FrameworkVersion | None = None,
    profile: Profile | None = None,
    message: str = "",
    closes_on: datetime.date | None = None,
    base_url: str = "",
) -> Consultation:
    """Open a draft framework version or profile for comments to chosen managers and employees, and
    invite each of them by e-mail (sent after the commit; people without an address are not)."""
    if (framework_version is None) == (profile is None):
        raise ValidationError(_("Open a consultation on either a framework version or a profile."))
    if framework_version is not None:
        require_draft(framework_version)
        municipality_id = framework_version.framework.municipality_id
        if municipality_id is None:
            raise ValidationError(_("National frameworks are not opened for comments here."))
    else:
        assert profile is not None
        require_draft_profile(profile)
        municipality_id = profile.municipality_id
    if not participants:
        raise ValidationError({"participants": _("Choose at least one participant.")})
    if any(p.municipality_id != municipality_id for p in participants):
        raise ValidationError(
            {"participants": _("Participants must be employed in the owning municipality.")}
        )
    if isinstance(actor, User):
        unseen = len(permissions.employees_outside_view(actor, participants))
        if unseen:
            raise ValidationError(
                {
                    "participants": ngettext(
                        "%(count)d of the chosen participants is outside the people you may see. "
                        "Invite people within your part of the organisation.",
                        "%(count)d of the chosen participants are outside the people you may see. "
                        "Invite people within your part of the organisation.",
                        unseen,
                    )
                    % {"count": unseen}
                }
            )
    consultation = Consultation(
        framework_version=framework_version,
        profile=profile,
        municipality_id=municipality_id,
        message=message,
        closes_on=closes_on,
        opened_by=actor if isinstance(actor, User) else None,
    )
    consultation.full_clean()
    consultation.save()
    consultation.participants.set(participants)
    invitations = _invitations(consultation, participants, actor, base_url)
    mail.send_after_commit(invitations)
    audit.record(
        "competences.consultation.opened",
        actor=actor,
        obj=consultation,
        changes={
            "participants": [None, sorted(p.pk for p in participants)],
            "invited": [0, len(invitations)],
        },
    )
    return consultation


def _invitations(
    consultation: Consultation, participants: Sequence[Employee], actor: Actor, base_url: str
) -> list[mail.Mail]:
    """One invitation to comment per participant with an e-mail address, in the installation's
    language."""
    path = reverse("competences:consultation_detail", kwargs={"consultation_pk": consultation.pk})
    link = mail.link(path, base_url)
    opener = actor.get_full_name() or actor.get_username() if isinstance(actor, User) else ""
    mails = []
    with translation.override(django_settings.LANGUAGE_CODE):
        subject = _("Invitation to comment: %(subject)s") % {"subject": consultation}
        for person in participants:
            if not person.email:
                continue
            values = {
                "name": person.name,
                "subject": consultation,
                "opener": opener or _("Your municipality"),
                "date": date_format(consultation.closes_on, "DATE_FORMAT") if consultation.closes_on else "",
            }
            if consultation.closes_on:
                intro = _(
                    "Dear %(name)s,\n\n%(opener)s has opened the draft “%(subject)s” for comments and "
                    "invites you to give yours by %(date)s."
                )
            else:
                intro = _(
                    "Dear %(name)s,\n\n%(opener)s has opened the draft “%(subject)s” for comments and "
                    "invites you to give yours."
                )
            paragraphs = [intro % values]
            if consultation.message.strip():
                paragraphs.append(consultation.message.strip())
            paragraphs.append(
                _("Read the draft and comment here: %(link)s") % {"link": link}
                if link
                else _("Log in to Kapabel and find the draft under “Consultations”.")
            )
            mails.append(mail.Mail(to=person.email, subject=subject, body="\n\n".join(paragraphs)))
    return mails


@transaction.atomic
def consultation_close(*, consultation: Consultation, actor: Actor) -> Consultation:
    if consultation.closed_at is None:
        consultation.closed_at = timezone.now()
        consultation.save(update_fields=["closed_at"])
        audit.record(
            "competences.consultation.closed",
            actor=actor,
            obj=consultation,
            changes={"closed": [False, True]},
        )
    return consultation


@transaction.atomic
def comment_add(
    *,
    consultation: Consultation,
    author: Actor,
    body: str,
    competence: Competence | None = None,
    proposed_target_level: int | None = None,
    proposed_importance: str = "",
) -> Comment:
    if not consultation.is_open or (consultation.closes_on and consultation.closes_on < timezone.localdate()):
        raise ValidationError(_("The consultation is closed; comments are no longer accepted."))
    if competence is not None and competence.version_id != consultation.subject_version.pk:
        raise ValidationError({"competence": _("The competence is not part of what is being discussed.")})
    proposes = proposed_target_level is not None or bool(proposed_importance)
    if proposes:
        if consultation.profile is None:
            raise ValidationError(_("Target changes can only be proposed for a profile."))
        if competence is None:
            raise ValidationError({"competence": _("Choose the competence your proposal is about.")})
        if proposed_target_level is not None:
            check_level(competence, proposed_target_level)
    if not body.strip():
        raise ValidationError({"body": _("Write a comment.")})
    comment = Comment(
        consultation=consultation,
        competence=competence,
        author=author if isinstance(author, User) else None,
        author_label=(author.get_full_name() or author.get_username())
        if isinstance(author, User)
        else audit.actor_label(author),
        body=body.strip(),
        proposed_target_level=proposed_target_level,
        proposed_importance=proposed_importance,
        decision=Comment.Decision.PENDING if proposes else Comment.Decision.NONE,
    )
    comment.full_clean(exclude=["author"])
    comment.save()
    audit.record(
        "competences.comment.added",
        actor=author,
        obj=comment,
        municipality_id=consultation.municipality_id,
        changes={"proposal": [None, [proposed_target_level, proposed_importance]]},
    )
    return comment


@transaction.atomic
def comment_decide(*, comment: Comment, accept: bool, actor: Actor, note: str = "") -> Comment:
    """The owner accepts a proposed target change (which then changes the draft profile) or rejects it."""
    if comment.decision != Comment.Decision.PENDING:
        raise ValidationError(_("This comment has no proposal awaiting a decision."))
    profile = comment.consultation.profile
    assert profile is not None and comment.competence is not None
    if accept:
        current = profile.targets.filter(competence=comment.competence).first()
        level = comment.proposed_target_level or (current.target_level if current else None)
        if level is None:
            raise ValidationError(_("The proposal has no target level and the profile has none to keep."))
        importance = comment.proposed_importance or (current.importance if current else Importance.IMPORTANT)
        profile_set_targets(profile=profile, targets=[(comment.competence, level, importance)], actor=actor)
    comment.decision = Comment.Decision.ACCEPTED if accept else Comment.Decision.REJECTED
    comment.decided_by = actor if isinstance(actor, User) else None
    comment.decided_at = timezone.now()
    comment.decision_note = note
    comment.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    audit.record(
        "competences.comment.decided",
        actor=actor,
        obj=comment,
        municipality_id=comment.consultation.municipality_id,
        changes={"decision": [Comment.Decision.PENDING, comment.decision]},
    )
    return comment
