"""The HR import's upload form: several files in one field, the municipality, format and mode."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kapabel.core.models import Municipality
from kapabel.organisation.hr_import.formats import KAPABEL, PLAN2LEARN


def max_upload_mb() -> int:
    return int(settings.KAPABEL_IMPORT_MAX_UPLOAD_MB)


def upload_too_large_message() -> str:
    return _("The files are larger than %(limit)s MB together, the most one import may upload.") % {
        "limit": max_upload_mb()
    }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-file-input"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        if isinstance(data, list | tuple):
            data = None  # nothing chosen: the "required" error
        return [single(data, initial)]


class UploadForm(forms.Form):
    municipality: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Municipality"), empty_label=None
    )
    files = MultipleFileField(  # type: ignore[assignment]  # a field, not Form.files
        label=gettext_lazy("Files"),
        help_text=gettext_lazy(
            "The five plan2learn files (bruger.csv, organisation.csv, engagement.csv, stillingskode.csv, "
            "leder.csv) or a zip with them, or one Kapabel sheet (CSV or XLSX)."
        ),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("", gettext_lazy("Recognise from the files")),
            (PLAN2LEARN, gettext_lazy("plan2learn export from OS2mo")),
            (KAPABEL, gettext_lazy("Kapabel sheet (CSV or XLSX)")),
        ],
        required=False,
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("People missing from the files"),
        choices=[
            ("", gettext_lazy("The format's default (plan2learn: made inactive; sheet: left as they are)")),
            ("full", gettext_lazy("Make them inactive with today as end date (full import)")),
            ("partial", gettext_lazy("Leave them as they are (only add and update)")),
        ],
        required=False,
    )

    def __init__(
        self, *args: Any, municipalities: QuerySet[Municipality], too_large: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large  # the request was larger than the limit: its files were not read
        self.fields["municipality"].queryset = municipalities
        for name in ("municipality", "format", "mode"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.too_large:
            self._errors.pop("files", None)  # not "required": they were sent, and refused unread
            self.add_error("files", upload_too_large_message())
        return cleaned

    def clean_files(self) -> Any:
        files = self.cleaned_data["files"]
        if sum(f.size for f in files) > max_upload_mb() * 1024 * 1024:
            raise forms.ValidationError(upload_too_large_message())
        return files
