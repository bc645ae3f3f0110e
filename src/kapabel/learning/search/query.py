"""Matching offers against a Danish search text, as a filter on any offer queryset.

One subquery finds the matching offers in the index (FTS5 `MATCH` on SQLite, `@@` with the GIN index
on PostgreSQL); a second, in the same statement, marks the offers whose title alone matches, and those
come first. The caller's queryset decides what may be seen (municipality, active)."""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.db.models.expressions import RawSQL

from kapabel.learning.models import Offer
from kapabel.learning.models.search import SEARCH_TABLE
from kapabel.learning.search.text import fts5_query, search_terms, tsquery

_SQLITE_MATCH = f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH %s"  # noqa: S608  # constant
_PG_MATCH = f"SELECT offer_id FROM {SEARCH_TABLE} WHERE document @@ to_tsquery('danish', %s)"  # noqa: S608


def _fallback(offers: QuerySet[Offer], terms: list[str]) -> QuerySet[Offer]:
    """Databases without an index: every word somewhere in the title, description or provider."""
    condition = Q()
    for term in terms:
        condition &= (
            Q(title__icontains=term) | Q(description__icontains=term) | Q(provider__name__icontains=term)
        )
    return offers.filter(condition)


def matching(offers: QuerySet[Offer], text: str, *, ranked: bool = True) -> QuerySet[Offer]:
    """The offers of `offers` that match `text`; `ranked`: those matching in the title first, then by
    title. A text without words filters nothing; one of only stop words ("og", "i") matches nothing."""
    terms = search_terms(text)
    if terms is None:
        return offers
    if not terms:
        return offers.none()
    vendor = connections[offers.db].vendor
    if vendor == "sqlite":
        # The user's words reach the database only as parameters (quoted, letters and digits).
        match = RawSQL(_SQLITE_MATCH, (fts5_query(terms),))  # noqa: S611
        title = RawSQL(_SQLITE_MATCH, (fts5_query(terms, column="title"),))  # noqa: S611
    elif vendor == "postgresql":
        match = RawSQL(_PG_MATCH, (tsquery(terms),))  # noqa: S611
        title = RawSQL(_PG_MATCH, (tsquery(terms, weights="A"),))  # noqa: S611
    else:
        return _fallback(offers, terms)
    offers = offers.filter(pk__in=match)
    if not ranked:
        return offers
    return offers.annotate(
        title_match=ExpressionWrapper(Q(pk__in=title), output_field=BooleanField())
    ).order_by("-title_match", "title", "pk")
