"""Units around a gap page: the ancestors for its breadcrumbs."""

from __future__ import annotations

from kapabel.core.models import User
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation.models import OrgUnit


def visible_ancestors(user: User, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors from the root down, leaving out those the user may not see."""
    visible = set(
        org_selectors.units_for_user(user).filter(pk__in=unit.ancestor_ids()).values_list("pk", flat=True)
    )
    return [ancestor for ancestor in org_selectors.unit_ancestors(unit) if ancestor.pk in visible]
