"""The role-aware main menu. Apps add their entries in `AppConfig.ready()` with `register`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from kapabel.core.access import AccessScope


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any  # a lazy translation
    visible: Callable[[AccessScope], bool]
    order: int = 100


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def section_for(menu: list[dict[str, Any]], current_path: str) -> dict[str, Any] | None:
    """The menu entry the current page belongs to (the longest matching prefix), for breadcrumbs."""
    matches = [item for item in menu if item["href"] != "/" and current_path.startswith(item["href"])]
    return max(matches, key=lambda item: len(item["href"]), default=None)


def menu_for(scope: AccessScope, current_path: str) -> list[dict[str, Any]]:
    """The visible entries; the one the page belongs to is current: the home entry on the start page,
    otherwise the longest matching prefix, so /gaps/priorities/ marks Priorities and not also the
    heatmap at /gaps/."""
    entries = [
        {"href": reverse(item.url_name), "label": item.label, "current": False}
        for item in _ITEMS
        if item.visible(scope)
    ]
    home = next((entry for entry in entries if entry["href"] == "/" == current_path), None)
    section = home or section_for(entries, current_path)
    if section is not None:
        section["current"] = True
    return entries


# --- "My tasks" on the start page -------------------------------------------------------------------
# Apps register a provider in `AppConfig.ready()`: a function of the user returning a list of
# {"href": …, "label": …}. The start page shows them all, in registration order.
TaskProvider = Callable[[Any], list[dict[str, Any]]]
_TASK_PROVIDERS: list[TaskProvider] = []


def register_task_provider(provider: TaskProvider) -> None:
    if provider not in _TASK_PROVIDERS:
        _TASK_PROVIDERS.append(provider)


def tasks_for(user: Any) -> list[dict[str, Any]]:
    return [task for provider in _TASK_PROVIDERS for task in provider(user)]
