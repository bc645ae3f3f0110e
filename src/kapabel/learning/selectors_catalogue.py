"""The catalogue page's read: offers of one municipality narrowed by a search text and facet filters,
and the facet counts beside them.

`catalogue()` is the one entry the page calls. Its search is the catalogue's Danish search
(`kapabel.learning.search.matching`: stemming and prefixes), the same as the API's. The facets are
counted with every *other* filter applied (the usual faceted-search rule:
choosing a kind does not hide the other kinds), a fixed number of queries whatever the catalogue's size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kapabel.learning import selectors
from kapabel.learning.models import Cohort, Level, Offer, OfferKind
from kapabel.learning.search.query import matching

# Cohorts that may still take people (their first session is ahead).
UPCOMING_STATUSES = (Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL)

# Bucket facets: key -> (label, condition). ECTS and price are ranges; the start date counts from now.
ECTS_BUCKETS: dict[str, tuple[Any, Q]] = {
    "none": (_("No ECTS"), Q(ects__isnull=True) | Q(ects=0)),
    "upto5": (_("Up to 5 ECTS"), Q(ects__gt=0, ects__lte=5)),
    "5to10": (_("Over 5 and up to 10 ECTS"), Q(ects__gt=5, ects__lte=10)),
    "over10": (_("More than 10 ECTS"), Q(ects__gt=10)),
}
PRICE_BUCKETS: dict[str, tuple[Any, Q]] = {
    "free": (_("Free"), Q(price_per_participant=0)),
    "upto5000": (_("Up to 5,000 kr."), Q(price_per_participant__gt=0, price_per_participant__lte=5000)),
    "upto15000": (
        _("Over 5,000 and up to 15,000 kr."),
        Q(price_per_participant__gt=5000, price_per_participant__lte=15000),
    ),
    "over15000": (_("More than 15,000 kr."), Q(price_per_participant__gt=15000)),
}
START_BUCKETS: dict[str, tuple[Any, int | None]] = {
    "30": (_("Within 30 days"), 30),
    "90": (_("Within 3 months"), 90),
    "365": (_("Within a year"), 365),
    "none": (_("No date yet"), None),
}
SORTS = ("title", "start")


@dataclass(frozen=True)
class CatalogueFilters:
    """The facet values chosen on the page ("" or None: not filtered)."""

    kind: str = ""
    category: int | None = None
    level: str = ""
    provider: int | None = None
    ects: str = ""
    price: str = ""
    starts: str = ""
    municipality_id: int | None = None


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facets:
    kind: list[FacetOption] = field(default_factory=list)
    category: list[FacetOption] = field(default_factory=list)
    level: list[FacetOption] = field(default_factory=list)
    provider: list[FacetOption] = field(default_factory=list)
    ects: list[FacetOption] = field(default_factory=list)
    price: list[FacetOption] = field(default_factory=list)
    starts: list[FacetOption] = field(default_factory=list)


def _upcoming(now: datetime.datetime, until: datetime.datetime | None = None) -> QuerySet[Cohort]:
    cohorts = Cohort.objects.filter(
        offer=OuterRef("pk"), status__in=UPCOMING_STATUSES, first_starts_at__gte=now
    )
    if until is not None:
        cohorts = cohorts.filter(first_starts_at__lt=until)
    return cohorts


def _base(user: Any, search: str, municipality_id: int | None) -> QuerySet[Offer]:
    offers = selectors.offers_for_user(user, active=True)
    if municipality_id is not None:
        offers = offers.filter(municipality_id=municipality_id)
    if search.strip():
        offers = matching(offers, search, ranked=False)
    return offers


def _conditions(filters: CatalogueFilters, now: datetime.datetime) -> dict[str, Q]:
    """One condition per chosen facet, keyed by facet name."""
    found: dict[str, Q] = {}
    if filters.kind:
        found["kind"] = Q(kind=filters.kind)
    if filters.category is not None:
        found["category"] = Q(category_id=filters.category)
    if filters.level:
        found["level"] = Q(level=filters.level)
    if filters.provider is not None:
        found["provider"] = Q(provider_id=filters.provider)
    if filters.ects in ECTS_BUCKETS:
        found["ects"] = ECTS_BUCKETS[filters.ects][1]
    if filters.price in PRICE_BUCKETS:
        found["price"] = PRICE_BUCKETS[filters.price][1]
    if filters.starts in START_BUCKETS:
        found["starts"] = _start_q(filters.starts, now)
    return found


def _start_q(key: str, now: datetime.datetime) -> Q:
    days = START_BUCKETS[key][1]
    if days is None:
        return ~Q(Exists(_upcoming(now)))
    return Q(Exists(_upcoming(now, now + datetime.timedelta(days=days))))


def _all_but(conditions: dict[str, Q], facet: str) -> Q:
    q = Q()
    for name, condition in conditions.items():
        if name != facet:
            q &= condition
    return q


def catalogue(
    user: Any,
    *,
    search: str = "",
    filters: CatalogueFilters | None = None,
    sort: str = "title",
) -> QuerySet[Offer]:
    """Active offers the user may see (of `filters.municipality_id` when given), matching `search`
    and every chosen facet, each annotated with `next_start` (the first start of an upcoming cohort)."""
    filters = filters or CatalogueFilters()
    now = timezone.now()
    offers = _base(user, search, filters.municipality_id)
    for condition in _conditions(filters, now).values():
        offers = offers.filter(condition)
    offers = offers.annotate(
        next_start=Subquery(_upcoming(now).order_by("first_starts_at").values("first_starts_at")[:1])
    )
    if sort == "start":
        return offers.order_by("next_start", "title", "id")  # no date yet sorts last on both backends
    return offers.order_by("title", "id")


def catalogue_facets(user: Any, *, search: str = "", filters: CatalogueFilters | None = None) -> Facets:
    """The options of every facet with how many offers each would show (the other facets applied)."""
    filters = filters or CatalogueFilters()
    now = timezone.now()
    base = _base(user, search, filters.municipality_id)
    conditions = _conditions(filters, now)
    facets = Facets()

    def grouped(facet: str, value_field: str, label_field: str | None) -> list[tuple[Any, Any, int]]:
        fields = [value_field] + ([label_field] if label_field else [])
        rows = base.filter(_all_but(conditions, facet)).values(*fields).annotate(n=Count("id")).order_by()
        return [(r[value_field], r[label_field] if label_field else None, r["n"]) for r in rows]

    kinds = {value: n for value, _label, n in grouped("kind", "kind", None)}
    facets.kind = [
        FacetOption(value, str(label), kinds[value], filters.kind == value)
        for value, label in OfferKind.choices
        if value in kinds
    ]
    levels = {value: n for value, _label, n in grouped("level", "level", None)}
    facets.level = [
        FacetOption(value, str(label), levels[value], filters.level == value)
        for value, label in Level.choices
        if value in levels
    ]
    facets.category = sorted(
        (
            FacetOption(str(pk), name, n, filters.category == pk)
            for pk, name, n in grouped("category", "category_id", "category__name")
            if pk is not None
        ),
        key=lambda o: o.label.lower(),
    )
    facets.provider = sorted(
        (
            FacetOption(str(pk), name, n, filters.provider == pk)
            for pk, name, n in grouped("provider", "provider_id", "provider__name")
        ),
        key=lambda o: o.label.lower(),
    )
    facets.ects = _bucket_counts(base, conditions, "ects", ECTS_BUCKETS, filters.ects)
    facets.price = _bucket_counts(base, conditions, "price", PRICE_BUCKETS, filters.price)
    starts = {key: (label, _start_q(key, now)) for key, (label, _days) in START_BUCKETS.items()}
    facets.starts = _bucket_counts(base, conditions, "starts", starts, filters.starts)
    return facets


def _bucket_counts(
    base: QuerySet[Offer],
    conditions: dict[str, Q],
    facet: str,
    buckets: dict[str, tuple[Any, Q]],
    chosen: str,
) -> list[FacetOption]:
    counts = base.filter(_all_but(conditions, facet)).aggregate(
        **{f"b_{key}": Count("id", filter=condition) for key, (_label, condition) in buckets.items()}
    )
    return [
        FacetOption(key, str(label), counts[f"b_{key}"] or 0, chosen == key)
        for key, (label, _condition) in buckets.items()
    ]
