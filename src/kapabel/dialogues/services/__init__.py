"""The dialogue services (writes). Import from here."""

from kapabel.dialogues.services.common import Refused
from kapabel.dialogues.services.cycles import (
    consent_set,
    cycle_close,
    cycle_create,
    dialogue_book,
    dialogue_cancel_booking,
    dialogue_record,
    dialogue_request,
    nearest_manager,
    preparation_save,
)
from kapabel.dialogues.services.groups import group_book, group_create, group_record
from kapabel.dialogues.services.plans import (
    activity_add,
    activity_update,
    follow_up_record,
    follow_up_schedule,
    goal_add,
    goal_update,
    plan_confirm,
    plan_create,
)
from kapabel.dialogues.services.reminders import reminders_send

__all__ = [
    "Refused",
    "activity_add",
    "activity_update",
    "consent_set",
    "cycle_close",
    "cycle_create",
    "dialogue_book",
    "dialogue_cancel_booking",
    "dialogue_record",
    "dialogue_request",
    "follow_up_record",
    "follow_up_schedule",
    "goal_add",
    "goal_update",
    "group_book",
    "group_create",
    "group_record",
    "nearest_manager",
    "plan_confirm",
    "plan_create",
    "preparation_save",
    "reminders_send",
]
