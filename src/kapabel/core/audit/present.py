"""The audit log in words people read: who did what to which object, before → after by field label.

Apps name their actions in words with `describe_actions` (from `AppConfig.ready()`); an action no app
named is shown by its code. Field names become the model's field labels (verbose_name), foreign keys
become the names of what they point to (one query per related model for a whole page), choices their
labels, dates Danish dates. Codes, ids, checksums and hashes go to the event's details.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kapabel.core.audit import SYSTEM_ACTOR, search
from kapabel.core.models import AuditEvent

_ACTIONS: dict[str, Any] = {}
# Keys of `changes` that are not model fields, in words.
_KEYS: dict[str, Any] = {
    "count": gettext_lazy("Number"),
    "counts": gettext_lazy("Counts"),
    "skipped_rows": gettext_lazy("Skipped rows"),
    "campaign": gettext_lazy("Campaign"),
    "assessment": gettext_lazy("Assessment"),
    "role": gettext_lazy("Role"),
    "unit": gettext_lazy("Unit"),
    "competences": gettext_lazy("Competences"),
    "targets": gettext_lazy("Targets"),
    "people": gettext_lazy("People"),
    "anonymised": gettext_lazy("Rows anonymised"),
    "answers": gettext_lazy("Answers"),
    "participants": gettext_lazy("Participants"),
    "format": gettext_lazy("Format"),
}
# Keys whose values are codes for the technically minded: shown under the details toggle only.
TECHNICAL_KEYS = {"files", "redacted_events", "uri", "identifier", "sha256", "token", "prefix"}
_CODE = re.compile(
    r"^([0-9a-f]{32,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|https?://\S+)$",
    re.IGNORECASE,
)


def describe_actions(labels: dict[str, Any]) -> None:
    """Name actions in words: {"organisation.employee.updated": _("Changed an employee"), …}."""
    _ACTIONS.update(labels)


def action_label(action: str) -> str:
    label = _ACTIONS.get(action)
    return str(label) if label is not None else action


def model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = model_for(object_type)
    return str(capfirst(model._meta.verbose_name)) if model is not None else object_type


@dataclass
class ChangeLine:
    label: str
    before: str
    after: str


@dataclass
class EventRow:
    event: AuditEvent
    who: str
    what: str
    object_type: str
    object_text: str
    person_name: str = ""  # whom the event is about, as they are called now
    changes: list[ChangeLine] = field(default_factory=list)
    technical: list[tuple[str, str]] = field(default_factory=list)  # (key, raw value)

    @property
    def redacted(self) -> bool:
        return self.event.redacted_at is not None

    @property
    def is_read(self) -> bool:
        return self.event.kind == AuditEvent.Kind.READ


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _related(model_field: models.Field[Any, Any] | None) -> type[models.Model] | None:
    if model_field is None or not model_field.is_relation:
        return None
    related = model_field.related_model
    return related if isinstance(related, type) and issubclass(related, models.Model) else None


def _ids(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, int) and not isinstance(item, bool)]
    return []


def _names(rows: Sequence[AuditEvent]) -> dict[type[models.Model], dict[int, str]]:
    """For every foreign key value on the page, the name of what it points to (one query per model)."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for event in rows:
        model = model_for(event.object_type)
        if not isinstance(event.changes, dict):
            continue
        for key, pair in event.changes.items():
            related = _related(_field(model, key))
            if related is not None and isinstance(pair, list):
                for value in pair:
                    wanted[related].update(_ids(value))
    return {
        related: {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=sorted(ids))}
        for related, ids in wanted.items()
    }


def _plain_text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return str(formats.number_format(value))
    if isinstance(value, list):
        return ", ".join(_plain_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_plain_text(item)}" for key, item in value.items())
    return str(value)


def _value_text(
    value: Any, model_field: models.Field[Any, Any] | None, names: dict[type[models.Model], dict[int, str]]
) -> str:
    if value is None or value == "" or value == []:
        return "–"
    related = _related(model_field)
    if related is not None:
        known = names.get(related, {})
        return ", ".join(known.get(pk, _("#%(id)s (removed)") % {"id": pk}) for pk in _ids(value)) or "–"
    if model_field is not None and model_field.choices and not isinstance(value, list | dict):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            local = timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed
            return str(formats.date_format(local, "SHORT_DATETIME_FORMAT"))
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        parsed_date = parse_date(value)
        if parsed_date is not None:
            return str(formats.date_format(parsed_date, "SHORT_DATE_FORMAT"))
    return _plain_text(value)


def _is_code(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_CODE.match(value))
    if isinstance(value, list):
        return bool(value) and all(_is_code(item) for item in value)
    return False


def _key_label(model_field: models.Field[Any, Any] | None, key: str) -> str:
    automatic = key.replace("_", " ")
    if model_field is not None and str(model_field.verbose_name) != automatic:
        return str(capfirst(model_field.verbose_name))
    label = _KEYS.get(key)
    if label is None and model_field is not None:
        label = model_field.verbose_name
    return str(capfirst(label)) if label is not None else capfirst(automatic)


def _who(event: AuditEvent) -> str:
    if event.actor is not None and event.redacted_at is None:
        full = event.actor.get_full_name()
        if full:
            return f"{full} ({event.actor_label})"
    if event.actor_label == SYSTEM_ACTOR:
        return _("The system")
    return event.actor_label


def present(events: Sequence[AuditEvent]) -> list[EventRow]:
    """The page's events in words (`events` with `actor` selected)."""
    names = _names(events)
    people = search.people_names({e.person for e in events if e.person is not None})
    rows = []
    for event in events:
        model = model_for(event.object_type)
        row = EventRow(
            event=event,
            who=_who(event),
            what=action_label(event.action),
            object_type=object_type_label(event.object_type) if event.object_type else "",
            object_text=event.object_repr,
        )
        changes = event.changes if isinstance(event.changes, dict) else {}
        # A creation shows the values it set, not "– → value".
        created = event.action.endswith(".created") or all(
            isinstance(v, list) and len(v) == 2 and v[0] in (None, "", []) for v in changes.values()
        )
        if event.person is not None and not (
            event.object_type == "organisation.employee" and event.object_id == str(event.person)
        ):
            row.person_name = people.get(event.person, "")
        for key, value in changes.items():
            if (
                key in TECHNICAL_KEYS
                or _is_code(value)
                or (isinstance(value, list) and any(map(_is_code, value)))
            ):
                row.technical.append((key, _plain_text(value)))
                continue
            model_field = _field(model, key)
            label = _key_label(model_field, key)
            if isinstance(value, list) and len(value) == 2:  # the usual {field: [before, after]}
                before, after = (_value_text(item, model_field, names) for item in value)
                if created and after == "–":
                    continue
                row.changes.append(ChangeLine(label, "" if created else before, after))
            else:
                row.changes.append(ChangeLine(label, "", _value_text(value, model_field, names)))
        rows.append(row)
    return rows
