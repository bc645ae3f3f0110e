from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kapabel.competences.content import COMPETENCE_TEXT_FIELDS
from kapabel.competences.models import Competence, Framework, FrameworkVersion, Importance, Language, Profile
from kapabel.core.forms import DesignSystemFormMixin
from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee, JobRole, OrgUnit
from kapabel.organisation.pickers import PeopleField


def _revalidate(form: forms.BaseForm) -> None:
    """DesignSystemFormMixin validates a bound form while linking error texts, before our querysets
    and choices are set; drop that result and link the error texts again against the real fields."""
    form._errors = None
    if form.is_bound:
        for name, field in form.fields.items():
            described = [f"id_{name}_hint"] if field.help_text else []
            if name in form.errors:
                described.append(f"id_{name}_error")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            else:
                field.widget.attrs.pop("aria-describedby", None)


FORMAT_CHOICES = [
    ("moodle-csv", _("Moodle competency framework CSV")),
    ("case-json", _("1EdTech CASE 1.1 JSON")),
]


class FrameworkForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = Framework
        fields = ["name", "description", "language"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class CompetenceForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = Competence
        fields = ["parent", *COMPETENCE_TEXT_FIELDS, "scale"]
        widgets = {
            "description_da": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "indicators_da": forms.Textarea(attrs={"rows": 3}),
            "indicators_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, version: FrameworkVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Competence.objects.filter(version=version).order_by(
            "depth", "position"
        )
        self.fields["parent"].label = _("Placed below")
        self.fields["parent"].empty_label = _("Top level")
        self.fields["scale"].queryset = version.scales.all()
        _revalidate(self)

    def validate_unique(self) -> None:
        """Checked by the service."""

    # The inline editor in the tree shows these first; the rest sit behind a disclosure.
    PRIMARY = ("code", "name_da", "name_en", "description_da")

    @property
    def primary_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PRIMARY]

    @property
    def more_fields(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if field.name not in self.PRIMARY]

    @property
    def more_fields_invalid(self) -> bool:
        return any(field.errors for field in self.more_fields)


class ImportForm(DesignSystemFormMixin, forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    language = forms.ChoiceField(
        label=_("Language of the texts"),
        choices=Language.choices,
        help_text=_("Moodle files do not say which language they are in."),
    )
    municipality = forms.ModelChoiceField(label=_("Owner"), queryset=Municipality.objects.none())

    def __init__(
        self, *args: Any, municipalities: QuerySet[Municipality], file_required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["file"].required = file_required
        _revalidate(self)


class ProfileForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["name", "kind", "job_role", "unit", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_role"].queryset = JobRole.objects.filter(municipality=municipality, active=True)
        self.fields["unit"].queryset = OrgUnit.objects.filter(
            municipality=municipality, active=True
        ).order_by("path")

    def validate_unique(self) -> None:
        """Checked by the service."""


class ConsultationForm(DesignSystemFormMixin, forms.Form):
    participants = PeopleField(
        label=_("Participants"),
        help_text=_("The managers and employees who may comment."),
    )
    message = forms.CharField(
        label=_("Message to participants"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    closes_on = forms.DateField(
        label=_("Closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, employees: QuerySet[Employee], municipality_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = employees
        self.fields["participants"].search_in(municipality_id)
        _revalidate(self)


class CommentForm(DesignSystemFormMixin, forms.Form):
    competence = forms.ModelChoiceField(
        label=_("Competence"),
        queryset=Competence.objects.none(),
        required=False,
        empty_label=_("The whole draft"),
    )
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    proposed_target_level = forms.TypedChoiceField(
        label=_("Proposed target level"), required=False, coerce=int, empty_value=None
    )
    proposed_importance = forms.ChoiceField(
        label=_("Proposed importance"), required=False, choices=[("", "–"), *Importance.choices]
    )

    def __init__(
        self,
        *args: Any,
        competences: QuerySet[Competence],
        levels: list[tuple[int, str]],
        proposals: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competence"].queryset = competences
        if proposals:
            self.fields["proposed_target_level"].choices = [("", "–"), *levels]
        else:
            del self.fields["proposed_target_level"]
            del self.fields["proposed_importance"]
        _revalidate(self)
