"""Announcements from the lower apps to the apps that keep data derived from theirs.

A service in organisation, competences or assessments that changes an input of a derived view (today:
the gap aggregates) says so explicitly, at the call site and inside its own transaction:
`announce.employees_changed([employee.pk])`. The deriving app (gaps) registers a listener from its
`AppConfig.ready()`. The lower app so never imports the higher one, and the call stays visible where
the write happens. Announcing with no listener registered is a configuration error, not a silent no-op:
a derived view that silently stops following its inputs is the bug this guards against.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from kapabel.core.models import Municipality


class ChangeListener(Protocol):
    """What a deriving app implements (a module with these functions will do)."""

    def employees_changed(self, employee_ids: Iterable[int]) -> None: ...

    def current_levels_changed(self, changes: Iterable[tuple[int, int]] | Iterable[int]) -> None: ...

    def individual_targets_changed(self, employee_ids: Iterable[int]) -> None: ...

    def profile_targets_changed(self, profile_ids: Iterable[int]) -> None: ...

    def unit_moved(self, unit: Any, old_path: str) -> None: ...

    def rebuild(self, municipality: Municipality | int) -> Any: ...

    def suspended(self) -> contextlib.AbstractContextManager[None]: ...


_listeners: list[ChangeListener] = []


def register(listener: ChangeListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def listeners() -> list[ChangeListener]:
    return list(_listeners)


class NoListener(ImproperlyConfigured):
    pass


def _announce(event: str, *args: Any) -> None:
    if not _listeners:
        raise NoListener(f"A change ({event}) was announced but no app listens for changes.")
    for listener in _listeners:
        # Looked up at call time, so a listener's function can be wrapped (e.g. in a test).
        getattr(listener, event)(*args)


def employees_changed(employee_ids: Iterable[int]) -> None:
    """Employees were created, moved to another unit, given another job role, (de)activated."""
    _announce("employees_changed", list(employee_ids))


def current_levels_changed(changes: Iterable[tuple[int, int]] | Iterable[int]) -> None:
    """Current competence levels changed: (employee id, competence id) pairs or employee ids."""
    _announce("current_levels_changed", list(changes))


def individual_targets_changed(employee_ids: Iterable[int]) -> None:
    """Individual targets of these employees were set, changed or removed."""
    _announce("individual_targets_changed", list(employee_ids))


def profile_targets_changed(profile_ids: Iterable[int]) -> None:
    """Targets of these profiles changed, or a profile version was published or retired."""
    _announce("profile_targets_changed", list(profile_ids))


def unit_moved(unit: Any, old_path: str) -> None:
    """`unit` (saved with its new path) moved from `old_path`."""
    _announce("unit_moved", unit, old_path)


def municipality_changed(municipality: Municipality | int) -> None:
    """So much of a municipality changed (a bulk import, a new source order) that derived data is
    recomputed from scratch."""
    _announce("rebuild", municipality)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """For bulk writers that announce `municipality_changed` when they are done: inside the block the
    listeners skip their per-change upkeep."""
    if not _listeners:
        raise NoListener("Change upkeep was suspended but no app listens for changes.")
    with contextlib.ExitStack() as stack:
        for listener in _listeners:
            stack.enter_context(listener.suspended())
        yield
