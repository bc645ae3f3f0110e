"""The one way a single sign-on attempt fails: `SsoRefused`, with a short reason for the log (what
was wrong, never the attributes themselves) and a sentence for the person, in their language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

GENERIC = _(
    "The login could not be completed. Try again from the login page; if it keeps failing, "
    "contact your municipality's IT support and tell them the time."
)


class SsoRefused(Exception):
    def __init__(self, reason: str, message: str | Promise = GENERIC, *, status: int = 403):
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.status = status


LOW_ASSURANCE = _(
    "Your login was not strong enough for Kapabel (NSIS assurance level). Log in again with a "
    "stronger method, e.g. MitID Erhverv with a code app or a chip, and try again."
)
NO_ACCOUNT = _(
    "You logged in, but Kapabel does not know you as an employee of this municipality. Ask your HR "
    "department or Kapabel administrator to check your employee record."
)
ACCOUNT_DISABLED = _("Your Kapabel account is closed. Contact your Kapabel administrator.")
PROVIDER_UNAVAILABLE = _(
    "The login service could not be reached. Try again in a few minutes; if it keeps failing, "
    "contact your municipality's IT support."
)
