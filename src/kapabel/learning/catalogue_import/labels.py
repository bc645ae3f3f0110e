"""Words for the catalogue import's counts and changed fields, shared by the page and the command."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from kapabel.learning.models import Offer


def count_labels() -> list[tuple[str, str]]:
    return [
        ("offers_created", _("New offers")),
        ("offers_updated", _("Changed offers")),
        ("offers_unchanged", _("Unchanged offers")),
        ("providers_created", _("New providers")),
        ("categories_created", _("New categories")),
        ("competence_links", _("Competences added to or removed from offers")),
    ]


def field_label(name: str) -> str:
    if name == "competences":
        return _("Competences developed")
    try:
        return str(getattr(Offer._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def action_label(action: str) -> str:
    return _("New") if action == "create" else _("Changed")
