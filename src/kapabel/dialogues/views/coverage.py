"""Coverage for the MED committee: per unit, with the units below it, a trend and exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kapabel.core import exports as core_exports
from kapabel.dialogues import coverage as coverage_module
from kapabel.dialogues import exports, selectors
from kapabel.dialogues.views._common import request_user
from kapabel.organisation import selectors as org_selectors


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    units = org_selectors.units_for_user(user).order_by("depth", "path")
    wanted = request.GET.get("unit", "")
    unit = units.filter(pk=int(wanted)).first() if wanted.isdigit() else units.first()
    if unit is None:
        raise Http404
    result = coverage_module.coverage(user, unit)
    fmt = exports.export_format(request.GET.get("format"))
    if fmt is not None:
        return core_exports.response(
            [exports.coverage_sheet(result)],
            filename=f"dialogue-coverage-{unit.pk}",
            fmt=fmt,
        )
    return render(
        request,
        "dialogues/coverage.html",
        {"unit": unit, "units": selectors.coverage_choices(units, unit), "result": result},
    )
