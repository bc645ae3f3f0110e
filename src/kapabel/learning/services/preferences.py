"""A person's language for learning e-mails and their calendar feed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.learning import permissions
from kapabel.learning.models import NotificationPreference
from kapabel.organisation.models import Employee


@transaction.atomic
def notification_preference_set(*, employee: Employee, language: str, actor: Actor) -> NotificationPreference:
    """Choose Danish or English for one's own learning e-mails (an administrator may set it too)."""
    if isinstance(actor, User) and permissions.booking_role(actor, employee) not in ("self", "admin"):
        raise PermissionDenied(_("Only the person can choose the language of their e-mails."))
    if language not in NotificationPreference.Language.values:
        raise ValidationError({"language": _("Choose Danish or English.")})
    preference, _created = NotificationPreference.objects.get_or_create(employee=employee)
    audit.update_audited(
        preference,
        fields=("language",),
        values={"language": language},
        action="learning.preference.changed",
        actor=actor,
        municipality_id=employee.municipality_id,
    )
    return preference
