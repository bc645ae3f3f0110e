"""Who may see and do what with a person's data as a whole (the GDPR page, export, anonymisation,
retention), on top of `kapabel.core.access`.

- Seeing what Kapabel holds about a person and exporting it (answering a data subject's request):
  municipality administrators, and HR consultants whose grant covers the whole municipality (not a
  subtree) — the same people who import HR data — plus platform administrators.
- Anonymising a person and setting retention rules (irreversible, or deciding for everyone):
  municipality administrators and platform administrators only.
A person outside those municipalities is not found (404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kapabel.core.access import AccessScope, scope_for
from kapabel.core.models import Municipality, Role, User
from kapabel.privacy import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kapabel.organisation.models import Employee


def _handler_ids(scope: AccessScope) -> list[int] | None:
    if scope.is_platform_admin:
        return None
    ids = {g.municipality_id for g in scope.grants_for(Role.MUNICIPALITY_ADMIN)}
    ids |= {g.municipality_id for g in scope.grants_for(Role.HR) if g.path is None}
    return sorted(ids)


def personal_data_municipality_ids(user: User | AnonymousUser) -> list[int] | None:
    """Municipalities whose people's data the user may see whole and export (None: all)."""
    return _handler_ids(scope_for(user))


def handles_personal_data_anywhere(scope: AccessScope) -> bool:
    """Whether the data protection page belongs in this person's menu."""
    ids = _handler_ids(scope)
    return ids is None or bool(ids)


def require_handles_personal_data_anywhere(user: User | AnonymousUser) -> None:
    if not handles_personal_data_anywhere(scope_for(user)):
        raise PermissionDenied


def can_handle_personal_data(user: User | AnonymousUser, municipality_id: int) -> bool:
    ids = personal_data_municipality_ids(user)
    return ids is None or municipality_id in ids


def can_anonymise(user: User | AnonymousUser, municipality_id: int) -> bool:
    return scope_for(user).is_municipality_admin(municipality_id)


def require_anonymise(user: User | AnonymousUser, municipality_id: int) -> None:
    if not can_anonymise(user, municipality_id):
        raise PermissionDenied


def can_manage_retention(user: User | AnonymousUser, municipality_id: int) -> bool:
    return scope_for(user).is_municipality_admin(municipality_id)


def require_manage_retention(user: User | AnonymousUser, municipality_id: int) -> None:
    if not can_manage_retention(user, municipality_id):
        raise PermissionDenied


def get_person_for_user(user: User | AnonymousUser, pk: int) -> Employee:
    """An employee (active, inactive or anonymised) of a municipality whose people's data the user
    handles; 404 for anyone else."""
    return get_object_or_404(selectors.people(personal_data_municipality_ids(user)), pk=pk)


def get_municipality_for_retention(user: User | AnonymousUser, pk: int) -> Municipality:
    """A municipality whose retention rule the user manages; 404 for one they do not belong to,
    403 for one they see but do not administer."""
    scope = scope_for(user)
    ids = None if scope.is_platform_admin else scope.municipality_ids
    municipality = get_object_or_404(selectors.municipalities(ids), pk=pk)
    require_manage_retention(user, municipality.pk)
    return municipality
