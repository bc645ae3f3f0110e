from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kapabel.assessments.models import LEVEL_SOURCES, Assessment, AssessmentSettings, Campaign
from kapabel.competences.models import FrameworkVersion, Profile
from kapabel.core.forms import DesignSystemFormMixin
from kapabel.core.widgets import CheckboxList
from kapabel.organisation.models import Employee, JobRole, OrgUnit
from kapabel.organisation.pickers import PeopleField, UnitScopeField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(DesignSystemFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Campaign.Kind.choices)
    # The querysets are the user's choices, set per request in __init__; none until then.
    framework_version = forms.ModelChoiceField(
        label=_("Framework version"), queryset=FrameworkVersion.objects.none()
    )
    profile = forms.ModelChoiceField(
        label=_("Profile"),
        queryset=Profile.objects.none(),
        required=False,
        help_text=_("Limits the campaign to the profile's competences. Leave empty to use all of them."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)
    units = UnitScopeField(
        label=_("Units"),
        help_text=_(
            "Everyone in a chosen unit takes part; with the units below it, so does everyone in them."
        ),
    )
    job_roles = forms.ModelMultipleChoiceField(
        label=_("Job roles"),
        queryset=JobRole.objects.none(),
        required=False,
        widget=CheckboxList,
        help_text=_("Everyone with one of these job roles takes part, wherever they work."),
    )
    employees = PeopleField(label=_("Named people"), required=False)
    questions = forms.CharField(
        label=_("Questions (needs survey)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One question per line."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    send_invitations = forms.BooleanField(
        label=_(
            "Send each participant an invitation by e-mail, with a link to their form, when the "
            "campaign opens"
        ),
        required=False,
        initial=True,
    )

    def __init__(
        self,
        *args: Any,
        versions: QuerySet[FrameworkVersion],
        profiles: QuerySet[Profile],
        units: QuerySet[OrgUnit],
        job_roles: QuerySet[JobRole],
        employees: QuerySet[Employee],
        municipality_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        self._querysets = {
            "framework_version": versions,
            "profile": profiles,
            "units": units,
            "job_roles": job_roles,
            "employees": employees,
        }
        super().__init__(*args, **kwargs)
        self._apply_querysets()
        self.fields["employees"].search_in(municipality_id)
        if not self.is_bound:
            self.initial.setdefault("opens_on", timezone.localdate())

    def _apply_querysets(self) -> None:
        for name, queryset in self._querysets.items():
            self.fields[name].queryset = queryset

    def full_clean(self) -> None:
        # The design-system mixin validates during __init__, before __init__ could set the querysets.
        self._apply_querysets()
        super().full_clean()


class ParticipantFilterForm(DesignSystemFormMixin, forms.Form):
    """The participant list's filters: the unit people take part for, and their status."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + units
        self.fields["status"].choices = [
            ("", _("All statuses")),
            ("unanswered", _("Has not answered")),
            *Assessment.Status.choices,
        ]


class SettingsForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = AssessmentSettings
        fields = ["reminder_days_before_close", "reminders_enabled"]


class LevelOrderForm(forms.Form):
    """The order of sources for the current level as an ordered choice: one select per position,
    each offering every source of `LEVEL_SOURCES` (the one list of them), so a source added there
    appears here without touching the form or its template. Gives `order`, e.g. "agreed,manager,self"."""

    def __init__(self, *args: Any, order: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(source.value, source.label) for source in LEVEL_SOURCES]
        for index in range(len(choices)):
            self.fields[self.position_field(index)] = forms.ChoiceField(
                label=_("Position %(number)s") % {"number": index + 1},
                choices=[("", _("Not used"))] + choices,
                required=index == 0,
                initial=order[index] if index < len(order) else "",
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    @staticmethod
    def position_field(index: int) -> str:
        return f"source_{index + 1}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: list[str] = []
        for name in self.fields:
            value = data.get(name)
            if not value:
                continue
            if value in chosen:
                self.add_error(name, _("This source is already chosen at an earlier position."))
            chosen.append(value)
        # Empty positions between chosen ones are closed up: only the order counts.
        data["order"] = ",".join(chosen)
        return data

    def full_clean(self) -> None:
        """Point each invalid select at its error text, as the design-system forms do."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-describedby": f"id_{name}_error", "aria-invalid": "true"}
                )


def answers_from_post(
    data: QueryDict, competence_ids: list[int], *, leader: bool = False
) -> dict[int, dict[str, Any]]:
    """The answers in a posted assessment form, keyed by competence id (validated by the service)."""
    answers: dict[int, dict[str, Any]] = {}
    for pk in competence_ids:
        answer = {"level": data.get(f"level_{pk}", ""), "comment": data.get(f"comment_{pk}", "")}
        if leader:
            answer["importance_now"] = data.get(f"importance_now_{pk}", "")
            answer["importance_future"] = data.get(f"importance_future_{pk}", "")
        answers[pk] = answer
    return answers
