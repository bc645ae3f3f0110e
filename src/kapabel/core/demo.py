"""The demo builder's skeleton. Each app registers a step in its `AppConfig.ready()`; `kapabel demo`
runs them in order, every step through the product's own services, and prints what they report."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    seed: int
    employees: int
    rng: random.Random
    # Filled in by the steps: the municipality, created users with passwords, anything later steps need.
    data: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, username, password)
    report: list[str] = field(default_factory=list)
    # Closed after the last step: a step can keep a context (e.g. suspended upkeep) open for the rest.
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)


DemoStep = Callable[[DemoContext], None]
_STEPS: list[tuple[int, str, DemoStep]] = []


def register(order: int, name: str, step: DemoStep) -> None:
    if all(existing != name for _, existing, _ in _STEPS):
        _STEPS.append((order, name, step))
        _STEPS.sort(key=lambda item: item[0])


def steps() -> list[tuple[int, str, DemoStep]]:
    return list(_STEPS)
