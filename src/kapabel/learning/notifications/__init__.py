"""Learning e-mails (issue 12 #6): status moves, reminders and changed dates, in Danish or English per
recipient, each booking e-mail with an iCalendar invitation (or cancellation).

`on_event` listens to `kapabel.learning.events` (registered in `LearningConfig.ready()`); events
reach it after the transaction committed, so a rolled-back transition sends nothing. Everything
sent is recorded in `NotificationLog` under a unique key, so nothing is sent twice."""

from __future__ import annotations

from typing import Any

from kapabel.learning.notifications.delivery import Outgoing
from kapabel.learning.notifications.schedule import notify_cohort_changed, reminders_send
from kapabel.learning.notifications.status import notify_status_changes

__all__ = ["Outgoing", "notify_cohort_changed", "notify_status_changes", "on_event", "reminders_send"]


def on_event(event: str, payload: dict[str, Any]) -> None:
    if event == "enrolment_status":
        notify_status_changes(payload.get("changes", []))
    elif event == "cohort_changed":
        notify_cohort_changed(payload["cohort"])
