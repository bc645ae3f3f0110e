"""The people pickers' search on the programme forms (an HTMX fragment). Each list searches exactly
what its form field offers and accepts, narrowed by the same selectors: the target group's named
people, the target group's people who are not participants yet, the programme's owner, and the people
with a login who can sit in the steering group."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse

from kapabel.core.tenancy import current_municipality_id
from kapabel.core.web import request_user
from kapabel.organisation.pickers import PeopleField
from kapabel.organisation.pickers.views import people_results
from kapabel.programmes.models import Programme
from kapabel.programmes.selectors import editing
from kapabel.programmes.views.pages import _managed

LISTS = editing.PICKER_LISTS


def search_at(field: object, programme: Programme | None, which: str) -> None:
    """Point a form's people picker at this search."""
    assert isinstance(field, PeopleField)
    if programme is None:
        field.search_at(reverse("programmes:people_pick_new"), list=which)
    else:
        field.search_at(reverse("programmes:people_pick", args=[programme.pk]), list=which)


@login_required
def people_pick(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    which = request.GET.get("list", "")
    if which not in LISTS:
        return HttpResponseBadRequest()
    queryset = editing.picker_people(request_user(request), programme.municipality_id, programme, which)
    return people_results(request, queryset, {"list": which})


@login_required
def people_pick_new(request: HttpRequest) -> HttpResponse:
    """The owner of a programme not created yet."""
    user = request_user(request)
    municipality = editing.managed_municipality(user, current_municipality_id(request))
    if municipality is None:
        raise PermissionDenied
    if request.GET.get("list") != "owner":
        return HttpResponseBadRequest()
    return people_results(
        request, editing.picker_people(user, municipality.pk, None, "owner"), {"list": "owner"}
    )
