"""Catalogue facets: kind, category, level, provider, ECTS, price and next start date, counted for the
current search; filters combine (alternatives within a facet, narrowing across facets); a facet's own
filter does not shrink its counts; one query for the offers and one per facet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kapabel.core.access import scope_for
from kapabel.learning import services
from kapabel.learning.models import Category, Cohort
from kapabel.learning.search import Filters, catalogue_search
from tests.learning.factories import SYSTEM, make_cohort, make_offer
from tests.learning.test_api import token


@pytest.fixture
def shelf(world, lw):
    """Aby's catalogue: the world's two offers and three more, with cohorts at known distances."""
    services.learning_setup(municipality=world.a, actor=SYSTEM)
    via = services.provider_create(municipality=world.a, name="VIA", actor=SYSTEM)
    economy = Category.objects.get(municipality=world.a, code="economy_budget")
    leadership = Category.objects.get(municipality=world.a, code="leadership")
    services.offer_update(offer=lw.expensive, category=leadership, actor=SYSTEM)
    economy_offer = make_offer(
        world.a,
        lw.provider,
        "Økonomistyring for ledere",
        kind="education_module",
        category=economy,
        level="akademi",
        ects=Decimal("10"),
        price_per_participant=Decimal("12500"),
    )
    make_cohort(economy_offer, days=60)
    cancelled = make_cohort(economy_offer, days=10)
    services.cohort_cancel(cohort=cancelled, reason="Too few", actor=SYSTEM)
    make_offer(world.a, via, "Lønadministration i praksis", kind="e_learning", category=economy)
    process = make_offer(
        world.a,
        via,
        "Procesrådgivning i ERP-systemer",
        kind="education",
        ects=Decimal("60"),
        price_per_participant=Decimal("45000"),
    )
    make_cohort(process, days=200)
    return lw


def counts(result, name):
    facet = next(f for f in result.facets if f.name == name)
    return {value.key: value.count for value in facet.values}


def titles(result):
    return [offer.title for offer in result.offers]


def test_counts_per_facet_value(world, shelf):
    result = catalogue_search(world.user("employee"))
    assert len(titles(result)) == 5
    assert counts(result, "kind") == {"course": 1, "education_module": 2, "education": 1, "e_learning": 1}
    categories = next(f for f in result.facets if f.name == "category_id")
    assert [(v.label, v.count) for v in categories.values] == [
        ("Ledelse", 1),
        ("Økonomistyring og budget", 2),
    ]
    assert counts(result, "level") == {"none": 3, "akademi": 1, "diplom": 1}
    providers = next(f for f in result.facets if f.name == "provider_id")
    assert [(v.label, v.count) for v in providers.values] == [("Komponent", 3), ("VIA", 2)]
    assert counts(result, "ects") == {"none": 2, "upto_5": 1, "5_10": 1, "over_30": 1}
    assert counts(result, "price") == {"free": 2, "upto_5000": 1, "5000_15000": 1, "over_40000": 1}
    # The cancelled cohort in ten days does not count; the world's cohort starts in 30 days.
    assert counts(result, "starts") == {"month": 1, "quarter": 1, "later": 1, "none": 2}


def test_counts_follow_the_search(world, shelf):
    result = catalogue_search(world.user("employee"), "ledere")  # "led"*: ledere, ledelse
    assert titles(result) == ["Diplommodul i ledelse", "Økonomistyring for ledere"]
    assert counts(result, "kind") == {"education_module": 2}
    assert counts(result, "level") == {"akademi": 1, "diplom": 1}
    assert counts(result, "starts") == {"quarter": 1, "none": 1}


def test_filters_combine(world, shelf):
    user = world.user("employee")
    modules = catalogue_search(user, filters=Filters(kind=("education_module",)))
    assert titles(modules) == ["Diplommodul i ledelse", "Økonomistyring for ledere"]
    # A facet's own filter leaves its counts alone; the other facets follow it.
    assert counts(modules, "kind") == {"course": 1, "education_module": 2, "education": 1, "e_learning": 1}
    assert counts(modules, "level") == {"akademi": 1, "diplom": 1}
    either = catalogue_search(user, filters=Filters(kind=("education_module", "e_learning")))
    assert len(titles(either)) == 3
    economy = Category.objects.get(municipality=world.a, code="economy_budget")
    narrowed = catalogue_search(
        user, filters=Filters(kind=("education_module", "e_learning"), category_id=(economy.pk,))
    )
    assert titles(narrowed) == ["Lønadministration i praksis", "Økonomistyring for ledere"]
    free = catalogue_search(user, filters=Filters(price=("free",), ects=("none",)))
    assert titles(free) == ["Diplommodul i ledelse", "Lønadministration i praksis"]
    soon = catalogue_search(user, filters=Filters(starts=("month", "quarter")))
    assert titles(soon) == ["Kommunikation med borgere", "Økonomistyring for ledere"]
    searched = catalogue_search(user, "økonomi", Filters(starts=("quarter",), level=("akademi",)))
    assert titles(searched) == ["Økonomistyring for ledere"]
    assert titles(catalogue_search(user, "økonomi", Filters(starts=("later",)))) == []
    assert titles(catalogue_search(user, filters=Filters(price=("unknown",)))) == []


def test_a_chosen_value_stays_listed_without_offers(world, shelf):
    result = catalogue_search(world.user("employee"), "kommunikation", Filters(level=("master",)))
    facet = next(f for f in result.facets if f.name == "level")
    assert [(v.key, v.count, v.selected) for v in facet.values] == [("none", 1, False), ("master", 0, True)]


def test_filters_from_page_parameters():
    from django.http import QueryDict

    query = QueryDict("kind=course&kind=e_learning&category_id=3&category_id=x&price=free&search=ignored")
    assert Filters.from_query(query) == Filters(
        kind=("course", "e_learning"), category_id=(3,), price=("free",)
    )
    assert not Filters.from_query({}).active


def test_one_query_for_the_offers_and_one_per_facet(world, shelf, django_assert_max_num_queries):
    user = world.user("employee")
    scope_for(user)
    filters = Filters(kind=("education_module", "course"), starts=("month", "quarter"), price=("free",))
    with django_assert_max_num_queries(8):
        result = catalogue_search(user, "ledere", filters)
        assert len(result.facets) == 7
        list(result.offers)
    for i in range(20):
        make_offer(world.a, shelf.provider, f"Ledelse {i}", kind="course")
    with django_assert_max_num_queries(8):
        result = catalogue_search(user, "ledelse", filters)
        list(result.offers)


def test_api_filters_and_facets(world, shelf, client):
    auth = token(world, "employee", "read")
    response = client.get("/api/v1/offers", {"kind": ["education_module", "e_learning"]}, **auth)
    assert response.status_code == 200
    assert sorted(o["title"] for o in response.json()["items"]) == [
        "Diplommodul i ledelse",
        "Lønadministration i praksis",
        "Økonomistyring for ledere",
    ]
    response = client.get("/api/v1/offers", {"level": "akademi"}, **auth)
    assert [o["title"] for o in response.json()["items"]] == ["Økonomistyring for ledere"]
    facets = client.get("/api/v1/offers/facets", {"search": "økonomi", "starts": "quarter"}, **auth).json()
    assert facets["count"] == 1
    starts = next(f for f in facets["facets"] if f["name"] == "starts")
    # "økonomi" also finds Lønadministration by its category, Økonomistyring og budget (no cohort).
    assert {v["key"]: (v["count"], v["selected"]) for v in starts["values"]} == {
        "quarter": (1, True),
        "none": (1, False),
    }
    assert client.get("/api/v1/offers", {"provider_id": "x"}, **auth).status_code == 422


def test_cohorts_that_started_or_were_cancelled_are_not_next(world, shelf):
    cohort = Cohort.objects.get(offer__title="Procesrådgivning i ERP-systemer")
    services.cohort_cancel(cohort=cohort, reason="Moved", actor=SYSTEM)
    result = catalogue_search(world.user("employee"), "procesrådgivning")
    assert counts(result, "starts") == {"none": 1}
