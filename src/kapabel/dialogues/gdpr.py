"""What development dialogues hold about a person (kapabel.core.personal_data): their dialogues (the
booking, their request, the notes and agreements), their preparation, what the manager shared of
theirs, the levels agreed, their development plans with goals, activities, follow-ups and versions,
their consent for a new manager, and the team dialogues they took part in.

Private preparation: notes nobody has shared are shown only to their author (issue 14), so the export
holds the person's own unshared notes as a marker ("private") and the manager's unshared notes not at
all; the person reads their own on "My dialogue". Others appear only as roles (side "manager").

Anonymising keeps every dialogue, plan, goal, activity and follow-up with its dates, states,
competences and levels (coverage and the plan statistics rest on them) and blanks the free text
written by or about the person: dialogue notes, agreements and request, preparation, free goals and
activities, follow-up notes, in every kept version of a plan; others' text that mentions them is
scrubbed."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from kapabel.core.audit import Actor
from kapabel.core.personal_data import REDACTED, Field, Person, Section, scrub_texts
from kapabel.dialogues.models import (
    AgreedLevel,
    Consent,
    Dialogue,
    FollowUp,
    GroupDialogue,
    Plan,
    PlanActivity,
    PlanGoal,
    PlanVersion,
    Preparation,
)

PRIVATE = gettext_lazy("Private: only its author reads it, on their own page")


def _answers(answers: Any) -> str:
    if not isinstance(answers, dict):
        return ""
    return "\n".join(f"{key}: {value}" for key, value in sorted(answers.items()) if value)


def _blank_answers(answers: Any) -> Any:
    return {key: "" for key in answers} if isinstance(answers, dict) else answers


def _dialogue_label(dialogue: Dialogue) -> str:
    name = dialogue.cycle.name if dialogue.cycle else str(dialogue.get_kind_display())
    return f"{name} ({dialogue.due_on:%Y-%m-%d})"


class DialoguesData:
    key = "dialogues"
    title = gettext_lazy("Development dialogues and plans")
    models = (
        "dialogues.Dialogue",
        "dialogues.GroupDialogue",
        "dialogues.Preparation",
        "dialogues.Plan",
        "dialogues.Consent",
        "dialogues.Summary",
    )

    def export(self, person: Person) -> list[Section]:
        employee_id = person.employee_id
        dialogues = list(
            Dialogue.objects.filter(employee_id=employee_id).select_related("cycle").order_by("due_on", "id")
        )
        by_id = {d.pk: d for d in dialogues}
        # Their own preparation, and what the other party shared with them.
        own = Q(author_id=person.user_id) if person.user_id else Q(pk__in=[])
        preparations = Preparation.objects.filter(Q(shared=True) | own, dialogue_id__in=list(by_id)).order_by(
            "dialogue_id", "side"
        )
        agreed = (
            AgreedLevel.objects.filter(dialogue__employee_id=employee_id)
            .select_related("competence", "dialogue__cycle")
            .order_by("created_at", "id")
        )
        plans = list(Plan.objects.filter(employee_id=employee_id).order_by("starts_on", "id"))
        plan_titles = {p.pk: p.title for p in plans}
        goals = (
            PlanGoal.objects.filter(plan__employee_id=employee_id)
            .select_related("competence")
            .order_by("plan_id", "position", "id")
        )
        activities = PlanActivity.objects.filter(plan__employee_id=employee_id).order_by(
            "plan_id", "position", "id"
        )
        follow_ups = FollowUp.objects.filter(plan__employee_id=employee_id).order_by("due_on", "id")
        versions = PlanVersion.objects.filter(plan__employee_id=employee_id).order_by("plan_id", "number")
        consent = Consent.objects.filter(employee_id=employee_id).first()
        groups = GroupDialogue.objects.filter(members__employee_id=employee_id).distinct().order_by("id")
        return [
            Section(
                "dialogues",
                gettext_lazy("Development dialogues"),
                [
                    Field("cycle", gettext_lazy("Cycle")),
                    Field("kind", gettext_lazy("Kind")),
                    Field("state", gettext_lazy("State")),
                    Field("window_opens", gettext_lazy("Window opens"), "date"),
                    Field("due_on", gettext_lazy("Due"), "date"),
                    Field("starts_at", gettext_lazy("Booked for"), "date"),
                    Field("place", gettext_lazy("Place")),
                    Field("requested_at", gettext_lazy("Requested by the person"), "date"),
                    Field("request_note", gettext_lazy("Request")),
                    Field("held_at", gettext_lazy("Held"), "date"),
                    Field("notes", gettext_lazy("Notes")),
                    Field("agreements", gettext_lazy("Agreements")),
                ],
                [
                    [
                        d.cycle.name if d.cycle else "",
                        d.get_kind_display(),
                        d.get_state_display(),
                        d.window_opens,
                        d.due_on,
                        d.starts_at,
                        d.place,
                        d.requested_at,
                        d.request_note,
                        d.held_at,
                        d.notes,
                        d.agreements,
                    ]
                    for d in dialogues
                ],
            ),
            Section(
                "dialogue_preparations",
                gettext_lazy("Preparation for the dialogues"),
                [
                    Field("dialogue", gettext_lazy("Dialogue")),
                    Field("side", gettext_lazy("Written by")),
                    Field("shared", gettext_lazy("Shared")),
                    Field("notes", gettext_lazy("Notes")),
                    Field("answers", gettext_lazy("Answers")),
                    Field("updated", gettext_lazy("Updated"), "date"),
                ],
                [
                    [
                        _dialogue_label(by_id[p.dialogue_id]),
                        p.get_side_display(),
                        p.shared,
                        p.notes if p.shared else str(PRIVATE),
                        _answers(p.answers) if p.shared else str(PRIVATE),
                        p.updated_at,
                    ]
                    for p in preparations
                ],
            ),
            Section(
                "agreed_levels",
                gettext_lazy("Levels agreed in dialogues"),
                [
                    Field("dialogue", gettext_lazy("Dialogue")),
                    Field("competence", gettext_lazy("Competence")),
                    Field("level", gettext_lazy("Level"), "int"),
                    Field("agreed", gettext_lazy("Agreed"), "date"),
                ],
                [[_dialogue_label(a.dialogue), str(a.competence), a.level, a.created_at] for a in agreed],
            ),
            Section(
                "plans",
                gettext_lazy("Development plans"),
                [
                    Field("title", gettext_lazy("Plan")),
                    Field("starts_on", gettext_lazy("Starts"), "date"),
                    Field("ends_on", gettext_lazy("Ends"), "date"),
                    Field("status", gettext_lazy("Status")),
                    Field("employee_confirmed", gettext_lazy("Confirmed by the person"), "date"),
                    Field("manager_confirmed", gettext_lazy("Confirmed by the manager"), "date"),
                    Field("agreed", gettext_lazy("Agreed"), "date"),
                ],
                [
                    [
                        p.title,
                        p.starts_on,
                        p.ends_on,
                        p.get_status_display(),
                        p.employee_confirmed_at,
                        p.manager_confirmed_at,
                        p.agreed_at,
                    ]
                    for p in plans
                ],
            ),
            Section(
                "plan_goals",
                gettext_lazy("Goals of the plans"),
                [
                    Field("plan", gettext_lazy("Plan")),
                    Field("goal", gettext_lazy("Goal")),
                    Field("competence", gettext_lazy("Competence")),
                    Field("target_level", gettext_lazy("Target level"), "int"),
                    Field("due_on", gettext_lazy("Due"), "date"),
                    Field("status", gettext_lazy("Status")),
                ],
                [
                    [
                        plan_titles[g.plan_id],
                        g.title,
                        str(g.competence) if g.competence else "",
                        g.target_level,
                        g.due_on,
                        g.get_status_display(),
                    ]
                    for g in goals
                ],
            ),
            Section(
                "plan_activities",
                gettext_lazy("Activities of the plans"),
                [
                    Field("plan", gettext_lazy("Plan")),
                    Field("activity", gettext_lazy("Activity")),
                    Field("kind", gettext_lazy("Kind")),
                    Field("responsible", gettext_lazy("Responsible")),
                    Field("due_on", gettext_lazy("Due"), "date"),
                    Field("status", gettext_lazy("Status")),
                ],
                [
                    [
                        plan_titles[a.plan_id],
                        a.title,
                        a.get_kind_display(),
                        a.get_responsible_display(),
                        a.due_on,
                        a.get_status_display(),
                    ]
                    for a in activities
                ],
            ),
            Section(
                "plan_follow_ups",
                gettext_lazy("Follow-ups of the plans"),
                [
                    Field("plan", gettext_lazy("Plan")),
                    Field("due_on", gettext_lazy("Due"), "date"),
                    Field("done", gettext_lazy("Done"), "date"),
                    Field("note", gettext_lazy("Note")),
                ],
                [[plan_titles[f.plan_id], f.due_on, f.done_at, f.note] for f in follow_ups],
            ),
            Section(
                "plan_versions",
                gettext_lazy("Kept versions of the plans"),
                [
                    Field("plan", gettext_lazy("Plan")),
                    Field("number", gettext_lazy("Version"), "int"),
                    Field("created", gettext_lazy("Created"), "date"),
                    Field("agreed", gettext_lazy("Agreed"), "date"),
                ],
                [[plan_titles[v.plan_id], v.number, v.created_at, v.agreed_at] for v in versions],
            ),
            Section(
                "dialogue_consent",
                gettext_lazy("Consent for a new manager"),
                [Field("new_manager_may_read", gettext_lazy("A new manager may read dialogues and plans"))],
                [[consent.new_manager_may_read]] if consent else [],
            ),
            Section(
                "team_dialogues",
                gettext_lazy("Team dialogues the person took part in"),
                [
                    Field("title", gettext_lazy("Team dialogue")),
                    Field("held_at", gettext_lazy("Held"), "date"),
                ],
                [[g.title, g.held_at] for g in groups],
            ),
        ]

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        employee_id = person.employee_id
        changed = (
            Dialogue.objects.filter(employee_id=employee_id)
            .filter(~Q(request_note="") | ~Q(notes="") | ~Q(agreements=""))
            .update(request_note="", notes="", agreements="")
        )
        for preparation in Preparation.objects.filter(dialogue__employee_id=employee_id).only(
            "pk", "notes", "answers"
        ):
            answers = _blank_answers(preparation.answers)
            if preparation.notes or answers != preparation.answers:
                Preparation.objects.filter(pk=preparation.pk).update(notes="", answers=answers)
                changed += 1
        changed += FollowUp.objects.filter(plan__employee_id=employee_id).exclude(note="").update(note="")
        # Free goals and activities: their titles are text about the person; a goal on a competence is
        # named by it, an activity that is a booking by the course.
        goals: dict[int, str] = {}
        for goal in PlanGoal.objects.filter(plan__employee_id=employee_id).select_related("competence"):
            goals[goal.pk] = str(goal.competence) if goal.competence else REDACTED
        activities: dict[int, str] = {}
        for activity in PlanActivity.objects.filter(plan__employee_id=employee_id):
            linked = activity.enrolment_id or activity.internal_activity_id
            activities[activity.pk] = activity.title if linked else REDACTED
        for pk, title in goals.items():
            changed += PlanGoal.objects.filter(pk=pk).exclude(title=title).update(title=title)
        for pk, title in activities.items():
            changed += PlanActivity.objects.filter(pk=pk).exclude(title=title).update(title=title)
        for version in PlanVersion.objects.filter(plan__employee_id=employee_id).only("pk", "snapshot"):
            snapshot = _blank_snapshot(version.snapshot, goals, activities)
            if snapshot != version.snapshot:
                PlanVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)
                changed += 1
        if person.username:
            changed += PlanVersion.objects.filter(
                plan__municipality_id=person.municipality_id, created_by_label=person.username
            ).update(created_by_label=person.anonymised_username)
        # Others' text in the municipality (and the plans' titles) that mentions the person.
        municipality = Q(municipality_id=person.municipality_id)
        in_plans = Q(plan__municipality_id=person.municipality_id)
        in_dialogues = Q(dialogue__municipality_id=person.municipality_id)
        for model, field, scope in (
            (Dialogue, "request_note", municipality),
            (Dialogue, "notes", municipality),
            (Dialogue, "agreements", municipality),
            (Dialogue, "place", municipality),
            (GroupDialogue, "title", municipality),
            (GroupDialogue, "shared_goals", municipality),
            (Preparation, "notes", in_dialogues),
            (Preparation, "answers", in_dialogues),
            (Plan, "title", municipality),
            (PlanGoal, "title", in_plans),
            (PlanActivity, "title", in_plans),
            (FollowUp, "note", in_plans),
            (PlanVersion, "snapshot", in_plans),
            (PlanVersion, "created_by_label", in_plans),
        ):
            changed += scrub_texts(person, model, field, scope)
        return changed


def _blank_snapshot(snapshot: Any, goals: dict[int, str], activities: dict[int, str]) -> Any:
    """A kept version of a plan with the titles of its goals and activities as anonymised."""
    if not isinstance(snapshot, dict):
        return snapshot
    blanked = dict(snapshot)
    for key, titles in (("goals", goals), ("activities", activities)):
        items = snapshot.get(key)
        if isinstance(items, list):
            blanked[key] = [
                {**item, "title": titles.get(item.get("id") or 0, REDACTED)}
                if isinstance(item, dict)
                else item
                for item in items
            ]
    return blanked
