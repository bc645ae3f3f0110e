"""Reads for the command line (an operator on the server: every programme, with names)."""

from __future__ import annotations

from typing import Any

from kapabel.programmes.models import Programme
from kapabel.programmes.selectors.report import programme_report


def programme_list() -> list[tuple[int, str]]:
    return list(Programme.objects.order_by("id").values_list("id", "name"))


def programme_by_id(pk: int) -> Programme | None:
    return Programme.objects.filter(pk=pk).first()


def report(programme: Programme) -> dict[str, Any]:
    return programme_report(programme, names=True)
