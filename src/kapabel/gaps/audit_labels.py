"""The gap analysis's actions in words, for the audit log page (kapabel.core.audit.present)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "gaps.settings.updated": _("Changed the gap analysis settings"),
    "gaps.person.viewed": _("Opened a person's competence profile"),
}
