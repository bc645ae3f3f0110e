"""Danish catalogue search (issue 12, #9): stemming and prefix matching on PostgreSQL (`danish` full-text
configuration, GIN index) and SQLite (FTS5 with PyStemmer's Danish Snowball stemmer), with facets.

- `matching(offers, text)` filters any offer queryset by a search text (see `query`).
- `catalogue_search(user, text, filters)` the user's active catalogue with facet counts (see `facets`).
- `index_offers(ids)`, `index_offers_of(provider_id=…/category_id=…)`, `rebuild_index()` keep the
  index in step; the services and the catalogue import call them (see `index`)."""

from kapabel.learning.search.facets import (
    FACET_NAMES,
    Facet,
    FacetValue,
    Filters,
    SearchResult,
    apply_filters,
    catalogue_search,
    facet_counts,
)
from kapabel.learning.search.index import index_offers, index_offers_of, rebuild_index
from kapabel.learning.search.query import matching

__all__ = [
    "FACET_NAMES",
    "Facet",
    "FacetValue",
    "Filters",
    "SearchResult",
    "apply_filters",
    "catalogue_search",
    "facet_counts",
    "index_offers",
    "index_offers_of",
    "matching",
    "rebuild_index",
]
