"""What single sign-on holds about a person (kapabel.core.personal_data): the identities their login
is linked to at the municipality's identity providers (the provider and the identifying attribute's
value). Anonymising removes the links: they would name the person again and let them log in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from kapabel.core.audit import Actor
from kapabel.core.personal_data import Field, Person, Section
from kapabel.sso.models import SsoIdentity


class SsoData:
    key = "sso"
    title = gettext_lazy("Single sign-on")
    models = ("sso.SsoIdentity",)

    def export(self, person: Person) -> list[Section]:
        identities = (
            SsoIdentity.objects.filter(user_id=person.user_id)
            .select_related("provider")
            .order_by("created_at")
            if person.user_id
            else SsoIdentity.objects.none()
        )
        return [
            Section(
                "sso_identities",
                gettext_lazy("Identities at identity providers"),
                [
                    Field("provider", gettext_lazy("Identity provider")),
                    Field("subject", gettext_lazy("Identifier")),
                    Field("created", gettext_lazy("Created"), "date"),
                    Field("last_login", gettext_lazy("Last login"), "date"),
                ],
                [[i.provider.name, i.subject, i.created_at, i.last_login_at] for i in identities],
            )
        ]

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        if person.user_id is None:
            return 0
        return SsoIdentity.objects.filter(user_id=person.user_id).delete()[0]
