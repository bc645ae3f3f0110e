"""The access layer: what a user may see and do, as role x unit subtree x municipality.

Every selector and permission helper in the apps builds on `scope_for(user)`. A scope is resolved
once per request (three small queries) and cached on the user object, so list pages pay for it once.

The scope is plain data (roles over municipalities and unit paths). Core does not know units or
people: `organisation` registers the function that reads a user's employee record, the units they
lead and their role grants (`register_resolver`, from its `AppConfig.ready()`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from kapabel.core.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kapabel.core.models import User


# Every character in a unit path ("/1/14/203/") is "/" or a digit, and both sort before "~", so
# `prefix <= path < prefix + "~"` is exactly "path starts with prefix" — and, unlike LIKE,
# a range uses the index on both SQLite (case-insensitive LIKE defeats it) and PostgreSQL.
PATH_UPPER_BOUND = "~"


def subtree_q(path: str, field: str = "path") -> Q:
    """Q for rows whose unit path lies in the subtree rooted at `path` (inclusive)."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + PATH_UPPER_BOUND})


def path_in_subtree(path: str, root: str) -> bool:
    """The same test as `subtree_q`, on a path already in memory."""
    return root <= path < root + PATH_UPPER_BOUND


@dataclass(frozen=True)
class Grant:
    """A role over a whole municipality (`path` None) or over the subtree at `path`."""

    role: Role
    municipality_id: int
    path: str | None = None


@dataclass(frozen=True)
class AccessScope:
    user_id: int | None
    is_platform_admin: bool = False
    employee_id: int | None = None
    employee_municipality_id: int | None = None
    employee_unit_path: str | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    # --- roles -----------------------------------------------------------------------------
    @property
    def roles(self) -> set[Role]:
        roles = {grant.role for grant in self.grants}
        if self.employee_id:
            roles.add(Role.EMPLOYEE)
        if self.is_platform_admin:
            roles.add(Role.PLATFORM_ADMIN)
        return roles

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def municipality_ids(self) -> set[int]:
        """Tenants the user belongs to through any role."""
        ids = {grant.municipality_id for grant in self.grants}
        if self.employee_municipality_id:
            ids.add(self.employee_municipality_id)
        return ids

    def grants_for(self, *roles: Role) -> list[Grant]:
        return [grant for grant in self.grants if grant.role in roles]

    @property
    def administers_any_municipality(self) -> bool:
        return self.is_platform_admin or bool(self.grants_for(Role.MUNICIPALITY_ADMIN))

    @property
    def reads_people(self) -> bool:
        """Holds a role that shows other people's data (a manager, HR, coordinator, administrator)."""
        return self.is_platform_admin or bool(self.grants_for(*self.PEOPLE_READERS))

    def reads_everyone_in(self, municipality_id: int, path: str) -> bool:
        """Holds a people-reading grant covering the whole subtree at `path` (so may read every
        person in it individually), or is a platform administrator."""
        if self.is_platform_admin:
            return True
        return any(
            grant.municipality_id == municipality_id
            and (grant.path is None or path_in_subtree(path, grant.path))
            for grant in self.grants_for(*self.PEOPLE_READERS)
        )

    def is_municipality_admin(self, municipality_id: int) -> bool:
        return self.is_platform_admin or any(
            g.municipality_id == municipality_id for g in self.grants_for(Role.MUNICIPALITY_ADMIN)
        )

    # --- visibility as Q objects -------------------------------------------------------------
    def _grant_q(self, grants: list[Grant], prefix: str, path_field: str) -> Q:
        q = Q(pk__in=[])
        for grant in grants:
            if grant.path is None:
                q |= Q(**{f"{prefix}municipality_id": grant.municipality_id})
            else:
                q |= subtree_q(grant.path, f"{prefix}{path_field}")
        return q

    # Roles that may read people data in their subtree or municipality.
    PEOPLE_READERS = (Role.MANAGER, Role.HR, Role.COORDINATOR, Role.MUNICIPALITY_ADMIN)

    def employees_q(self, prefix: str = "") -> Q:
        """Employees whose data this user may read. `prefix` lets other models filter through
        their employee relation, e.g. `employees_q("employee__")`."""
        if self.is_platform_admin:
            return Q()
        q = self._grant_q(self.grants_for(*self.PEOPLE_READERS), prefix, "unit__path")
        if self.employee_id:
            q |= Q(**{f"{prefix}pk": self.employee_id})
        return q

    def units_q(self, prefix: str = "") -> Q:
        """Units this user may see: their granted subtrees, and their own unit."""
        if self.is_platform_admin:
            return Q()
        q = self._grant_q(self.grants_for(*self.PEOPLE_READERS), prefix, "path")
        if self.employee_unit_path:
            q |= Q(**{f"{prefix}path": self.employee_unit_path})
        return q

    def municipalities_q(self, prefix: str = "") -> Q:
        """Rows owned by one of the user's municipalities (reference data such as job roles)."""
        if self.is_platform_admin:
            return Q()
        return Q(**{f"{prefix}municipality_id__in": sorted(self.municipality_ids)})

    def admin_municipalities_q(self, prefix: str = "") -> Q:
        if self.is_platform_admin:
            return Q()
        ids = sorted({g.municipality_id for g in self.grants_for(Role.MUNICIPALITY_ADMIN)})
        return Q(**{f"{prefix}municipality_id__in": ids})


ANONYMOUS_SCOPE = AccessScope(user_id=None)


def scope_for(user: User | AnonymousUser) -> AccessScope:
    """The user's access scope, cached on the user object for the rest of the request."""
    if not user.is_authenticated or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_kapabel_scope", None)
    if cached is not None:
        return cached
    scope = _resolve_scope(user)
    user._kapabel_scope = scope  # type: ignore[union-attr,attr-defined]  # per-request cache, not a field
    return scope


def forget_scope(user: User) -> None:
    """Drop the cached scope (after roles or the employee link changed)."""
    if hasattr(user, "_kapabel_scope"):
        del user._kapabel_scope


Resolver = Callable[["User"], AccessScope]
_resolver: Resolver | None = None


def register_resolver(resolver: Resolver) -> None:
    """Called once by the app that knows people and units (organisation)."""
    global _resolver
    _resolver = resolver


def _resolve_scope(user: User) -> AccessScope:
    if _resolver is None:
        raise ImproperlyConfigured(
            "No access scope resolver is registered (is kapabel.organisation installed?)."
        )
    return _resolver(user)
