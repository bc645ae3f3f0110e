"""Every table that links to a person (a foreign key or many-to-many to `Employee` or `User`) is
covered by the GDPR registry (`kapabel.core.personal_data`): named by the holder that exports and
anonymises it, or declared not personal with a reason. A new app's table that links to a person fails
here until it is registered one way or the other."""

from __future__ import annotations

from django.apps import apps

from kapabel.core import personal_data
from kapabel.core.models import User
from kapabel.organisation.models import Employee


def linked_to_a_person() -> set[str]:
    linked = set()
    for model in apps.get_models():
        if not model.__module__.startswith("kapabel."):
            continue
        for field in model._meta.get_fields():
            relation = (field.concrete or field.many_to_many) and field.is_relation
            if relation and field.related_model in (Employee, User):
                linked.add(model._meta.label)
    return linked


def test_every_table_that_links_to_a_person_is_registered():
    covered, not_personal = personal_data.covered(), personal_data.not_personal()
    missing = sorted(linked_to_a_person() - set(covered) - set(not_personal))
    assert missing == [], f"register these in kapabel.core.personal_data: {missing}"
    assert not set(covered) & set(not_personal)
    assert all(reason.strip() for reason in not_personal.values())


def test_the_registry_names_only_real_tables():
    for label in [*personal_data.covered(), *personal_data.not_personal()]:
        apps.get_model(label)  # LookupError for a misspelt or removed table


def test_learning_and_dialogues_are_covered():
    covered = personal_data.covered()
    assert covered["learning.Enrolment"] == covered["learning.Evidence"] == "learning"
    assert covered["dialogues.Dialogue"] == covered["dialogues.Plan"] == "dialogues"
    assert covered["sso.SsoIdentity"] == "sso"
