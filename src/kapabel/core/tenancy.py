"""Which municipality an HTML page works in.

Most users belong to one municipality. Platform administrators, and people granted roles in more than
one municipality, choose one with the switcher in the header; the choice is remembered in the session
and every HTML view that needs "the" municipality takes it from here — never the first of a list.
(The API names its municipality explicitly in the path or body instead.)"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from kapabel.core.access import AccessScope, scope_for
from kapabel.core.models import Municipality

SESSION_KEY = "kapabel_municipality_id"


def municipalities_for(scope: AccessScope) -> QuerySet[Municipality]:
    """The municipalities this user can act in (all of them for a platform administrator)."""
    if scope.is_platform_admin:
        return Municipality.objects.order_by("name")
    return Municipality.objects.filter(pk__in=sorted(scope.municipality_ids)).order_by("name")


def current_municipality_id(request: HttpRequest) -> int | None:
    """The municipality the user works in now: their remembered choice if still allowed, else their
    own employer, else the first by name of those they can act in (and the header shows which)."""
    scope = scope_for(request.user)
    if scope.user_id is None:
        return None
    cached = getattr(request, "_kapabel_municipality_id", 0)
    if cached != 0:
        return cached
    allowed = municipalities_for(scope)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    found: int | None = None
    if chosen is not None and (
        chosen in scope.municipality_ids  # the scope knows without a query (every page asks this)
        or (scope.is_platform_admin and allowed.filter(pk=chosen).exists())
    ):
        found = int(chosen)
    elif scope.employee_municipality_id is not None:
        found = scope.employee_municipality_id
    elif len(scope.municipality_ids) == 1 and not scope.is_platform_admin:
        found = next(iter(scope.municipality_ids))
    else:
        found = allowed.values_list("pk", flat=True).first()
    request._kapabel_municipality_id = found  # type: ignore[attr-defined]  # per-request cache
    return found


def current_municipality(request: HttpRequest) -> Municipality | None:
    pk = current_municipality_id(request)
    return Municipality.objects.filter(pk=pk).first() if pk is not None else None


def choose_municipality(request: HttpRequest, municipality_id: int) -> bool:
    """Remember the user's choice if they may act there; False (and nothing remembered) otherwise."""
    if not municipalities_for(scope_for(request.user)).filter(pk=municipality_id).exists():
        return False
    request.session[SESSION_KEY] = municipality_id
    request._kapabel_municipality_id = municipality_id  # type: ignore[attr-defined]  # per-request cache
    return True
