"""The start page's sections. Each app registers the sections it contributes in its
`AppConfig.ready()`; the start page shows, in order, every section whose provider returns a context
for the user (None hides the section). Core so knows nothing of what the sections show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from kapabel.core.access import AccessScope

SectionProvider = Callable[[HttpRequest, AccessScope], dict[str, Any] | None]


@dataclass(frozen=True)
class HomeSection:
    name: str
    template: str
    provider: SectionProvider
    order: int = 100


_SECTIONS: list[HomeSection] = []


def register(section: HomeSection) -> None:
    if all(existing.name != section.name for existing in _SECTIONS):
        _SECTIONS.append(section)
        _SECTIONS.sort(key=lambda s: s.order)


def sections_for(request: HttpRequest, scope: AccessScope) -> tuple[list[str], dict[str, Any]]:
    """The templates of the sections to show, and the page context they share (each section's
    provider contributes its own keys; two sections may not use the same key)."""
    templates: list[str] = []
    context: dict[str, Any] = {}
    for section in _SECTIONS:
        contributed = section.provider(request, scope)
        if contributed is None:
            continue
        clash = context.keys() & contributed.keys()
        if clash:
            raise ValueError(f"Start page section {section.name} reuses the keys {sorted(clash)}.")
        context.update(contributed)
        templates.append(section.template)
    return templates, context
