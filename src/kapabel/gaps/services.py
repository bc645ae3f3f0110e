"""Writes of the gap analysis' own settings. (Gap facts and aggregates are written only by
`kapabel.gaps.upkeep`.)"""

from __future__ import annotations

from django.db import transaction

from kapabel.core import audit, jobs
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality
from kapabel.gaps import upkeep
from kapabel.gaps.models import GapSettings

SETTING_FIELDS = (
    "min_group_size",
    "weight_essential",
    "weight_important",
    "weight_nice_to_have",
    "leader_influence",
    "leader_future_share",
)


def gap_settings_update(
    *,
    municipality: Municipality,
    actor: Actor,
    min_group_size: int | None = None,
    weight_essential: int | None = None,
    weight_important: int | None = None,
    weight_nice_to_have: int | None = None,
    leader_influence: int | None = None,
    leader_future_share: int | None = None,
) -> GapSettings:
    """Change the minimum group size, the importance weights or how the leader survey weighs in the
    priorities (None: leave as it is). New weights change every weighted gap, so the municipality's
    aggregates are rebuilt in the same transaction (then a long write with a record of how it ended,
    `kapabel.core.jobs`); the leader survey's weight is applied when the priorities are read."""
    values = {
        "min_group_size": min_group_size,
        "weight_essential": weight_essential,
        "weight_important": weight_important,
        "weight_nice_to_have": weight_nice_to_have,
        "leader_influence": leader_influence,
        "leader_future_share": leader_future_share,
    }
    weights = (weight_essential, weight_important, weight_nice_to_have)
    if all(weight is None for weight in weights):
        with transaction.atomic():
            return _update(municipality=municipality, actor=actor, given=values)
    with jobs.long_write("gaps.settings", actor=actor, municipality=municipality):
        return _update(municipality=municipality, actor=actor, given=values)


def _update(*, municipality: Municipality, actor: Actor, given: dict[str, int | None]) -> GapSettings:
    settings, _created = GapSettings.objects.get_or_create(municipality=municipality)
    changes = audit.update_audited(
        settings,
        fields=SETTING_FIELDS,
        values={name: value for name, value in given.items() if value is not None},
        action="gaps.settings.updated",
        actor=actor,
        municipality_id=municipality.pk,
        object_repr=str(municipality),
    )
    if any(key.startswith("weight_") for key in changes):
        upkeep.rebuild(municipality, actor=actor)
    return settings
