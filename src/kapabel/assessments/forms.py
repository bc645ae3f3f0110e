from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kapabel.assessments.models import Assessment, AssessmentSettings, Campaign
from kapabel.competences.models import FrameworkVersion, Profile
from kapabel.core.forms import DesignSystemFormMixin
from kapabel.organisation.models import Employee, JobRole, OrgUnit

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
    units = forms.ModelMultipleChoiceField(
        label=_("Units with the units below them"), queryset=OrgUnit.objects.none(), required=False
    )
    units_only = forms.ModelMultipleChoiceField(
        label=_("Units without the units below them"), queryset=OrgUnit.objects.none(), required=False
    )
    job_roles = forms.ModelMultipleChoiceField(
        label=_("Job roles"), queryset=JobRole.objects.none(), required=False
    )
    employees = forms.ModelMultipleChoiceField(
        label=_("Named people"), queryset=Employee.objects.none(), required=False
    )
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
        **kwargs: Any,
    ) -> None:
        self._querysets = {
            "framework_version": versions,
            "profile": profiles,
            "units": units,
            "units_only": units,
            "job_roles": job_roles,
            "employees": employees,
        }
        super().__init__(*args, **kwargs)
        self._apply_querysets()
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
        fields = ["current_level_order", "reminder_days_before_close", "reminders_enabled"]


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
