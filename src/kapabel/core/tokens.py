"""Personal access tokens for the API: created here (by the CLI and, later, a settings page),
looked up by hash on each request."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import PersonalAccessToken, User

TOKEN_PREFIX = "kap_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str,
    scope: str = PersonalAccessToken.Scope.READ,
    days: int | None = None,
    actor: Actor,
) -> tuple[PersonalAccessToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    if scope not in PersonalAccessToken.Scope.values:
        raise ValueError(f"unknown scope {scope!r}")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=_hash(raw),
        scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=days or settings.KAPABEL_TOKEN_DEFAULT_DAYS),
    )
    audit.record(
        "core.token.created",
        actor=actor,
        obj=token,
        object_repr=f"{user.get_username()}: {name}",
        changes={"scope": [None, scope], "expires_at": [None, token.expires_at]},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: PersonalAccessToken, actor: Actor) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("core.token.revoked", actor=actor, obj=token)


def token_lookup(raw: str) -> PersonalAccessToken | None:
    """The live token for `raw`, or None if unknown, expired, revoked or its user is inactive."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5)
    ):
        # Updated at most every few minutes, so a busy integration does not write on every call.
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
