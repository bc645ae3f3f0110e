"""The GDPR export and anonymisation (issue 15.6) cover learning and development dialogues: what the
two apps hold about a person is in the export (their private preparation only as a marker: nobody but
its author reads it), and anonymising blanks it everywhere while the rows stay."""

from __future__ import annotations

import json

from kapabel.core.audit import chain
from kapabel.dialogues.models import Dialogue, FollowUp, PlanActivity, PlanGoal, PlanVersion, Preparation
from kapabel.learning.models import CalendarFeed, Enrolment, InternalActivity, NotificationLog
from kapabel.privacy import services
from tests.privacy.test_anonymise import EMMA, mentions
from tests.privacy.test_export import assert_nothing_of_others, sections_by_key


def test_the_export_holds_her_learning_and_dialogues(world, rich_more, login):
    response = login(world.user("admin")).get(f"/privacy/people/{world.employee.pk}/export/?format=json")
    document = json.loads(response.content)
    assert {"learning", "dialogues"} <= {part["key"] for part in document["parts"]}
    sections = sections_by_key(document)
    [enrolment] = sections["enrolments"]
    assert (
        enrolment["offer"] == "Kommunikation med borgere"
        and enrolment["note"] == "Emma Employee ønsker kurset"
    )
    assert sections["enrolment_history"]
    assert sections["internal_learning"][0]["outcome"] == "Emma Employee lærte sagsbehandling"
    assert [n["subject"] for n in sections["learning_notifications"]] == ["Emma Employee, du er tilmeldt"]
    assert sections["learning_preferences"][0]["calendar_feed"]
    [dialogue] = sections["dialogues"]
    assert dialogue["notes"] == "Emma Employee vil gerne være teamleder"
    assert dialogue["agreements"] == "Emma Employee tager kurset"
    # Her own private preparation: there, as a marker; the manager's private one: not at all.
    [preparation] = sections["dialogue_preparations"]
    assert preparation["side"] == "Medarbejder" and preparation["shared"] is False
    assert (
        preparation["notes"]
        == preparation["answers"]
        == "Privat: kun forfatteren læser det, på sin egen side"
    )
    assert [g["goal"] for g in sections["plan_goals"]] == ["Lede et team som Emma Employee"]
    assert {a["activity"] for a in sections["plan_activities"]} == {
        "Emma Employee følger en teamleder",
        "Kommunikation med borgere",
    }
    assert sections["plans"][0]["agreed"] and sections["plan_versions"]
    assert sections["plan_follow_ups"][0]["note"] == "Emma Employee er godt på vej"
    assert sections["dialogue_consent"] == [{"new_manager_may_read": True}]
    text = response.content.decode()
    assert "Min hemmelige forberedelse" not in text and "Lederens egne tanker" not in text
    # Carl's enrolment and dialogue, and his part as mentor, are his.
    assert "Sammen med Emma Employee" not in text and "Carl kan lære af" not in text
    assert_nothing_of_others(text)


def test_anonymising_blanks_her_learning_and_dialogues(world, rich_more):
    emma = world.employee
    assert {table for table, _column, _text in mentions(EMMA)} >= {
        "learning_enrolment",
        "learning_internalactivity",
        "learning_notificationlog",
        "dialogues_dialogue",
        "dialogues_plangoal",
        "dialogues_planactivity",
        "dialogues_planversion",
        "dialogues_followup",
    }
    counts = {
        "enrolments": Enrolment.objects.filter(employee=emma).count(),
        "goals": PlanGoal.objects.filter(plan__employee=emma).count(),
        "activities": PlanActivity.objects.filter(plan__employee=emma).count(),
        "versions": PlanVersion.objects.filter(plan__employee=emma).count(),
    }
    services.person_anonymise(employee=emma, actor=world.user("admin"))
    assert mentions(EMMA) == []
    # The rows stay (the statistics rest on them); the text by or about her is gone.
    assert counts == {
        "enrolments": Enrolment.objects.filter(employee=emma).count(),
        "goals": PlanGoal.objects.filter(plan__employee=emma).count(),
        "activities": PlanActivity.objects.filter(plan__employee=emma).count(),
        "versions": PlanVersion.objects.filter(plan__employee=emma).count(),
    }
    assert Enrolment.objects.get(pk=rich_more.enrolment.pk).note == ""
    assert InternalActivity.objects.get(pk=rich_more.activity.pk).outcome == ""
    dialogue = Dialogue.objects.get(pk=rich_more.dw.dialogue.pk)
    assert (dialogue.notes, dialogue.agreements, dialogue.state) == ("", "", "held")
    assert not Preparation.objects.filter(dialogue=dialogue).exclude(notes="").exists()
    assert set(PlanActivity.objects.filter(plan__employee=emma).values_list("title", flat=True)) == {
        "[…]",
        "Kommunikation med borgere",
    }
    assert not FollowUp.objects.filter(plan__employee=emma).exclude(note="").exists()
    assert not CalendarFeed.objects.filter(employee=emma).exists()
    [log] = NotificationLog.objects.filter(enrolment=rich_more.enrolment)
    assert log.recipient == "" and "@" not in log.key
    # Others' text keeps what is not about her.
    carl = Dialogue.objects.get(pk=rich_more.dw.colleague_dialogue.pk)
    assert carl.notes == "Carl kan lære af […]"
    assert chain.verify().ok
