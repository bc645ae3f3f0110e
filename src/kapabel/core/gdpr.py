"""What core holds about a person (kapabel.core.personal_data): their login, API tokens, failed
logins, and the audit trail — what was done about them and what they did.

The audit trail in an export names no one else: whoever read or changed the person's data appears as
"the person", "another user" or "the system" (a data subject has a right to know that their data was
consulted and when, not the names of the staff who did it: CJEU C-579/21, Pankki S). Its blanking on
anonymisation is `kapabel.core.audit.redaction`, which the anonymising service calls last."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kapabel.core.audit import Actor
from kapabel.core.audit.present import action_label, object_type_label
from kapabel.core.models import AuditEvent, FailedLogin, PersonalAccessToken, User
from kapabel.core.personal_data import Field, Person, Section


def _by_whom(event_actor_id: int | None, person: Person) -> str:
    if event_actor_id is None:
        return _("The system")
    if event_actor_id == person.user_id:
        return _("The person")
    return _("Another user")


class CoreData:
    key = "core"
    title = gettext_lazy("Login and audit trail")

    def export(self, person: Person) -> list[Section]:
        sections: list[Section] = []
        user = User.objects.filter(pk=person.user_id).first() if person.user_id else None
        if user is not None:
            sections.append(
                Section(
                    "login",
                    gettext_lazy("Login"),
                    [
                        Field("username", gettext_lazy("Username")),
                        Field("first_name", gettext_lazy("First name")),
                        Field("last_name", gettext_lazy("Last name")),
                        Field("email", gettext_lazy("E-mail")),
                        Field("active", gettext_lazy("Active")),
                        Field("joined", gettext_lazy("Created"), "date"),
                        Field("last_login", gettext_lazy("Last login"), "date"),
                    ],
                    [
                        [
                            user.username,
                            user.first_name,
                            user.last_name,
                            user.email,
                            user.is_active,
                            user.date_joined,
                            user.last_login,
                        ]
                    ],
                )
            )
            tokens = PersonalAccessToken.objects.filter(user=user).order_by("created_at")
            sections.append(
                Section(
                    "api_tokens",
                    gettext_lazy("API tokens"),
                    [
                        Field("name", gettext_lazy("Name")),
                        Field("scope", gettext_lazy("Scope")),
                        Field("created", gettext_lazy("Created"), "date"),
                        Field("expires", gettext_lazy("Expires"), "date"),
                        Field("last_used", gettext_lazy("Last used"), "date"),
                        Field("revoked", gettext_lazy("Revoked"), "date"),
                    ],
                    [
                        [
                            t.name,
                            t.get_scope_display(),
                            t.created_at,
                            t.expires_at,
                            t.last_used_at,
                            t.revoked_at,
                        ]
                        for t in tokens
                    ],
                )
            )
        fields = [
            Field("at", gettext_lazy("When"), "date"),
            Field("kind", gettext_lazy("Kind")),
            Field("action", gettext_lazy("What")),
            Field("object_type", gettext_lazy("Object type")),
            Field("by", gettext_lazy("By")),
        ]
        about = AuditEvent.objects.filter(person=person.employee_id).order_by("at", "id")
        sections.append(
            Section(
                "audit_about",
                gettext_lazy("Audit trail: changes to and reads of the person's data"),
                fields,
                [
                    self._event_row(e, person)
                    for e in about.only("at", "kind", "action", "object_type", "actor_id")
                ],
            )
        )
        if person.user_id:
            # What the person did: the kind of object only, since the object may be someone else.
            done = AuditEvent.objects.filter(actor_id=person.user_id).exclude(person=person.employee_id)
            sections.append(
                Section(
                    "audit_by",
                    gettext_lazy("Audit trail: what the person did"),
                    fields[:4],
                    [
                        self._event_row(e, person)[:4]
                        for e in done.order_by("at", "id").only("at", "kind", "action", "object_type")
                    ],
                )
            )
        return sections

    @staticmethod
    def _event_row(event: AuditEvent, person: Person) -> list[Any]:
        return [
            event.at,
            event.get_kind_display(),
            action_label(event.action),
            object_type_label(event.object_type) if event.object_type else "",
            _by_whom(event.actor_id, person),
        ]

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        """The login is kept (its id is in the audit log) but can no longer be used and names no one;
        tokens and failed logins go."""
        changed = 0
        if person.user_id is not None:
            changed += User.objects.filter(pk=person.user_id).update(
                username=person.anonymised_username,
                first_name="",
                last_name="",
                email="",
                is_active=False,
                password=make_password(None),
            )
            changed += PersonalAccessToken.objects.filter(user_id=person.user_id).delete()[0]
        usernames = [name for name in (person.username, person.email) if name]
        if usernames:
            changed += FailedLogin.objects.filter(Q(username__in=usernames)).delete()[0]
        return changed
