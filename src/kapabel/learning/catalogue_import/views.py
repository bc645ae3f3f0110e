"""The catalogue import page under /learning/: upload → preview (counts, problems, examples of the
changes) → confirm or discard. For HR, coordinators and administrators of the municipality the page
works in. Thin: the permission-checked fetch, the services, templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kapabel.core import exports
from kapabel.core.models import Municipality
from kapabel.core.tenancy import current_municipality
from kapabel.core.web import request_user, require_post
from kapabel.learning import permissions
from kapabel.learning.catalogue_import import access, services
from kapabel.learning.catalogue_import.labels import action_label, count_labels, field_label
from kapabel.learning.catalogue_import.reading import COLUMNS, MAX_ROWS, CatalogueProblem
from kapabel.learning.models import CatalogueImport

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Course list"),
        help_text=gettext_lazy("A CSV or XLSX file with the column headers in the first row."),
        widget=forms.ClearableFileInput(attrs={"class": "form-file-input", "accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB. Split it into smaller files."))
        return upload


def _municipality(request: HttpRequest) -> Municipality:
    """The municipality the page works in, if the user administers learning there (else 403)."""
    municipality = current_municipality(request)
    if municipality is None or not permissions.can_administer_learning(request.user, municipality.pk):
        raise PermissionDenied
    return municipality


def columns() -> list[tuple[str, str]]:
    """The columns of a course list and what each holds."""
    texts = {
        "Udbyder": _("The provider, e.g. VIA or an AMU centre; a provider not yet in Kapabel is created."),
        "Titel": _("The offer's title (required)."),
        "Type": _(
            "Kursus, Uddannelsesmodul, Uddannelse, Konference, E-læring, Sidemandsoplæring, Mentorordning, "
            "Følordning or Teamlæring (or the English names); empty: Kursus for a new offer."
        ),
        "Kategori": _("The category, e.g. Ledelse; a category not yet in Kapabel is created."),
        "Niveau": _("AMU, Akademi, Diplom, Master, or empty."),
        "ECTS": _("ECTS points, e.g. 5 or 7,5, or empty."),
        "Pris": _("Price per participant in kroner, e.g. 4.200 or 4200,00; 0 if it is free."),
        "Undervisningsdage": _("Teaching days, e.g. 6 or 6,5, or empty."),
        "Beskrivelse": _("A description."),
        "Kompetencer": _("Competences the offer develops: codes or names, separated by ;."),
        "Ekstern id": _("The provider's id of the offer; a later import updates the offer with this id."),
    }
    return [(column, texts[column]) for column in COLUMNS]


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a course list (checked at once), and the imports made so far in this municipality."""
    municipality = _municipality(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        catalogue_import = services.catalogue_import_receive(
            municipality=municipality, file_name=upload.name, data=upload.read(), actor=request_user(request)
        )
        return redirect("learning:catalogue_import_detail", catalogue_import_pk=catalogue_import.pk)
    imports = access.imports_for_user(request.user).filter(municipality=municipality)
    return render(
        request,
        "learning/catalogue_import_list.html",
        {
            "form": form,
            "municipality": municipality,
            "page": Paginator(imports, 25).get_page(request.GET.get("page")),
            "columns": columns(),
            "max_rows": MAX_ROWS,
        },
    )


def _shown(value: Any) -> Any:
    """A changed value as the page shows it (lists of competences as text; "–" for nothing)."""
    if isinstance(value, list):
        return "; ".join(value) or None
    return None if value == "" else value


def _detail_context(catalogue_import: CatalogueImport) -> dict[str, Any]:
    problems = [CatalogueProblem.from_dict(p) for p in catalogue_import.problems]
    counts = catalogue_import.counts or {}
    show_counts = bool(counts) and not catalogue_import.error_count
    return {
        "catalogue_import": catalogue_import,
        "counts": [(label, counts.get(key, 0)) for key, label in count_labels()] if show_counts else [],
        "no_changes": show_counts and not counts.get("changes"),
        "problems": problems,
        "more_problems": catalogue_import.error_count + catalogue_import.warning_count - len(problems),
        "sample": [
            {
                **row,
                "action_label": action_label(row["action"]),
                "change_list": [
                    (field_label(name), _shown(old), _shown(new))
                    for name, (old, new) in row["changes"].items()
                ],
            }
            for row in catalogue_import.sample
        ]
        if show_counts
        else [],
    }


@login_required
@require_GET
def import_detail(request: HttpRequest, catalogue_import_pk: int) -> HttpResponse:
    """One import: the preview while it waits for confirmation, then what it did."""
    catalogue_import = access.get_import_for_user(request.user, catalogue_import_pk)
    return render(request, "learning/catalogue_import_detail.html", _detail_context(catalogue_import))


@login_required
def import_confirm(request: HttpRequest, catalogue_import_pk: int) -> HttpResponse:
    catalogue_import = access.get_import_for_user(request.user, catalogue_import_pk)
    require_post(request)
    permissions.require_administer_learning(request.user, catalogue_import.municipality_id)
    if catalogue_import.status != CatalogueImport.Status.READY:
        messages.error(request, _("This import cannot be started: it is not waiting for confirmation."))
    else:
        catalogue_import = services.catalogue_import_apply(
            catalogue_import=catalogue_import, actor=request_user(request)
        )
        if catalogue_import.status == CatalogueImport.Status.SUCCEEDED:
            messages.success(request, _("The course list was imported."))
        else:
            messages.error(request, _("The catalogue changed since the check, and the file now has errors."))
    return redirect("learning:catalogue_import_detail", catalogue_import_pk=catalogue_import.pk)


@login_required
def import_discard(request: HttpRequest, catalogue_import_pk: int) -> HttpResponse:
    catalogue_import = access.get_import_for_user(request.user, catalogue_import_pk)
    require_post(request)
    permissions.require_administer_learning(request.user, catalogue_import.municipality_id)
    if catalogue_import.status == CatalogueImport.Status.READY:
        services.catalogue_import_discard(catalogue_import=catalogue_import, actor=request_user(request))
        messages.success(request, _("The import was discarded; nothing was written."))
    return redirect("learning:catalogue_import")


EXAMPLE = [
    "VIA University College", "Økonomistyring for ledere", "Uddannelsesmodul", "Økonomistyring og budget",
    "Akademi", "5", "4.200", "6", "Budget, regnskab og opfølgning.", "", "VIA-2031",
]  # fmt: skip


@login_required
@require_GET
def import_template(request: HttpRequest, extension: str) -> HttpResponse:
    """An empty course list with the headers and one example row (through the one export writer; the
    CSV with `;`, as Danish spreadsheets write it)."""
    _municipality(request)
    sheet = exports.Sheet("Kurser", [exports.Column(header) for header in COLUMNS], [EXAMPLE])
    if extension == "xlsx":
        return exports.response([sheet], filename="kapabel-kursusliste", fmt="xlsx")
    return exports.file_response(
        exports.csv_bytes(sheet, delimiter=";"),
        content_type=exports.CSV_CONTENT_TYPE,
        filename="kapabel-kursusliste.csv",
    )
