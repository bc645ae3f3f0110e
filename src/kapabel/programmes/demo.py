"""Demo step (order 70): placeholder replaced below."""

from __future__ import annotations

from kapabel.core.demo import DemoContext


def build_programmes(ctx: DemoContext) -> None:
    return None
