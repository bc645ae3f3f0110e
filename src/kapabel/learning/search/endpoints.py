"""The catalogue search's API views: `GET /api/v1/offers` (the offers, paginated) and
`GET /api/v1/offers/facets` (the facet counts), both with `?search=` and the facet filters.

`kapabel.learning.api` registers them on its router. This module deliberately has no
`from __future__ import annotations`: ninja's `@paginate` wrapper resolves the parameter annotations
in its own module, so `Query[OfferQuery]` must be a real object, not a string."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query

from kapabel.learning.models import Offer
from kapabel.learning.search.facets import catalogue_search
from kapabel.learning.search.schemas import OfferQuery


def offer_list(request: HttpRequest, query: Query[OfferQuery]) -> QuerySet[Offer]:
    return catalogue_search(request.user, query.search, query.filters(), with_facets=False).offers


def offer_facets(request: HttpRequest, query: Query[OfferQuery]) -> dict[str, Any]:
    result = catalogue_search(request.user, query.search, query.filters())
    return {"count": result.offers.count(), "facets": result.facets}
