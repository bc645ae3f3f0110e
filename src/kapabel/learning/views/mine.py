""" "Min læring": the person's requests, bookings with their history, calendar (with the personal feed),
progress towards a full education, and evidence."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kapabel.core.access import scope_for
from kapabel.learning import permissions, selectors_pages, services
from kapabel.learning.models import PENDING_STATUSES, CalendarFeed
from kapabel.learning.views._common import request_user
from kapabel.organisation.models import Employee


def _me(request: HttpRequest) -> Employee:
    scope = scope_for(request.user)
    if scope.employee_id is None:
        raise PermissionDenied
    return permissions.get_employee_for_user(request_user(request), scope.employee_id)


def feed_urls(request: HttpRequest, feed: CalendarFeed) -> dict[str, str]:
    """The absolute address of the person's feed and where to renew its secret."""
    return {
        "feed_url": request.build_absolute_uri(
            reverse("learning:calendar_feed", kwargs={"token": feed.token})
        ),
        "renew_url": reverse("learning:calendar_renew"),
    }


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    me = _me(request)
    enrolments = selectors_pages.my_enrolments(user, me.pk)
    requests = [e for e in enrolments if e.status in PENDING_STATUSES]
    feed = services.calendar_feed_get_or_create(employee=me, actor=user)
    return render(
        request,
        "learning/mine.html",
        {
            "me": me,
            "requests": requests,
            "bookings": [e for e in enrolments if e.status not in PENDING_STATUSES],
            "calendar": selectors_pages.my_calendar(user, me.pk),
            **feed_urls(request, feed),
            "educations": selectors_pages.my_educations(me),
            "evidence": selectors_pages.my_evidence(user, me.pk),
            "cancellable": selectors_pages.cancellable(enrolments),
        },
    )
