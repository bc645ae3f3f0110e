"""The HR import web page: upload → check (in the background) → preview → confirm → import (in the
background) with live progress. Thin: permission-checked fetches, the services, templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kapabel.core import exports
from kapabel.core.web import is_htmx, request_user
from kapabel.organisation import permissions, selectors
from kapabel.organisation.hr_import import services
from kapabel.organisation.hr_import.formats import SHEET_COLUMNS
from kapabel.organisation.hr_import.forms import UploadForm
from kapabel.organisation.hr_import.labels import ACTIONS, KINDS, count_labels, shown
from kapabel.organisation.hr_import.reading import Problem
from kapabel.organisation.hr_import.uploads import request_too_large
from kapabel.organisation.models import Employee, HRImport, JobRole, OrgUnit


@login_required
@require_http_methods(["GET", "POST"])
def hr_import_list(request: HttpRequest) -> HttpResponse:
    """Upload files, and the imports made so far."""
    permissions.require_imports_hr_anywhere(request.user)
    importable = permissions.hr_import_municipality_ids(request.user)
    municipalities = selectors.municipalities(ids=importable)
    too_large = request.method == "POST" and request_too_large(request)
    form = UploadForm(
        request.POST or None,
        None if too_large else request.FILES or None,
        municipalities=municipalities,
        initial={"municipality": municipalities.first()},
        too_large=too_large,
    )
    if request.method == "POST" and form.is_valid():
        municipality = form.cleaned_data["municipality"]
        permissions.require_import_hr(request.user, municipality.pk)
        mode = form.cleaned_data["mode"]
        hr_import = services.hrimport_upload(
            municipality=municipality,
            uploads=[(upload.name, upload.chunks()) for upload in form.cleaned_data["files"]],
            actor=request_user(request),
            source=HRImport.Source.WEB,
            format=form.cleaned_data["format"] or None,
            full={"full": True, "partial": False}.get(mode),
        )
        return redirect("organisation:hr_import_detail", import_pk=hr_import.pk)
    services.hrimport_fail_dead(municipality_ids=importable)
    imports = selectors.hr_imports(municipality_ids=importable).select_related("created_by")
    return render(
        request,
        "organisation/hr_import_list.html",
        {
            "form": form,
            "page": Paginator(imports, 25).get_page(request.GET.get("page")),
            "columns": sheet_columns(),
        },
        status=413 if too_large else 200,
    )


def sheet_columns() -> list[tuple[str, str, bool]]:
    """Kapabel's sheet: column, what it holds, required."""
    texts = {
        "Medarbejdernummer": _("The employee number (tjenestenummer); identifies the person."),
        "Navn": _("The full name."),
        "E-mail": _("The work e-mail address."),
        "Enhed": _(
            "The unit: a path of unit names from the top such as Børn og Unge/Fællesadministration/Løn "
            "(missing units are created), or a unit's external id."
        ),
        "Stilling": _("The job title; a job role with that title is used or created."),
        "Timer pr. uge": _("Weekly hours, e.g. 37 or 32,5."),
        "Ansat fra": _("Employed from: dd-mm-åååå, dd.mm.åååå or åååå-mm-dd."),
        "Ansat til": _("Employed until (empty while employed); a past date makes the person inactive."),
        "Leder": _("ja if the person manages the unit, otherwise nej."),
    }
    return [
        (column, texts[column], column in ("Medarbejdernummer", "Navn", "Enhed")) for column in SHEET_COLUMNS
    ]


def _detail_context(hr_import: HRImport) -> dict[str, Any]:
    problems = [Problem.from_dict(p) for p in hr_import.problems]
    counts = hr_import.counts or {}
    return {
        "hr_import": hr_import,
        "can_confirm": services.hrimport_may_confirm(hr_import),
        "can_discard": services.hrimport_may_discard(hr_import),
        "counts": [(label, counts.get(key, 0)) for key, label in count_labels()] if counts else [],
        "no_changes": bool(counts) and not counts.get("changes"),
        "problems": problems,
        "more_problems": hr_import.error_count + hr_import.warning_count - len(problems),
        "sample": [
            dict(
                row,
                kind_label=KINDS.get(row["kind"], row["kind"]),
                action_label=ACTIONS.get(row["action"], ""),
                change_list=[
                    (_field_label(row["kind"], k), shown(old), shown(new))
                    for k, (old, new) in row["changes"].items()
                ],
            )
            for row in hr_import.sample
        ],
        "percent": (
            int(100 * hr_import.progress_done / hr_import.progress_total)
            if hr_import.progress_total
            else None
        ),
    }


def _field_label(kind: str, name: str) -> str:
    if name == "parent":
        return _("Parent unit")
    model = {"unit": OrgUnit, "job_role": JobRole}.get(kind, Employee)
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


@login_required
@require_GET
def hr_import_detail(request: HttpRequest, import_pk: int) -> HttpResponse:
    """One import: its state, progress (polled by HTMX while it runs), preview and outcome."""
    hr_import = services.hrimport_fail_if_dead(permissions.get_hr_import_for_user(request.user, import_pk))
    template = "organisation/hr_import_detail.html"
    if is_htmx(request):
        template += "#status"
    return render(request, template, _detail_context(hr_import))


@login_required
@require_http_methods(["GET", "POST"])
def hr_import_confirm(request: HttpRequest, import_pk: int) -> HttpResponse:
    """Start a checked import (POST); a GET only leads back to the preview."""
    hr_import = permissions.get_hr_import_for_user(request.user, import_pk)
    permissions.require_import_hr(request.user, hr_import.municipality_id)
    if request.method == "POST":
        skip = request.POST.get("skip_invalid") == "on"
        try:
            services.hrimport_confirm(hr_import=hr_import, skip_invalid=skip, actor=request_user(request))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    return redirect("organisation:hr_import_detail", import_pk=hr_import.pk)


@login_required
@require_http_methods(["GET", "POST"])
def hr_import_discard(request: HttpRequest, import_pk: int) -> HttpResponse:
    """Discard an upload that waits to be checked or confirmed (POST); a GET leads back to it."""
    hr_import = permissions.get_hr_import_for_user(request.user, import_pk)
    permissions.require_import_hr(request.user, hr_import.municipality_id)
    if request.method == "POST":
        try:
            services.hrimport_discard(hr_import=hr_import, actor=request_user(request))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The import was discarded, and the uploaded files deleted."))
    return redirect("organisation:hr_import_detail", import_pk=hr_import.pk)


@login_required
@require_GET
def hr_import_template(request: HttpRequest, extension: str) -> HttpResponse:
    """An empty Kapabel sheet with the headers and one example row."""
    example = ["1001", "Anne Jensen", "anne.jensen@kommune.dk", "Børn og Unge/Fællesadministration/Løn",
               "Lønkonsulent", "37", "01-02-2020", "", "nej"]  # fmt: skip
    sheet = exports.Sheet(
        title="Medarbejdere", columns=[exports.Column(header) for header in SHEET_COLUMNS], rows=[example]
    )
    if extension == "xlsx":
        content, content_type = exports.xlsx_bytes([sheet]), exports.XLSX_CONTENT_TYPE
    else:  # the sheet's headers are Danish, so its CSV is Danish too: `;` whatever the language
        content, content_type = exports.csv_bytes(sheet, delimiter=";"), exports.CSV_CONTENT_TYPE
    return exports.file_response(
        content, content_type=content_type, filename=f"kapabel-medarbejdere.{extension}"
    )
