"""Demo step placeholder (filled in below)."""

from __future__ import annotations

from kapabel.core.demo import DemoContext


def build_dialogues(ctx: DemoContext) -> None:
    return None
