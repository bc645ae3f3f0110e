"""The catalogue, the offer page and the cohort page, and the person's own actions from them
(register interest, request a place)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kapabel.core.access import scope_for
from kapabel.core.web import is_htmx, require_post
from kapabel.learning import permissions, selectors_catalogue, selectors_pages, services
from kapabel.learning.forms import CatalogueForm, facet_selects
from kapabel.learning.models import Cohort, Enrolment, EnrolmentStatus, Offer
from kapabel.learning.services.cohorts import COHORT_STATUS_MOVES
from kapabel.learning.views._common import municipality, post_action, request_user

PAGE_SIZE = 20
# The button that moves a cohort to a status, named by what it does.
STATUS_MOVE_LABELS: dict[str, Any] = {
    Cohort.Status.OPEN: gettext_lazy("Open registration"),
    Cohort.Status.PLANNED: gettext_lazy("Close registration"),
    Cohort.Status.RUNNING: gettext_lazy("Mark as running"),
    Cohort.Status.COMPLETED: gettext_lazy("Mark as completed"),
}


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """Search and facets over the municipality's active offers. One view serves the page and the
    HTMX fragment (facets with their counts and the results) that the filters refresh."""
    user = request_user(request)
    place = municipality(request)
    form = CatalogueForm(request.GET)
    search, filters, sort = form.search(), form.filters(place.pk), form.ordering()
    offers = selectors_catalogue.catalogue(user, search=search, filters=filters, sort=sort)
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    facets = selectors_catalogue.catalogue_facets(user, search=search, filters=filters)
    chosen = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "form": form,
        "search": search,
        "sort": sort,
        "page": page,
        "facets": facet_selects(facets),
        "filtered": bool(chosen),
        "query_base": urlencode(chosen),
    }
    if is_htmx(request):
        return render(request, "learning/catalogue.html#region", {**context, "htmx": True})
    return render(request, "learning/catalogue.html", context)


@login_required
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = request_user(request)
    offer = permissions.get_offer_for_user(user, offer_id)
    scope = scope_for(user)
    mine = _own_employee_id(user, offer)
    cohorts = selectors_pages.upcoming_cohorts(offer)
    fills = selectors_pages.cohort_fills(cohorts)
    own = selectors_pages.my_enrolments_on(mine, [c.pk for c in cohorts])
    details = selectors_pages.offer_page(offer, mine)
    return render(
        request,
        "learning/offer_detail.html",
        {
            "offer": offer,
            **details,
            "cohorts": [
                {
                    "cohort": c,
                    "fill": fills[c.pk],
                    "mine": own.get(c.pk),
                    "open": c.status == Cohort.Status.OPEN,
                }
                for c in cohorts
            ],
            "can_request": mine is not None,
            "can_register_interest": mine is not None and not details["interested"] and not cohorts,
            "can_book_others": permissions.can_book_others(user, offer.municipality_id),
            "can_admin": permissions.can_administer_learning(user, offer.municipality_id),
            "is_employee": scope.employee_id is not None,
        },
    )


def _own_employee_id(user: object, offer: Offer | Cohort) -> int | None:
    """The user's own employee id if they work in the municipality of the offer (or cohort)."""
    scope = scope_for(user)  # type: ignore[arg-type]  # a signed-in User
    municipality_id = offer.municipality_id if isinstance(offer, Offer) else offer.offer.municipality_id
    return scope.employee_id if scope.employee_municipality_id == municipality_id else None


@login_required
def interest_register(request: HttpRequest, offer_id: int) -> HttpResponse:
    """The person asks to be offered a place when a cohort is planned."""
    user = request_user(request)
    offer = permissions.get_offer_for_user(user, offer_id)
    require_post(request)
    mine = _own_employee_id(user, offer)
    back = reverse("learning:offer_detail", kwargs={"offer_id": offer.pk})
    employee = permissions.get_employee_for_user(user, mine or 0)
    return post_action(
        request,
        lambda: services.interest_register(
            offer=offer, employee=employee, actor=user, note=request.POST.get("note", "")[:1000]
        ),
        success=_("You are on the interest list. You will be offered a place when a cohort is planned."),
        back=back,
    )


@login_required
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user = request_user(request)
    cohort = permissions.get_cohort_for_user(user, cohort_id)
    scope = scope_for(user)
    municipality_id = cohort.offer.municipality_id
    admin = permissions.can_administer_learning(user, municipality_id)
    sessions, facilitators = selectors_pages.cohort_sessions(cohort, flags=admin)
    mine_id = _own_employee_id(user, cohort)
    mine = selectors_pages.my_enrolments_on(mine_id, [cohort.pk]).get(cohort.pk)
    takes_people = cohort.status in selectors_pages.UPCOMING_COHORTS and not selectors_pages.has_started(
        cohort
    )
    return render(
        request,
        "learning/cohort_detail.html",
        {
            "cohort": cohort,
            "offer": cohort.offer,
            "fill": selectors_pages.cohort_fills([cohort])[cohort.pk],
            "sessions": sessions,
            "facilitators": facilitators,
            "show_teachers": any(row.facilitators for row in sessions),
            "mine": mine,
            "can_request": mine_id is not None and mine is None and takes_people,
            "can_cancel_mine": mine is not None
            and mine.status in selectors_pages.CANCELLABLE
            and takes_people,
            "can_book_others": takes_people and permissions.can_book_others(user, municipality_id),
            "admin": admin,
            "status_moves": [
                (status, STATUS_MOVE_LABELS[status]) for status in COHORT_STATUS_MOVES.get(cohort.status, ())
            ]
            if admin
            else [],
            "is_employee_here": mine_id is not None,
            "can_cancel_cohort": admin
            and cohort.status not in (Cohort.Status.CANCELLED, Cohort.Status.COMPLETED),
            "participants": selectors_pages.participants(user, cohort) if scope.reads_people else [],
            "started": selectors_pages.has_started(cohort),
        },
    )


def request_message(enrolment: Enrolment) -> str:
    """What a person is told after asking for a place, by where the request went."""
    status = enrolment.status
    title = enrolment.cohort.display_title
    if status == EnrolmentStatus.AWAITING_MANAGER:
        return _("Your request for %(cohort)s was sent to your manager for approval.") % {"cohort": title}
    if status == EnrolmentStatus.AWAITING_HR:
        return _("Your request for %(cohort)s awaits HR's approval.") % {"cohort": title}
    if status == EnrolmentStatus.WAITLISTED:
        return _("%(cohort)s is full: you are on the waiting list and get the first free place in turn.") % {
            "cohort": title
        }
    return _("You are booked on %(cohort)s.") % {"cohort": title}


@login_required
def cohort_request(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The person asks for a place on the cohort for themselves."""
    user = request_user(request)
    cohort = permissions.get_cohort_for_user(user, cohort_id)
    require_post(request)
    employee = permissions.get_employee_for_user(user, _own_employee_id(user, cohort) or 0)
    return post_action(
        request,
        lambda: services.enrolment_request(
            cohort=cohort, employee=employee, actor=user, note=request.POST.get("note", "")[:1000]
        ),
        success=request_message,
        back=reverse("learning:cohort_detail", kwargs={"cohort_id": cohort.pk}),
    )
