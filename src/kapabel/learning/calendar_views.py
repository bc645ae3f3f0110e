"""A person's calendar feed (no login: the secret token in the URL is the key) and renewing it."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kapabel.core.access import scope_for
from kapabel.core.models import User
from kapabel.core.web import post_only
from kapabel.learning import calendar, permissions, services


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's learning calendar (RFC 5545); an unknown or renewed-away token is 404."""
    found = calendar.feed_for_token(token)
    if found is None:
        raise Http404
    employee = found.employee
    with translation.override(calendar.feed_language(employee)):
        body = calendar.to_ical(
            calendar.person_events(employee),
            name=_("Learning: %(name)s") % {"name": employee.name},
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kapabel-learning.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@post_only
def feed_renew(request: HttpRequest) -> HttpResponse:
    """Issue a new secret for one's own feed; the old URL stops working at once."""
    employee_id = scope_for(request.user).employee_id
    if employee_id is None:
        raise Http404
    employee = permissions.get_employee_for_user(request.user, employee_id)
    services.calendar_feed_renew(employee=employee, actor=cast(User, request.user))
    messages.success(request, _("Your calendar has a new address. Subscribe again with the new link."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)
