"""Reads of funding schemes: their dated parameters as plain `rules.Param` values."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from kapabel.programmes.models import FundingScheme, SchemeParameter
from kapabel.programmes.rules import Param


def schemes() -> QuerySet[FundingScheme]:
    return FundingScheme.objects.prefetch_related("parameters").order_by("id")


def params_of(scheme: FundingScheme) -> list[Param]:
    return [
        Param(p.key, p.value, p.valid_from, p.valid_to) for p in SchemeParameter.objects.filter(scheme=scheme)
    ]


def all_params() -> dict[int, list[Param]]:
    """Every scheme's parameters by scheme id (one query)."""
    result: dict[int, list[Param]] = defaultdict(list)
    for scheme_id, key, value, valid_from, valid_to in SchemeParameter.objects.values_list(
        "scheme_id", "key", "value", "valid_from", "valid_to"
    ):
        result[scheme_id].append(Param(key, value, valid_from, valid_to))
    return result
