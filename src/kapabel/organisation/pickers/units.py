"""The unit tree picker: the organisation as a tree of checkboxes, each chosen unit with or without
the units below it.

Posted as `<name>` (the chosen unit ids), `<name>_subtree` (those chosen with the units below them)
and a marker `<name>__tree` saying the tree sent them. Without the marker (a script, an older form)
`<name>` means "with the units below" and `<name>_only` "this unit only", as the campaign form's two
lists did before. The value is a list of (unit, include the units below) pairs.

Without JavaScript every unit is shown with both checkboxes; `organisation/pickers.js` folds the tree
(disclosure buttons), shows "with the units below" only for chosen units, marks the units a choice
already covers, and filters by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.widgets import Media
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from kapabel.organisation.models import OrgUnit

Choice = tuple[OrgUnit, bool]


@dataclass
class UnitNode:
    unit: OrgUnit
    children: list[UnitNode] = field(default_factory=list)
    chosen: bool = False
    subtree: bool = True
    open: bool = False  # shown unfolded: the top level, and the way down to a chosen unit


def unit_tree(units: Iterable[OrgUnit], chosen: Mapping[int, bool]) -> list[UnitNode]:
    """The units as a forest (a unit whose parent is not among them is a root), in path order, with
    the chosen ones marked and the branches leading to them unfolded."""
    nodes: dict[int, UnitNode] = {}
    roots: list[UnitNode] = []
    for unit in sorted(units, key=lambda u: (u.path, u.pk)):
        node = UnitNode(unit, chosen=unit.pk in chosen, subtree=chosen.get(unit.pk, True))
        nodes[unit.pk] = node
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)

    def unfold(node: UnitNode) -> bool:
        below = [unfold(child) for child in node.children]
        node.open = any(below)
        return node.chosen or node.open

    for root in roots:
        unfold(root)
        root.open = True
    for siblings in [roots, *(n.children for n in nodes.values())]:
        siblings.sort(key=lambda n: n.unit.name.casefold())
    return roots


class UnitTreeWidget(forms.Widget):
    template_name = "organisation/pickers/unit_tree.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None, *, always_below: bool = False) -> None:
        super().__init__(attrs)
        self.queryset: QuerySet[OrgUnit] = OrgUnit.objects.none()
        # For lists that store units without a choice (a unit always means it and the units below):
        # no "with the units below" checkboxes, and every chosen unit counts with its subtree.
        self.always_below = always_below

    @property
    def media(self) -> Media:
        return Media(
            css={"all": ["organisation/pickers.css"]},
            js=["organisation/pickers.js"],
        )

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> list[tuple[str, bool]]:
        getlist = data.getlist if hasattr(data, "getlist") else lambda key: list(data.get(key, []) or [])
        if self.always_below:
            return [(pk, True) for pk in getlist(name)]
        if data.get(f"{name}__tree"):
            subtree = set(getlist(f"{name}_subtree"))
            return [(pk, pk in subtree) for pk in getlist(name)]
        return [(pk, True) for pk in getlist(name)] + [(pk, False) for pk in getlist(f"{name}_only")]

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return False  # an empty tree means "no units", not "left out"

    def format_value(self, value: Any) -> dict[int, bool]:
        """{unit id: with the units below} from a posted or an initial value."""
        chosen: dict[int, bool] = {}
        for item in value or []:
            unit, subtree = item if isinstance(item, tuple | list) else (item, True)
            pk = unit.pk if isinstance(unit, OrgUnit) else str(unit)
            if str(pk).isdigit():
                chosen[int(pk)] = chosen.get(int(pk), False) or bool(subtree)
        return chosen

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = context["widget"]["value"]
        units = list(self.queryset)
        by_pk = {unit.pk: unit for unit in units}
        context["widget"].update(
            {
                "tree": unit_tree(units, chosen),
                "summary": [(by_pk[pk], subtree) for pk, subtree in chosen.items() if pk in by_pk],
                "many": len(units) > 12,
                "always_below": self.always_below,
            }
        )
        return context


class UnitScopeField(forms.Field):
    """Units chosen from a queryset the view narrowed to what the user may see, each with or
    without the units below it."""

    widget = UnitTreeWidget
    default_error_messages = {
        "invalid_choice": _("Choose units from the list. %(count)s of the chosen units cannot be used here."),
    }

    def __init__(self, *, queryset: QuerySet[OrgUnit] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else OrgUnit.objects.none()

    @property
    def queryset(self) -> QuerySet[OrgUnit]:
        return self._queryset

    @queryset.setter
    def queryset(self, queryset: QuerySet[OrgUnit]) -> None:
        self._queryset = queryset
        self.widget.queryset = queryset

    def to_python(self, value: Any) -> list[tuple[str, bool]]:
        return [(str(pk), bool(subtree)) for pk, subtree in value or [] if str(pk).strip()]

    def clean(self, value: Any) -> list[Choice]:
        pairs = self.to_python(value)
        if self.required and not pairs:
            raise ValidationError(self.error_messages["required"], code="required")
        merged: dict[int, bool] = {}
        bad = 0
        for pk, subtree in pairs:
            if not pk.isdigit():
                bad += 1
                continue
            merged[int(pk)] = merged.get(int(pk), False) or subtree
        units = self.queryset.in_bulk(list(merged)) if merged else {}
        bad += len(set(merged) - set(units))
        if bad:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"count": bad}
            )
        return [(units[pk], subtree) for pk, subtree in merged.items()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        widget = cast(UnitTreeWidget, self.widget)
        return widget.format_value(initial) != widget.format_value(data)
