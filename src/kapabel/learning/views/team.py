"""The manager's pages: the approval queue and the team calendar."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kapabel.core.access import scope_for
from kapabel.learning import selectors_admin
from kapabel.learning.views._common import municipality, request_user

PAGE_SIZE = 50


def _require_reader(request: HttpRequest) -> None:
    if not scope_for(request.user).reads_people:
        raise PermissionDenied


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """Requests waiting for approval, oldest first, with approve and decline where this user decides
    the step; the others (waiting for HR, say) are shown for information."""
    user = request_user(request)
    _require_reader(request)
    place = municipality(request)
    page = Paginator(selectors_admin.approvals(user, place.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors_admin.approval_rows(user, page.object_list)
    return render(
        request,
        "learning/approvals.html",
        {"page": page, "rows": rows, "deciding": sum(1 for r in rows if r.can_decide)},
    )


@login_required
def team_calendar(request: HttpRequest) -> HttpResponse:
    """The coming weeks' sessions that the user's people are booked on, week by week."""
    user = request_user(request)
    _require_reader(request)
    place = municipality(request)
    weeks = request.GET.get("weeks", "")
    count = min(int(weeks), 52) if weeks.isdigit() and int(weeks) > 0 else 8
    return render(
        request,
        "learning/team_calendar.html",
        {"weeks": selectors_admin.team_calendar(user, place.pk, weeks=count), "count": count},
    )
