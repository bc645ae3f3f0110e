"""Writes of the programmes app. Import the services from here."""

from kapabel.programmes.services.common import Refused
from kapabel.programmes.services.coverage import (
    placement_create,
    placement_delete,
    substitute_create,
    substitute_update,
)
from kapabel.programmes.services.documents import document_add
from kapabel.programmes.services.funding import (
    application_create,
    application_move,
    check_scheme_open,
    scheme_parameter_create,
    scheme_parameter_update,
    window_of,
)
from kapabel.programmes.services.programmes import (
    hourly_cost_set,
    participant_phase_set,
    participant_statuses_set,
    participants_add,
    partner_add,
    partner_remove,
    phase_create,
    phase_update,
    programme_create,
    programme_set_target,
    programme_update,
    steering_member_add,
    steering_member_remove,
)

__all__ = [
    "Refused",
    "application_create",
    "application_move",
    "check_scheme_open",
    "document_add",
    "hourly_cost_set",
    "participant_phase_set",
    "participant_statuses_set",
    "participants_add",
    "partner_add",
    "partner_remove",
    "phase_create",
    "phase_update",
    "placement_create",
    "placement_delete",
    "programme_create",
    "programme_set_target",
    "programme_update",
    "scheme_parameter_create",
    "scheme_parameter_update",
    "steering_member_add",
    "steering_member_remove",
    "substitute_create",
    "substitute_update",
    "window_of",
]
