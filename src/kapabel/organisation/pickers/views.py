"""The people picker's search (an HTMX fragment): one page of the people the acting user may see."""

from __future__ import annotations

import json
import re

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from kapabel.core.web import request_user
from kapabel.organisation import selectors
from kapabel.organisation.models import Employee
from kapabel.organisation.pickers.people import people_page

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,60}$")  # a prefixed form: "member-person"


def people_results(
    request: HttpRequest, queryset: QuerySet[Employee], params: dict[str, object] | None = None
) -> HttpResponse:
    """One page of `queryset` (already narrowed by the caller's access layer) for the picker field
    named in the request, as the HTMX fragment the picker swaps in. `params` go back with the next
    search or page."""
    name = request.GET.get("name", "")
    if not FIELD_NAME.match(name):
        return HttpResponseBadRequest()
    chosen = [int(pk) for pk in request.GET.getlist(name) if pk.isdigit()]
    query = request.GET.get(f"{name}__q", "")
    results = people_page(queryset, query=query, page=request.GET.get(f"{name}__page", "1"), exclude=chosen)
    return render(
        request,
        "organisation/pickers/_people_results.html",
        {
            "widget": {
                "name": name,
                "attrs": {"id": f"id_{name}"},
                "query": query,
                "results": results,
                "search_url": request.path,
                "search_params": json.dumps({"name": name, **(params or {})}),
            }
        },
    )


@login_required
def people_pick(request: HttpRequest) -> HttpResponse:
    """`name` is the form field's name (the checkboxes it renders, and the ids already chosen),
    `<name>__q` the search, `<name>__page` the page, `municipality` narrows to one of the user's
    municipalities. Nothing outside the user's access scope is ever listed."""
    queryset = selectors.employees_for_user(request_user(request))
    params: dict[str, object] = {}
    municipality = request.GET.get("municipality", "")
    if municipality.isdigit():
        queryset = queryset.filter(municipality_id=int(municipality))
        params["municipality"] = int(municipality)
    return people_results(request, queryset, params)
