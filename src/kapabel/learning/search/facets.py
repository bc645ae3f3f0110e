"""The catalogue search with facets: kind, category, level, provider, ECTS, price and next start date.

Filters combine: values of one facet are alternatives (kind = course or e-learning), facets narrow
each other (and category = leadership). A facet's counts are for the current search with every
*other* facet's filter applied, so the values a user could switch to keep their numbers. One query
gives the offers, and one query each facet's counts."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core.models import User
from kapabel.learning import selectors
from kapabel.learning.models import Cohort, Level, Offer, OfferKind
from kapabel.learning.search.query import matching

# Cohorts whose start is still to come and could be joined or waited for.
UPCOMING = (Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL)


@dataclass(frozen=True)
class Filters:
    """Facet filters; each holds the chosen values (keys) of one facet."""

    kind: tuple[str, ...] = ()
    category_id: tuple[int, ...] = ()
    level: tuple[str, ...] = ()
    provider_id: tuple[int, ...] = ()
    ects: tuple[str, ...] = ()
    price: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> Filters:
        """From a page's GET parameters (a QueryDict, or a dict of lists); ids that are not numbers
        are left out."""
        values: dict[str, tuple[Any, ...]] = {}
        for name in FACET_NAMES:
            raw = data.getlist(name) if hasattr(data, "getlist") else list(data.get(name) or ())
            items = [str(item).strip() for item in raw if str(item).strip()]
            if name in ("category_id", "provider_id"):
                values[name] = tuple(int(item) for item in items if item.isdigit())
            else:
                values[name] = tuple(items)
        return cls(**values)

    def without(self, name: str) -> Filters:
        return replace(self, **{name: ()})

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


FACET_NAMES = tuple(f.name for f in fields(Filters))


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    condition: Q


def _ects_buckets() -> list[Bucket]:
    return [
        Bucket("none", _("No ECTS"), Q(ects__isnull=True) | Q(ects=0)),
        Bucket("upto_5", _("Up to 5 ECTS"), Q(ects__gt=0, ects__lte=5)),
        Bucket("5_10", _("Over 5 and up to 10 ECTS"), Q(ects__gt=5, ects__lte=10)),
        Bucket("10_30", _("Over 10 and up to 30 ECTS"), Q(ects__gt=10, ects__lte=30)),
        Bucket("over_30", _("Over 30 ECTS"), Q(ects__gt=30)),
    ]


def _price_buckets() -> list[Bucket]:
    price = "price_per_participant"
    return [
        Bucket("free", _("Free"), Q(**{price: Decimal(0)})),
        Bucket("upto_5000", _("Up to 5,000 kr."), Q(**{f"{price}__gt": 0, f"{price}__lte": 5000})),
        Bucket(
            "5000_15000",
            _("Over 5,000 and up to 15,000 kr."),
            Q(**{f"{price}__gt": 5000, f"{price}__lte": 15000}),
        ),
        Bucket(
            "15000_40000",
            _("Over 15,000 and up to 40,000 kr."),
            Q(**{f"{price}__gt": 15000, f"{price}__lte": 40000}),
        ),
        Bucket("over_40000", _("Over 40,000 kr."), Q(**{f"{price}__gt": 40000})),
    ]


def _day_start(days: int) -> datetime.datetime:
    """Midnight (local time) `days` days from today: buckets hold whole days."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _start_buckets() -> list[Bucket]:
    # Within a month: today and the next 30 days; then up to 90 and 182 days from today.
    month, quarter, half = (_day_start(days) for days in (31, 91, 183))
    return [
        Bucket("month", _("Within a month"), Q(next_start__lt=month)),
        Bucket("quarter", _("In one to three months"), Q(next_start__gte=month, next_start__lt=quarter)),
        Bucket("half_year", _("In three to six months"), Q(next_start__gte=quarter, next_start__lt=half)),
        Bucket("later", _("In more than six months"), Q(next_start__gte=half)),
        Bucket("none", _("No date planned"), Q(next_start__isnull=True)),
    ]


BUCKETS: dict[str, Callable[[], list[Bucket]]] = {
    "ects": _ects_buckets,
    "price": _price_buckets,
    "starts": _start_buckets,
}


def with_next_start(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    """Annotate `next_start`: the first start of a planned, open or full cohort still to come."""
    upcoming = Cohort.objects.filter(
        offer=OuterRef("pk"), status__in=UPCOMING, first_starts_at__gte=timezone.now()
    ).order_by("first_starts_at")
    return offers.annotate(next_start=Subquery(upcoming.values("first_starts_at")[:1]))


def _condition(name: str, chosen: tuple[Any, ...]) -> Q:
    if name in BUCKETS:
        buckets = {bucket.key: bucket.condition for bucket in BUCKETS[name]()}
        condition = Q(pk__in=[])
        for key in chosen:
            condition |= buckets.get(key, Q(pk__in=[]))
        return condition
    return Q(**{f"{name}__in": list(chosen)})


def apply_filters(offers: QuerySet[Offer], filters: Filters) -> QuerySet[Offer]:
    if filters.starts:
        offers = with_next_start(offers)
    for name in FACET_NAMES:
        chosen = getattr(filters, name)
        if chosen:
            offers = offers.filter(_condition(name, chosen))
    return offers


@dataclass
class FacetValue:
    key: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)


def _labels() -> dict[str, str]:
    return {
        "kind": _("Type"),
        "category_id": _("Category"),
        "level": _("Level"),
        "provider_id": _("Provider"),
        "ects": _("ECTS"),
        "price": _("Price per participant"),
        "starts": _("Next start"),
    }


def _counts(name: str, offers: QuerySet[Offer]) -> list[tuple[str, str, int]]:
    """(key, label, count) of a facet's values over `offers`; one query."""
    offers = offers.order_by()
    if name in BUCKETS:
        buckets = BUCKETS[name]()
        if name == "starts":
            offers = with_next_start(offers)
        totals = offers.aggregate(
            **{f"n_{i}": Count("pk", filter=bucket.condition) for i, bucket in enumerate(buckets)}
        )
        return [(bucket.key, bucket.label, totals[f"n_{i}"] or 0) for i, bucket in enumerate(buckets)]
    if name in ("kind", "level"):
        choices = OfferKind if name == "kind" else Level
        found = dict(offers.values_list(name).annotate(n=Count("pk")).values_list(name, "n"))
        return [(str(value), str(label), found.get(value, 0)) for value, label in choices.choices]
    related = "category" if name == "category_id" else "provider"
    order = ("category__position", "category__name") if related == "category" else ("provider__name",)
    rows = (
        offers.filter(**{f"{related}__isnull": False})
        .values(name, f"{related}__name")
        .annotate(n=Count("pk"))
        .order_by(*order, name)
    )
    return [(str(row[name]), row[f"{related}__name"], row["n"]) for row in rows]


def facet_counts(matched: QuerySet[Offer], filters: Filters) -> list[Facet]:
    """Every facet's values with their counts for the search (`matched`) and the other filters.
    Values without offers are left out unless chosen."""
    labels = _labels()
    facets = []
    for name in FACET_NAMES:
        chosen = {str(value) for value in getattr(filters, name)}
        values = [
            FacetValue(key, label, count, key in chosen)
            for key, label, count in _counts(name, apply_filters(matched, filters.without(name)))
            if count or key in chosen
        ]
        facets.append(Facet(name, labels[name], values))
    return facets


@dataclass
class SearchResult:
    offers: QuerySet[Offer]
    facets: list[Facet]


def catalogue_search(
    user: User | Any, text: str = "", filters: Filters | None = None, *, with_facets: bool = True
) -> SearchResult:
    """The active offers of the user's municipalities that match `text` and `filters` (title matches
    first), with the facet counts (`with_facets`). Nothing is queried until the offers are read."""
    filters = filters or Filters()
    offers = apply_filters(matching(selectors.offers_for_user(user), text), filters)
    if not with_facets:
        return SearchResult(offers, [])
    matched = matching(selectors.offers_for_user(user).order_by(), text, ranked=False)
    return SearchResult(offers, facet_counts(matched, filters))
