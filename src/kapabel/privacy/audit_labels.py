"""Data protection's actions in words, for the audit log page (kapabel.core.audit.present)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "privacy.person.viewed": _("Opened what Kapabel holds about a person"),
    "privacy.person.exported": _("Exported a person's data"),
    "privacy.retention_rule.created": _("Set a retention rule"),
    "privacy.retention.run": _("Ran the retention rules"),
}
