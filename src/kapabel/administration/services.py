"""Setting up a municipality: the one service behind the page, the API (`POST /api/v1/municipalities`)
and `kapabel municipality create`. It creates the municipality, installs the chosen starter
frameworks and gives it its first administrator, in one transaction: any problem, and nothing is
written. Problems are gathered, so a form shows them all at once."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.administration import permissions
from kapabel.competences import starter
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, Role, User
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation import services as org_services

# Errors about the administrator are keyed "administrator.<field>" (the API's body names them so).
ADMIN_PREFIX = "administrator."


@dataclass(frozen=True)
class FirstAdministrator:
    """Who becomes the new municipality's administrator: an existing login (no password given), or a
    new one. A new login without a password cannot log in until one is set (only the command line
    allows that; `kapabel changepassword`)."""

    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    password: str | None = None


def _merge(errors: dict[str, list[str]], exc: ValidationError, prefix: str = "", default: str = "") -> None:
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            key = prefix + field if field != "__all__" else (default or "__all__")
            errors.setdefault(key, []).extend(messages)
    else:
        errors.setdefault(default or "__all__", []).extend(exc.messages)


@transaction.atomic
def municipality_setup(
    *,
    name: str,
    kommunekode: str,
    actor: Actor,
    cvr: str = "",
    starters: Collection[str] = (),
    administrator: FirstAdministrator | None = None,
    password_required: bool = True,
) -> Municipality:
    """Create a municipality with the chosen starter frameworks and its first administrator.

    `password_required`: a new administrator login must get a password (the page and the API); the
    command line may leave it out."""
    if isinstance(actor, User) and not permissions.can_create_municipality(actor):
        raise PermissionDenied(_("Only platform administrators create municipalities."))
    errors: dict[str, list[str]] = {}
    try:
        starter.check_choice(starters, None)
    except ValidationError as exc:
        _merge(errors, exc, default="starters")
    municipality: Municipality | None = None
    try:
        municipality = org_services.municipality_create(
            name=name, kommunekode=kommunekode, cvr=cvr, actor=actor
        )
    except ValidationError as exc:
        _merge(errors, exc)
    if administrator is not None:
        _check_administrator(administrator, password_required, errors)
    if errors:
        # Raised inside the transaction: whatever was written so far is rolled back.
        raise ValidationError(errors)
    assert municipality is not None  # no errors, so it was created
    if starters:
        starter.install(municipality=municipality, actor=actor, names=starters)
    if administrator is not None:
        try:
            _make_administrator(municipality, administrator, actor)
        except ValidationError as exc:
            _merge(errors, exc, prefix=ADMIN_PREFIX, default=ADMIN_PREFIX + "username")
            raise ValidationError(errors) from None
    return municipality


def _check_administrator(
    spec: FirstAdministrator, password_required: bool, errors: dict[str, list[str]]
) -> None:
    """What can be said about the administrator before the municipality exists."""
    username = spec.username.strip()
    if not username:
        errors.setdefault(ADMIN_PREFIX + "username", []).append(_("Give the administrator's username."))
        return
    existing = org_selectors.account_by_username(username)
    if existing is None and spec.password is None and password_required:
        errors.setdefault(ADMIN_PREFIX + "password", []).append(
            _("There is no user named %(name)s. Give a password to create the login.") % {"name": username}
        )
    if existing is None and spec.password is not None:
        candidate = User(
            username=username, first_name=spec.first_name, last_name=spec.last_name, email=spec.email
        )
        try:
            candidate.full_clean(exclude=["password"], validate_unique=False)
        except ValidationError as exc:
            _merge(errors, exc, prefix=ADMIN_PREFIX)
        try:
            validate_password(spec.password, candidate)
        except ValidationError as exc:
            errors.setdefault(ADMIN_PREFIX + "password", []).extend(exc.messages)
    if existing is not None and spec.password is not None:
        errors.setdefault(ADMIN_PREFIX + "username", []).append(
            _(
                "There is already a user named %(name)s. Leave the password empty to make that user the "
                "administrator, or choose another username."
            )
            % {"name": username}
        )


def _make_administrator(municipality: Municipality, spec: FirstAdministrator, actor: Actor) -> User:
    existing = org_selectors.account_by_username(spec.username.strip())
    if existing is not None:
        org_services.role_grant(
            user=existing, role=Role.MUNICIPALITY_ADMIN, municipality=municipality, actor=actor
        )
        return existing
    return org_services.user_create(
        municipality=municipality,
        username=spec.username,
        first_name=spec.first_name,
        last_name=spec.last_name,
        email=spec.email,
        password=spec.password,
        role=Role.MUNICIPALITY_ADMIN,
        actor=actor,
    )


@transaction.atomic
def starters_install(*, municipality: Municipality, names: Collection[str], actor: Actor) -> int:
    """Starter frameworks for an existing municipality (its administrators' picker). Returns how many
    were installed; names it already has, or does not know, are refused with a message."""
    if isinstance(actor, User) and not permissions.can_administer(actor, municipality.pk):
        raise PermissionDenied
    if not names:
        raise ValidationError({"starters": _("Choose at least one starter framework.")})
    return len(starter.install(municipality=municipality, actor=actor, names=names))
