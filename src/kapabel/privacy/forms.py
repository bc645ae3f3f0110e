from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kapabel.core.forms import DesignSystemFormMixin
from kapabel.privacy.models import RetentionRule


class PersonSearchForm(DesignSystemFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Find a person"),
        max_length=200,
        help_text=_("Name, e-mail, employee number or external id. People who have left are included."),
        widget=forms.TextInput(attrs={"type": "search", "class": "input-width-xl"}),
    )


class AnonymiseForm(DesignSystemFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the person's name, e-mail and free text are removed for good."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that the person is to be anonymised.")},
    )


class RetentionRuleForm(DesignSystemFormMixin, forms.ModelForm):
    class Meta:
        model = RetentionRule
        fields = ["years", "valid_from", "source"]
        widgets = {
            "years": forms.NumberInput(attrs={"class": "input-width-xs"}),
            "valid_from": forms.DateInput(
                attrs={"type": "date", "class": "input-width-s"}, format="%Y-%m-%d"
            ),
            "source": forms.TextInput(attrs={"class": "input-width-xl"}),
        }
