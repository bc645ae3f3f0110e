"""Writes of the gap analysis' own settings. (Gap facts and aggregates are written only by
`kapabel.gaps.upkeep`.)"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kapabel.core import audit
from kapabel.core.models import Municipality
from kapabel.gaps import upkeep
from kapabel.gaps.models import GapSettings

SETTING_FIELDS = ("min_group_size", "weight_essential", "weight_important", "weight_nice_to_have")


@transaction.atomic
def gap_settings_update(*, municipality: Municipality, actor: Any, **values: int) -> GapSettings:
    """Change the minimum group size or the importance weights. New weights change every weighted
    gap, so the municipality's aggregates are rebuilt in the same transaction."""
    settings, _created = GapSettings.objects.get_or_create(municipality=municipality)
    changes = audit.update_audited(
        settings,
        fields=SETTING_FIELDS,
        values=values,
        action="gaps.settings.updated",
        actor=actor,
        municipality_id=municipality.pk,
        object_repr=str(municipality),
    )
    if any(key.startswith("weight_") for key in changes):
        upkeep.rebuild(municipality)
    return settings
