from typing import Any

from django.http import HttpRequest

from kapabel.core import tenancy
from kapabel.core.access import scope_for
from kapabel.core.navigation import menu_for, section_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: the municipality the user works in (with the others they may
    switch to), and the role-aware menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shell_municipality": None, "shell_menu": [], "shell_section": None}
    scope = scope_for(user)
    current_id = tenancy.current_municipality_id(request)
    choices = list(tenancy.municipalities_for(scope).values_list("pk", "name")[:200])
    current = next((name for pk, name in choices if pk == current_id), None)
    menu = menu_for(scope, request.path)
    return {
        "shell_municipality": current,
        "shell_municipality_id": current_id,
        "shell_municipalities": choices if len(choices) > 1 else [],
        "shell_menu": menu,
        "shell_section": section_for(menu, request.path),
        "shell_roles": sorted(role.label for role in scope.roles),
    }
