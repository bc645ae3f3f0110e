"""Who may see and do what with programmes, on top of `kapabel.core.access`.

- **Manage** a programme and read substitutes' personal data (names, hiring facts, outcomes by name):
  programme coordinators, HR and administrators of the programme's municipality.
- **Read figures** (the overview, the report without names): the above, and the steering group's members
  with a login. Figures for small groups are suppressed for them (`suppress_small`), as in the gap
  analysis. Platform administrators read figures of every programme and edit the funding schemes.

Fetches answer 404 for what the user may not see, 403 for what they may see but not change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kapabel.core.access import AccessScope, scope_for
from kapabel.core.audit import Actor
from kapabel.core.models import Role, User
from kapabel.programmes.models import Programme, SteeringMember

MANAGERS = (Role.COORDINATOR, Role.HR, Role.MUNICIPALITY_ADMIN)


def _managed_municipalities(scope: AccessScope) -> set[int]:
    return {g.municipality_id for g in scope.grants_for(*MANAGERS)}


def can_manage_in(user: User | Any, municipality_id: int) -> bool:
    """Run programmes (and read substitutes' personal data) in a municipality."""
    return municipality_id in _managed_municipalities(scope_for(user))


def manages_anywhere(user: User | Any) -> bool:
    """Creates programmes and enters hourly costs somewhere."""
    return bool(_managed_municipalities(scope_for(user)))


def can_manage(user: User | Any, programme: Programme) -> bool:
    return can_manage_in(user, programme.municipality_id)


def sees_names(user: User | Any, programme: Programme) -> bool:
    """Reads participants' and substitutes' names: only those who manage the programme."""
    return can_manage(user, programme)


def programmes_q(user: User | Any) -> Q:
    scope = scope_for(user)
    if scope.is_platform_admin:
        return Q()
    q = Q(municipality_id__in=sorted(_managed_municipalities(scope)))
    if scope.user_id:
        q |= Q(steering_members__user_id=scope.user_id)
    return q


def programmes_for(user: User | Any) -> QuerySet[Programme]:
    return Programme.objects.filter(programmes_q(user)).distinct()


def sees_programmes_anywhere(scope: AccessScope) -> bool:
    """Shows the Programmes menu entry: those who run programmes, platform administrators, and steering
    group members with a login (who may have no role otherwise; they read figures, not names)."""
    if scope.is_platform_admin or _managed_municipalities(scope):
        return True
    return is_steering_member(scope)


def is_steering_member(scope: AccessScope) -> bool:
    if scope.user_id is None:
        return False
    return SteeringMember.objects.filter(user_id=scope.user_id).exists()


def get_programme_for_user(user: User | Any, programme_id: int) -> Programme:
    """The programme if the user reads it; 404 otherwise."""
    found = programmes_for(user).filter(pk=programme_id).select_related("municipality").first()
    if found is None:
        raise Http404(_("No such programme."))
    return found


def require_manage(actor: Actor, municipality_id: int) -> None:
    """Services' check: a user must manage programmes in the municipality; system actors may."""
    if isinstance(actor, User) and not can_manage_in(actor, municipality_id):
        raise PermissionDenied(
            _("Only programme coordinators and HR of the municipality can change programmes.")
        )


def can_edit_schemes(user: User | Any) -> bool:
    return scope_for(user).is_platform_admin


def require_edit_schemes(actor: Actor) -> None:
    if isinstance(actor, User) and not can_edit_schemes(actor):
        raise PermissionDenied(_("Only platform administrators can change funding schemes."))


def suppress_small(count: int, minimum: int, names: bool) -> int | None:
    """A count as a reader without names sees it: hidden (None) when 1..minimum-1 people."""
    if names or count == 0 or count >= minimum:
        return count
    return None
