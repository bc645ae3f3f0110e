"""Forms of the dialogue pages. They parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kapabel.dialogues.models import Cycle, PlanActivity, PlanGoal

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d-%m-%Y %H:%M"]
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]


def _datetime(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-input"}, format="%Y-%m-%dT%H:%M"
        ),
    )


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-input"}, format="%Y-%m-%d"),
    )


def _text(label: Any, rows: int = 5, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"class": "form-input", "rows": rows}),
    )


def _select(field: forms.Field) -> forms.Field:
    field.widget.attrs["class"] = "form-select"
    return field


def _input(field: forms.Field) -> forms.Field:
    field.widget.attrs["class"] = "form-input"
    return field


class CycleForm(forms.Form):
    name = _input(forms.CharField(label=_("Name"), max_length=200))
    unit = _select(forms.ModelChoiceField(label=_("Unit"), queryset=None))  # type: ignore[arg-type]
    include_subtree = forms.BooleanField(label=_("Include the units below"), required=False, initial=True)
    kind = _select(forms.ChoiceField(label=_("Kind"), choices=Cycle.Kind.choices))
    schedule = _select(forms.ChoiceField(label=_("Schedule"), choices=Cycle.Schedule.choices))
    starts_on = _date(_("Period starts"))
    ends_on = _date(_("Period ends"))
    window_days = _input(
        forms.IntegerField(
            label=_("Window before the hire-date anniversary (days)"),
            min_value=0,
            max_value=365,
            initial=30,
            help_text=_("Only for the schedule relative to the hire date."),
        )
    )
    follow_up_months = _input(
        forms.IntegerField(label=_("Follow up the plan after (months)"), min_value=1, max_value=36, initial=6)
    )
    questions_da = _text(
        _("Preparation questions in Danish"),
        help_text=_("One question a line; the same number of lines in each language."),
    )
    questions_en = _text(_("Preparation questions in English"))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def questions(self) -> list[dict[str, str]]:
        da = [line.strip() for line in self.cleaned_data.get("questions_da", "").splitlines() if line.strip()]
        en = [line.strip() for line in self.cleaned_data.get("questions_en", "").splitlines() if line.strip()]
        length = max(len(da), len(en))
        da += [""] * (length - len(da))
        en += [""] * (length - len(en))
        return [{"da": d, "en": e} for d, e in zip(da, en, strict=True)]


class BookingForm(forms.Form):
    starts_at = _datetime(_("Starts"))
    ends_at = _datetime(_("Ends"))
    place = _input(forms.CharField(label=_("Place"), max_length=200, required=False))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PreparationForm(forms.Form):
    """The person's (or the manager's) own preparation: the cycle's questions in the reader's
    language, free notes and whether to share it."""

    notes = _text(_("My notes"), rows=6)
    shared = forms.BooleanField(
        label=_("Share my preparation with the other party"),
        required=False,
        help_text=_("Until you share it, only you can read it."),
    )

    def __init__(self, *args: Any, questions: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = "en" if (get_language() or "da").startswith("en") else "da"
        self.question_keys = []
        for question in questions:
            self.fields[question["key"]] = _text(question.get(language) or question.get("da"), rows=3)
            self.question_keys.append(question["key"])
        self.order_fields([*self.question_keys, "notes", "shared"])

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in self.question_keys}


class RecordForm(forms.Form):
    """The manager's record of the dialogue; one optional agreed level per competence of the profile."""

    notes = _text(_("Notes from the dialogue"), rows=6)
    agreements = _text(_("Agreements"), rows=4)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, competences: list[tuple[Any, list[int]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level_fields = []
        for competence, levels in competences:
            name = f"level_{competence.pk}"
            self.fields[name] = _select(
                forms.TypedChoiceField(
                    label=str(competence),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[("", _("Not agreed in this dialogue"))] + [(v, str(v)) for v in levels],
                )
            )
            self.level_fields.append((name, competence))

    def levels(self) -> dict[Any, int]:
        return {
            c: self.cleaned_data[name]
            for name, c in self.level_fields
            if self.cleaned_data.get(name) is not None
        }


class RequestForm(forms.Form):
    note = _text(_("Why would you like a dialogue?"), rows=3)


class GoalForm(forms.Form):
    title = _input(forms.CharField(label=_("Goal"), max_length=300, required=False))
    competence = _select(
        forms.ModelChoiceField(
            label=_("Competence"),
            queryset=None,  # type: ignore[arg-type]
            required=False,
            help_text=_("Leave empty for a free goal."),
        )
    )
    target_level = _input(
        forms.IntegerField(label=_("Target level"), min_value=1, max_value=100, required=False)
    )
    due_on = _date(_("Due"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, competences: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competence"].queryset = competences


class ActivityForm(forms.Form):
    title = _input(forms.CharField(label=_("Activity"), max_length=300, required=False))
    kind = _select(forms.ChoiceField(label=_("Kind"), choices=PlanActivity.Kind.choices))
    goal = _select(forms.ModelChoiceField(label=_("Goal"), queryset=None, required=False))  # type: ignore[arg-type]
    enrolment = _select(
        forms.ModelChoiceField(
            label=_("Booking"),
            queryset=None,  # type: ignore[arg-type]
            required=False,
            help_text=_(
                "A course the person is booked on or has asked for; the activity follows its status."
            ),
        )
    )
    responsible = _select(forms.ChoiceField(label=_("Responsible"), choices=PlanActivity.Responsible.choices))
    due_on = _date(_("Due"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, goals: Any, enrolments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        self.fields["enrolment"].queryset = enrolments
        self.fields["enrolment"].label_from_instance = lambda e: e.cohort.display_title


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FollowUpForm(forms.Form):
    note = _text(_("What came of it"), rows=3, required=True)
    next_on = _date(_("Next follow-up (optional)"), required=False)


class GoalStatusForm(forms.Form):
    status = _select(forms.ChoiceField(label=_("Status"), choices=PlanGoal.Status.choices))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class GroupRecordForm(forms.Form):
    shared_goals = _text(_("Shared goals for the team"), rows=5, required=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_fields = []
        for member in members:
            name = f"agreement_{member.pk}"
            self.fields[name] = _text(_("Agreements with %(name)s") % {"name": member.employee.name}, rows=2)
            self.member_fields.append((name, member))

    def agreements(self) -> dict[int, str]:
        return {member.pk: self.cleaned_data.get(name, "") for name, member in self.member_fields}
