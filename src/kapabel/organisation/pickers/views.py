"""The people picker's search (an HTMX fragment): one page of the people the acting user may see."""

from __future__ import annotations

import json
import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from kapabel.core.web import request_user
from kapabel.organisation import selectors
from kapabel.organisation.pickers.people import people_page

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,60}$")


@login_required
def people_pick(request: HttpRequest) -> HttpResponse:
    """`name` is the form field's name (the checkboxes it renders, and the ids already chosen),
    `<name>__q` the search, `<name>__page` the page, `municipality` narrows to one of the user's
    municipalities. Nothing outside the user's access scope is ever listed."""
    user = request_user(request)
    name = request.GET.get("name", "")
    if not FIELD_NAME.match(name):
        return HttpResponseBadRequest()
    queryset = selectors.employees_for_user(user)
    params: dict[str, object] = {"name": name}
    municipality = request.GET.get("municipality", "")
    if municipality.isdigit():
        queryset = queryset.filter(municipality_id=int(municipality))
        params["municipality"] = int(municipality)
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
                "search_params": json.dumps(params),
            }
        },
    )
