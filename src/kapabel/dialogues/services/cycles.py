"""Cycles and dialogues: creating a cycle for a unit, booking, the person's request, preparing,
recording the dialogue (with agreed levels written to the rating history) and the person's consent."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.assessments.models import Source
from kapabel.assessments.services import RatingEntry, ratings_record
from kapabel.competences.models import Competence
from kapabel.core import audit
from kapabel.core.access import subtree_q
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.dialogues import calendar, permissions, summary
from kapabel.dialogues.models import (
    AgreedLevel,
    Consent,
    Cycle,
    Dialogue,
    DialogueState,
    GroupDialogue,
    Preparation,
)
from kapabel.dialogues.schedule import person_window
from kapabel.dialogues.services.common import (
    Refused,
    check_competence,
    check_version,
    is_user,
    local_date,
    require,
    text,
    when,
)
from kapabel.organisation.models import Employee, OrgUnit

# A request outside any open cycle must be held within this many days.
REQUEST_DAYS = 56


def clean_questions(questions: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The preparation form's questions: each in Danish and English, keys q1, q2, …"""
    cleaned: list[dict[str, str]] = []
    for number, question in enumerate(questions, start=1):
        da, en = str(question.get("da", "")).strip(), str(question.get("en", "")).strip()
        if not da and not en:
            continue
        if not da or not en:
            raise ValidationError(
                {"questions": _("Write question %(number)d in both Danish and English.") % {"number": number}}
            )
        cleaned.append({"key": f"q{len(cleaned) + 1}", "da": da[:500], "en": en[:500]})
    return cleaned


@transaction.atomic
def cycle_create(
    *,
    unit: OrgUnit,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    actor: Actor,
    kind: str = Cycle.Kind.INDIVIDUAL,
    schedule: str = Cycle.Schedule.FIXED,
    include_subtree: bool = True,
    window_days: int = 30,
    follow_up_months: int = 6,
    questions: Sequence[Mapping[str, Any]] = (),
) -> Cycle:
    """A cycle for the active people of `unit` (and the units below it): one dialogue per person, with
    their window and due date. Set-based: one insert for all the dialogues."""
    if is_user(actor):
        require(
            permissions.can_manage_cycles(actor, unit), _("Only HR or an administrator can create cycles.")
        )
    cycle = Cycle(
        municipality_id=unit.municipality_id,
        unit=unit,
        name=name.strip(),
        kind=kind,
        schedule=schedule,
        starts_on=starts_on,
        ends_on=ends_on,
        include_subtree=include_subtree,
        window_days=window_days,
        follow_up_months=follow_up_months,
        questions=clean_questions(questions),
        created_by=actor if isinstance(actor, User) else None,
    )
    cycle.full_clean()
    cycle.save()
    people = Employee.objects.filter(municipality_id=unit.municipality_id, active=True)
    people = (
        people.filter(subtree_q(unit.path, "unit__path")) if include_subtree else people.filter(unit=unit)
    )
    dialogue_kind = Dialogue.Kind.GROUP if kind == Cycle.Kind.GROUP else Dialogue.Kind.INDIVIDUAL
    rows = []
    for pk, unit_id, start in people.values_list("pk", "unit_id", "employment_start").iterator(
        chunk_size=5000
    ):
        opens, due = person_window(
            schedule=schedule,
            starts_on=starts_on,
            ends_on=ends_on,
            window_days=window_days,
            employment_start=start,
        )
        rows.append((pk, unit_id, opens, due))
    insert_dialogues(cycle, dialogue_kind, rows)
    cycle.dialogue_count = len(rows)
    cycle.save(update_fields=["dialogue_count"])
    audit.record(
        "dialogues.cycle.created",
        actor=actor,
        obj=cycle,
        changes={
            "unit": [None, unit.pk],
            "kind": [None, kind],
            "schedule": [None, schedule],
            "people": [0, len(rows)],
        },
    )
    return cycle


@transaction.atomic
def cycle_close(*, cycle: Cycle, actor: Actor) -> Cycle:
    if is_user(actor):
        require(
            permissions.can_manage_cycles(actor, cycle.unit),
            _("Only HR or an administrator can close cycles."),
        )
    audit.update_audited(
        cycle,
        fields=("status",),
        values={"status": Cycle.Status.CLOSED},
        action="dialogues.cycle.closed",
        actor=actor,
    )
    return cycle


# Columns of a new dialogue besides the person's: written in one statement per batch (a cycle for a
# whole municipality is tens of thousands of rows; the ORM's bulk_create spends most of its time
# compiling SQL for them).
_NEW_DIALOGUE = {
    "state": DialogueState.OPEN,
    "place": "",
    "sequence": 0,
    "request_note": "",
    "notes": "",
    "agreements": "",
    "version": 0,
}


def insert_dialogues(
    cycle: Cycle, kind: str, rows: Sequence[tuple[int, int, datetime.date, datetime.date]]
) -> None:
    """Insert one dialogue per (employee, unit, window opens, due) for `cycle` (inside the caller's
    transaction)."""
    ops = connection.ops
    quote = ops.quote_name
    constant = {
        "municipality_id": cycle.municipality_id,
        "cycle_id": cycle.pk,
        "kind": kind,
        "created_at": ops.adapt_datetimefield_value(timezone.now()),
        **_NEW_DIALOGUE,
    }
    fields = ["employee_id", "unit_id", "window_opens", "due_on", *constant]
    concrete = {f.attname: str(f.column) for f in Dialogue._meta.concrete_fields}
    columns = ", ".join(quote(concrete[name]) for name in fields)
    # Table and column names come from the model, the values are parameters.
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(Dialogue._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    tail = tuple(constant.values())
    dates: dict[datetime.date, Any] = {}

    def day(value: datetime.date) -> Any:
        if value not in dates:
            dates[value] = ops.adapt_datefield_value(value)
        return dates[value]

    values = [(pk, unit_id, day(opens), day(due), *tail) for pk, unit_id, opens, due in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 10000):
            cursor.executemany(sql, values[start : start + 10000])


# --- Booking -------------------------------------------------------------------------------------


def nearest_manager(employee: Employee) -> Employee | None:
    """A manager of the person's unit, or of the nearest unit above that has one (not the person)."""
    unit: OrgUnit | None = employee.unit
    while unit is not None:
        found = unit.managers.exclude(pk=employee.pk).order_by("name", "pk").first()
        if found is not None:
            return found
        unit = unit.parent
    return None


def _check_time(
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    window_opens: datetime.date,
    due_on: datetime.date,
    manager: Employee | None,
    exclude_dialogue: int | None = None,
    exclude_group: int | None = None,
) -> None:
    if ends_at <= starts_at:
        raise Refused(_("The dialogue must end after it starts."), code="times")
    if not (window_opens <= local_date(starts_at) <= due_on and local_date(ends_at) <= due_on):
        raise Refused(
            _("Book the dialogue within the cycle's window, from %(opens)s to %(due)s.")
            % {"opens": when(window_opens), "due": when(due_on)},
            code="outside_window",
        )
    if manager is None:
        return
    Employee.objects.select_for_update().filter(pk=manager.pk).first()  # serialise one manager's bookings
    clash = (
        Dialogue.objects.filter(
            manager=manager, state=DialogueState.BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(pk=exclude_dialogue or 0)
        .select_related("employee")
        .first()
    )
    group_clash = (
        GroupDialogue.objects.filter(
            manager=manager, held_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(pk=exclude_group or 0)
        .first()
    )
    if clash is not None or group_clash is not None:
        other_start = clash.starts_at if clash is not None else group_clash.starts_at  # type: ignore[union-attr]
        raise Refused(
            _("%(manager)s already has a dialogue at that time (%(time)s). Choose another time.")
            % {"manager": manager.name, "time": when(other_start)},  # type: ignore[arg-type]
            code="manager_overlap",
        )


@transaction.atomic
def dialogue_book(
    *,
    dialogue: Dialogue,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    actor: Actor,
    place: str = "",
    manager: Employee | None = None,
    version: int | None = None,
    send: bool = True,
) -> Dialogue:
    """Book (or move) a dialogue: within the window, and not at the same time as another of the
    manager's dialogues. Sends the iCalendar invitation to the person and the manager after commit."""
    locked = (
        Dialogue.objects.select_for_update(of=("self",))
        .select_related("employee__unit", "cycle")
        .get(pk=dialogue.pk)
    )
    employee = locked.employee
    if is_user(actor):
        require(permissions.can_book(actor, employee), _("Only the manager or HR can book this dialogue."))
    check_version(locked.version, version)
    if locked.state in (DialogueState.HELD, DialogueState.CANCELLED):
        raise Refused(
            _("This dialogue has been held or cancelled and can no longer be booked."), code="state"
        )
    if manager is None:
        own = getattr(actor, "employee", None) if isinstance(actor, User) else None
        manager = (
            own
            if own is not None and permissions.is_manager_of(actor, employee)
            else nearest_manager(employee)
        )
    _check_time(
        starts_at=starts_at,
        ends_at=ends_at,
        window_opens=locked.window_opens,
        due_on=locked.due_on,
        manager=manager,
        exclude_dialogue=locked.pk,
    )
    before = audit.snapshot(locked, ("starts_at", "ends_at", "place", "manager", "state"))
    rebooking = locked.state == DialogueState.BOOKED
    locked.starts_at, locked.ends_at, locked.place = starts_at, ends_at, text(place, 200)
    locked.manager = manager
    locked.state = DialogueState.BOOKED
    locked.sequence += 1 if rebooking else 0
    locked.version += 1
    locked.save()
    audit.record(
        "dialogues.dialogue.booked",
        actor=actor,
        obj=locked,
        changes=audit.diff(
            before, audit.snapshot(locked, ("starts_at", "ends_at", "place", "manager", "state"))
        ),
    )
    if send:
        event = calendar.dialogue_event(locked)
        people = [(employee.email, employee.name)] + ([(manager.email, manager.name)] if manager else [])
        transaction.on_commit(lambda: calendar.send_invitations(event, people))
    _copy(locked, dialogue)
    return locked


def _copy(source: Dialogue, target: Dialogue) -> None:
    for field in (
        "state",
        "starts_at",
        "ends_at",
        "place",
        "manager_id",
        "version",
        "sequence",
        "held_at",
        "requested_at",
        "notes",
        "agreements",
    ):
        setattr(target, field, getattr(source, field))


@transaction.atomic
def dialogue_cancel_booking(*, dialogue: Dialogue, actor: Actor, version: int | None = None) -> Dialogue:
    """Take a booking back (the dialogue is open again); sends the calendar cancellation."""
    locked = (
        Dialogue.objects.select_for_update(of=("self",))
        .select_related("employee__unit", "manager")
        .get(pk=dialogue.pk)
    )
    if is_user(actor):
        require(
            permissions.can_book(actor, locked.employee), _("Only the manager or HR can change this booking.")
        )
    check_version(locked.version, version)
    if locked.state != DialogueState.BOOKED:
        raise Refused(_("This dialogue is not booked."), code="state")
    event = calendar.dialogue_event(locked)
    cancelled = type(event)(
        **{**event.__dict__, "status": calendar.CANCELLED, "sequence": locked.sequence + 1}
    )
    locked.state, locked.starts_at, locked.ends_at = DialogueState.OPEN, None, None
    locked.sequence += 1
    locked.version += 1
    locked.save()
    audit.record(
        "dialogues.dialogue.unbooked", actor=actor, obj=locked, changes={"state": ["booked", "open"]}
    )
    people = [(locked.employee.email, locked.employee.name)]
    if locked.manager is not None:
        people.append((locked.manager.email, locked.manager.name))
    transaction.on_commit(lambda: calendar.send_invitations(cancelled, people, cancel=True))
    _copy(locked, dialogue)
    return locked


# --- The person's request --------------------------------------------------------------------------


@transaction.atomic
def dialogue_request(*, employee: Employee, actor: Actor, note: str = "") -> Dialogue:
    """The person asks for an individual dialogue, which must then be held: their dialogue in an open
    cycle is marked as asked for; in a team-dialogue cycle they get an individual one in the same
    cycle; outside any cycle a dialogue due within eight weeks is created."""
    if is_user(actor):
        require(
            permissions.side_of(actor, Dialogue(employee=employee, employee_id=employee.pk)) == "employee",
            _("Only the person can ask for their own dialogue."),
        )
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    waiting = Dialogue.objects.filter(
        employee=employee,
        kind=Dialogue.Kind.INDIVIDUAL,
        requested_at__isnull=False,
        state__in=[DialogueState.OPEN, DialogueState.BOOKED],
    ).first()
    if waiting is not None:
        raise Refused(
            _("You have already asked for a dialogue (on %(date)s); your manager has been told.")
            % {"date": when(waiting.requested_at)},  # type: ignore[arg-type]
            code="already_requested",
        )
    now = timezone.now()
    today = timezone.localdate()
    open_dialogues = Dialogue.objects.filter(
        employee=employee, cycle__status="open", state__in=[DialogueState.OPEN, DialogueState.BOOKED]
    ).select_related("cycle")
    individual = open_dialogues.filter(kind=Dialogue.Kind.INDIVIDUAL).order_by("due_on").first()
    if individual is not None:
        dialogue = individual
        dialogue.requested_at, dialogue.request_note = now, text(note, 2000)
        dialogue.version += 1
        dialogue.save(update_fields=["requested_at", "request_note", "version"])
    else:
        group = open_dialogues.filter(kind=Dialogue.Kind.GROUP).order_by("due_on").first()
        dialogue = Dialogue.objects.create(
            municipality_id=employee.municipality_id,
            cycle=group.cycle if group else None,
            employee=employee,
            unit_id=employee.unit_id,
            kind=Dialogue.Kind.INDIVIDUAL,
            window_opens=today,
            due_on=max(group.due_on, today) if group else today + datetime.timedelta(days=REQUEST_DAYS),
            requested_at=now,
            request_note=text(note, 2000),
        )
    audit.record(
        "dialogues.dialogue.requested", actor=actor, obj=dialogue, changes={"requested_at": [None, now]}
    )
    summary.refresh([employee.pk])
    return dialogue


# --- Preparation -----------------------------------------------------------------------------------


@transaction.atomic
def preparation_save(
    *,
    dialogue: Dialogue,
    actor: User,
    notes: str,
    shared: bool = False,
    answers: Mapping[str, str] | None = None,
) -> Preparation:
    """Save the actor's own preparation. Private to them until `shared`."""
    side = permissions.side_of(actor, dialogue)
    require(side is not None, _("Only the person and their manager prepare for this dialogue."))
    keys = {q["key"] for q in (dialogue.cycle.questions if dialogue.cycle else [])}
    cleaned = {k: text(v, 5000) for k, v in (answers or {}).items() if k in keys and str(v or "").strip()}
    preparation, _created = Preparation.objects.select_for_update().get_or_create(
        dialogue=dialogue, author=actor, defaults={"side": side or ""}
    )
    was_shared = preparation.shared
    preparation.notes, preparation.answers, preparation.shared = text(notes), cleaned, bool(shared)
    if shared and not was_shared:
        preparation.shared_at = timezone.now()
    preparation.save()
    # The audit row says that it changed and whether it is shared, never what it says.
    audit.record(
        "dialogues.preparation.saved",
        actor=actor,
        obj=preparation,
        municipality_id=dialogue.municipality_id,
        changes={"shared": [was_shared, preparation.shared]},
        object_repr=str(preparation),
    )
    return preparation


# --- Recording the dialogue ------------------------------------------------------------------------


@transaction.atomic
def dialogue_record(
    *,
    dialogue: Dialogue,
    actor: Actor,
    notes: str = "",
    agreements: str = "",
    levels: Mapping[Competence, int] | None = None,
    held_at: datetime.datetime | None = None,
    version: int | None = None,
) -> Dialogue:
    """The manager records the dialogue as held: notes, agreements, and levels agreed on, each written
    to the rating history (source "dialogue") so the current level and the gaps follow."""
    locked = (
        Dialogue.objects.select_for_update(of=("self",))
        .select_related("employee__unit", "unit")
        .get(pk=dialogue.pk)
    )
    employee = locked.employee
    if is_user(actor):
        require(permissions.side_of(actor, locked) == "manager", _("Only the manager records the dialogue."))
    check_version(locked.version, version)
    if locked.state == DialogueState.CANCELLED:
        raise Refused(_("This dialogue was cancelled."), code="state")
    held = (
        held_at
        or locked.held_at
        or (locked.starts_at if locked.starts_at and locked.starts_at <= timezone.now() else None)
        or timezone.now()
    )
    if held > timezone.now() + datetime.timedelta(minutes=5):
        raise Refused(_("A dialogue cannot be recorded as held in the future."), code="future")
    for competence, level in (levels or {}).items():
        check_competence(employee, competence, level, field="levels")
    if levels:
        ratings = ratings_record(
            municipality_id=employee.municipality_id,
            source=Source.DIALOGUE,
            entries=[
                RatingEntry(competence_id=c.pk, level=level, employee_id=employee.pk)
                for c, level in sorted(levels.items(), key=lambda item: item[0].pk)
            ],
            actor=actor,
            rated_at=held,
            audit_event=False,
        )
        AgreedLevel.objects.bulk_create(
            [
                AgreedLevel(dialogue=locked, competence_id=r.competence_id, level=r.level or 0, rating=r)
                for r in ratings
            ]
        )
    was = locked.state
    locked.notes, locked.agreements = text(notes), text(agreements)
    locked.state, locked.held_at, locked.held_year = DialogueState.HELD, held, timezone.localtime(held).year
    if locked.manager_id is None and isinstance(actor, User):
        locked.manager = getattr(actor, "employee", None)
    locked.version += 1
    locked.save()
    audit.record(
        "dialogues.dialogue.recorded",
        actor=actor,
        obj=locked,
        changes={"state": [was, locked.state], "levels": [0, len(levels or {})]},
    )
    summary.refresh([employee.pk])
    _copy(locked, dialogue)
    return locked


@transaction.atomic
def consent_set(*, employee: Employee, actor: Actor, allow: bool) -> Consent:
    """The person decides whether a manager of a unit they move to may read their earlier dialogues
    and plans."""
    if isinstance(actor, User):
        require(scope_employee(actor) == employee.pk, _("Only the person can decide this."))
    consent, _created = Consent.objects.get_or_create(employee=employee)
    audit.update_audited(
        consent,
        fields=("new_manager_may_read",),
        values={"new_manager_may_read": allow},
        action="dialogues.consent.changed",
        actor=actor,
        municipality_id=employee.municipality_id,
    )
    return consent


def scope_employee(user: User) -> int | None:
    from kapabel.core.access import scope_for

    return scope_for(user).employee_id
