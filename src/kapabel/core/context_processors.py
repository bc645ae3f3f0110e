from typing import Any

from django.http import HttpRequest

from kapabel.core.access import scope_for
from kapabel.core.navigation import menu_for, section_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: the user's municipality name and the role-aware menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shell_municipality": None, "shell_menu": [], "shell_section": None}
    scope = scope_for(user)
    from kapabel.core.models import Municipality

    municipality = None
    ids = sorted(scope.municipality_ids)
    if scope.employee_municipality_id:
        ids = [scope.employee_municipality_id]
    if ids:
        municipality = Municipality.objects.filter(pk=ids[0]).values_list("name", flat=True).first()
    menu = menu_for(scope, request.path)
    return {
        "shell_municipality": municipality,
        "shell_menu": menu,
        "shell_section": section_for(menu, request.path),
        "shell_roles": sorted(role.label for role in scope.roles),
    }
