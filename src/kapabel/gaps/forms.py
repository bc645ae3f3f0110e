"""The trend page's choice of two points in time: two campaigns or two dates. The one check the
HTML page and the API both use."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kapabel.assessments.models import Campaign
from kapabel.core.forms import DesignSystemFormMixin
from kapabel.gaps.models import GapSettings

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TrendForm(DesignSystemFormMixin, forms.Form):
    """Two different campaigns, the first opening no later than the second; or two dates, the
    first before the second. Nothing chosen is valid too (the page then picks the last two
    campaigns)."""

    a = forms.ModelChoiceField(
        label=_("First campaign"), queryset=Campaign.objects.none(), required=False, empty_label="–"
    )
    b = forms.ModelChoiceField(
        label=_("Second campaign"), queryset=Campaign.objects.none(), required=False, empty_label="–"
    )

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        self._campaigns = campaigns
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two are added here rather than declared.
        self.fields["from"] = forms.DateField(label=_("or from date"), required=False, widget=DATE)
        self.fields["to"] = forms.DateField(label=_("to date"), required=False, widget=DATE)
        self._apply_querysets()

    def _apply_querysets(self) -> None:
        for name in ("a", "b"):
            self.fields[name].queryset = self._campaigns

    def full_clean(self) -> None:
        # The design-system mixin validates during __init__, before the querysets are set.
        self._apply_querysets()
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a: Campaign | None = data.get("a")
        b: Campaign | None = data.get("b")
        if (a is None) != (b is None) and "a" not in self.errors and "b" not in self.errors:
            self.add_error("b" if b is None else "a", _("Choose both campaigns to compare, or neither."))
        elif a is not None and b is not None:
            if a == b:
                self.add_error("b", _("Choose two different campaigns to compare."))
            elif a.opens_on > b.opens_on:
                self.add_error("b", _("The second campaign must open on or after the first. Swap them."))
        start: datetime.date | None = data.get("from")
        end: datetime.date | None = data.get("to")
        if (start is None) != (end is None) and "from" not in self.errors and "to" not in self.errors:
            self.add_error("to" if end is None else "from", _("Give both dates to compare, or neither."))
        elif start is not None and end is not None and end <= start:
            self.add_error("to", _("The second date must be after the first."))
        return data


class GapSettingsForm(DesignSystemFormMixin, forms.ModelForm):
    """A municipality's gap-analysis settings; the service validates and rebuilds on new weights."""

    class Meta:
        model = GapSettings
        fields = [
            "weight_essential",
            "weight_important",
            "weight_nice_to_have",
            "min_group_size",
            "leader_influence",
            "leader_future_share",
        ]
        labels = {
            "weight_essential": _("Essential"),
            "weight_important": _("Important"),
            "weight_nice_to_have": _("Nice to have"),
            "min_group_size": _("Smallest group shown"),
        }
        help_texts = {
            "min_group_size": _(
                "Figures for fewer people than this are hidden from those who may not see the people "
                "themselves. At least 2."
            ),
        }
        widgets = {
            name: forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-width-xs"})
            for name in [
                "weight_essential",
                "weight_important",
                "weight_nice_to_have",
                "min_group_size",
                "leader_influence",
                "leader_future_share",
            ]
        }
