"""Core's own actions in words (the audit log page); each app names its own the same way."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "core.token.created": _("Created an API token"),
    "core.token.revoked": _("Revoked an API token"),
    "core.role.granted": _("Granted a role"),
    "core.role.revoked": _("Revoked a role"),
    "core.person.anonymised": _("Anonymised a person"),
}
