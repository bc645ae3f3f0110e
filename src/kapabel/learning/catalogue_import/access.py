"""Who sees which catalogue imports: those of the municipalities where the user administers learning
(HR and coordinators with a grant there, administrators; `permissions.can_administer_learning`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kapabel.core.access import scope_for
from kapabel.core.models import Role
from kapabel.learning.models import CatalogueImport


def imports_for_user(user: Any) -> QuerySet[CatalogueImport]:
    scope = scope_for(user)
    imports = CatalogueImport.objects.select_related("municipality")
    if scope.is_platform_admin:
        return imports
    ids = {g.municipality_id for g in scope.grants_for(Role.MUNICIPALITY_ADMIN, Role.HR, Role.COORDINATOR)}
    return imports.filter(municipality_id__in=sorted(ids))


def get_import_for_user(user: Any, pk: int) -> CatalogueImport:
    return get_object_or_404(imports_for_user(user), pk=pk)
