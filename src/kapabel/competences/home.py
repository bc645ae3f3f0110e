"""Co-creation on the start page (registered in `CompetencesConfig.ready()`): for editors the open
consultations with proposals awaiting their decision; for participants a task per draft they were
invited to comment on."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kapabel.competences import permissions, selectors
from kapabel.core.access import AccessScope
from kapabel.core.home import HomeSection, register
from kapabel.core.models import User


def tasks_for_user(user: User) -> list[dict[str, Any]]:
    """ "My tasks": drafts the user was invited to comment on and has not commented on yet."""
    tasks = []
    for consultation in selectors.consultations_to_answer(user)[:10]:
        label = (
            _("Comment on the draft “%(subject)s” by %(date)s")
            % {"subject": consultation, "date": date_format(consultation.closes_on, "SHORT_DATE_FORMAT")}
            if consultation.closes_on
            else _("Comment on the draft “%(subject)s”") % {"subject": consultation}
        )
        tasks.append(
            {
                "href": reverse(
                    "competences:consultation_detail", kwargs={"consultation_pk": consultation.pk}
                ),
                "label": label,
                "note": _("Consultation"),
            }
        )
    return tasks


def _awaiting(request: HttpRequest, scope: AccessScope) -> dict[str, Any] | None:
    user: User = request.user  # type: ignore[assignment]  # behind login_required
    if not permissions.can_author_anything(user):
        return None
    return {"consultations_awaiting": selectors.consultations_awaiting(user)}


def register_sections() -> None:
    register(
        HomeSection("competences.consultations", "competences/home/consultations.html", _awaiting, order=40)
    )
