"""Danish catalogue search: stemming, prefixes (compounds), case and æøå, input that looks like query
syntax, what the user may see, and the index kept in step by the services. Runs on SQLite (FTS5 +
PyStemmer) and on PostgreSQL (`danish` configuration, GIN):
    .venv/bin/python -m kapabel.testing.pgcluster -- .venv/bin/pytest tests/learning/test_search.py"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from kapabel.learning import search, selectors, services
from kapabel.learning.models import Offer, OfferSearch
from kapabel.learning.search.text import fts5_query, search_terms, stem_text, tsquery
from tests.gaps.data import make_framework
from tests.learning.factories import SYSTEM, make_offer
from tests.learning.test_api import token


@pytest.fixture
def catalogue(world, lw):
    """Offers in Aby besides the world's "Kommunikation med borgere" and "Diplommodul i ledelse"."""
    via = services.provider_create(municipality=world.a, name="VIA University College", actor=SYSTEM)
    make_offer(world.a, lw.provider, "Økonomistyring for ledere", price_per_participant=Decimal("12500"))
    make_offer(world.a, via, "Lønadministration i praksis", kind="e_learning")
    make_offer(world.a, via, "Procesrådgivning i ERP-systemer", description="Forandringer og processer.")
    retired = make_offer(world.a, lw.provider, "Kommunikation for øvede")
    services.offer_update(offer=retired, active=False, actor=SYSTEM)
    make_offer(world.b, lw.b_offer.provider, "Kommunikation i Bby")
    return lw


def titles(client, auth, text, **params):
    response = client.get("/api/v1/offers", {"search": text, **params}, **auth)
    assert response.status_code == 200, response.content
    return [offer["title"] for offer in response.json()["items"]]


def found(world, text, persona="employee"):
    return [o.title for o in selectors.offers_for_user(world.user(persona), search=text)]


# --- The contract examples --------------------------------------------------------------------


def test_inflected_form_finds_the_stem(world, catalogue, client):
    auth = token(world, "employee", "read")
    assert titles(client, auth, "kommunikationen") == ["Kommunikation med borgere"]


def test_start_of_a_compound_finds_it(world, catalogue, client):
    auth = token(world, "employee", "read")
    assert titles(client, auth, "økonomi") == ["Økonomistyring for ledere"]


def test_case_and_danish_letters(world, catalogue, client):
    auth = token(world, "employee", "read")
    assert titles(client, auth, "ØKONOMI") == ["Økonomistyring for ledere"]
    assert titles(client, auth, "LØN") == ["Lønadministration i praksis"]
    assert titles(client, auth, "lønadministrationen") == ["Lønadministration i praksis"]
    assert titles(client, auth, "PROCESRÅDGIVER") == ["Procesrådgivning i ERP-systemer"]
    assert titles(client, auth, "lon") == []  # ø is a letter of its own, not an o
    assert titles(client, auth, "borgerne") == ["Kommunikation med borgere"]


def test_every_word_must_match_and_title_matches_come_first(world, catalogue):
    assert found(world, "kommunikation borgere") == ["Kommunikation med borgere"]
    assert found(world, "kommunikation økonomi") == []
    # "Komponent" (the provider) is in both documents' bodies; the title hit does not exist, so by title.
    assert found(world, "komponent") == [
        "Diplommodul i ledelse",
        "Kommunikation med borgere",
        "Økonomistyring for ledere",
    ]
    # "forandringerne" is in one title and another's description: the title match first.
    make_offer(world.a, catalogue.provider, "Styring af forandringer")
    assert found(world, "forandringerne") == ["Styring af forandringer", "Procesrådgivning i ERP-systemer"]


def test_provider_and_description_are_searched(world, catalogue):
    assert found(world, "VIA") == ["Lønadministration i praksis", "Procesrådgivning i ERP-systemer"]
    assert found(world, "forandringerne") == ["Procesrådgivning i ERP-systemer"]


QUERY_SYNTAX = [
    '"',
    '"kommunikation',
    'kommunikation"',
    "kommunikation*",
    "*",
    "**",
    "-kommunikation",
    "kommunikation -borgere",
    "kommunikation NOT borgere",
    "kommunikation OR økonomi",
    "NEAR",
    "NEAR(kommunikation borgere)",
    "NEAR/2",
    "kommunikation AND",
    "title:kommunikation",
    "{title body}: kommunikation",
    "^kommunikation",
    "kommunikation:*",
    "'kommunikation'",
    "kommunikation & !borgere",
    "kommunikation | økonomi <-> borgere",
    "(",
    ")",
    "\\",
    "%",
    "_",
    "%_%",
    "+",
    "kommunikation\x00",
    "' OR 1=1 --",
    "a" * 3000,
    " ".join(["kommunikation"] * 50),
]


@pytest.mark.parametrize("text", QUERY_SYNTAX)
def test_query_syntax_in_input_never_errors(world, catalogue, client, text):
    auth = token(world, "employee", "read")
    result = titles(client, auth, text)
    assert "Kommunikation i Bby" not in result
    assert client.get("/api/v1/offers/facets", {"search": text}, **auth).status_code == 200


def test_syntax_characters_around_words_are_ignored(world, catalogue):
    expected = ["Kommunikation med borgere"]
    for text in ('"kommunikation', "kommunikation*", "-kommunikation", "kommunikation -borgere"):
        assert found(world, text) == expected, text
    assert found(world, "NEAR(kommunikation borgere)") == []  # "near" is a word like any other


def test_stop_words_alone_match_nothing_and_no_words_filter_nothing(world, catalogue):
    assert found(world, "og i med") == []
    assert found(world, "kommunikation med") == ["Kommunikation med borgere"]
    everything = found(world, "")
    assert len(everything) == 5
    assert found(world, "*** ---") == everything


# --- What may be seen ---------------------------------------------------------------------------


def test_other_municipalities_offers_are_never_found(world, catalogue, client):
    assert titles(client, token(world, "employee", "read"), "kommunikation") == ["Kommunikation med borgere"]
    assert titles(client, token(world, "admin", "read"), "bby") == []
    assert titles(client, token(world, "admin", "read"), "samtaleteknik") == []
    assert titles(client, token(world, "other_municipality_admin", "read"), "kommunikation") == [
        "Kommunikation i Bby"
    ]
    b_auth = token(world, "other_municipality_admin", "read")
    facets = client.get("/api/v1/offers/facets", {"search": "kommunikation"}, **b_auth).json()
    assert facets["count"] == 1
    providers = next(f for f in facets["facets"] if f["name"] == "provider_id")
    assert [v["label"] for v in providers["values"]] == ["VIA"]


def test_inactive_offers_are_not_found(world, catalogue):
    assert "Kommunikation for øvede" not in found(world, "kommunikation", "admin")
    assert "Kommunikation for øvede" not in found(world, "øvede", "admin")


# --- The index follows the services ------------------------------------------------------------


def test_index_follows_offer_changes(world, catalogue):
    offer = catalogue.offer
    services.offer_update(offer=offer, title="Skriftlig formidling", actor=SYSTEM)
    assert found(world, "kommunikation") == []
    assert found(world, "formidlingen") == ["Skriftlig formidling"]
    services.offer_update(offer=offer, description="Klarsprog i breve til borgerne", actor=SYSTEM)
    assert found(world, "klarsprog") == ["Skriftlig formidling"]
    services.offer_update(offer=offer, active=False, actor=SYSTEM)
    assert found(world, "klarsprog") == []


def test_index_follows_provider_and_category_names(world, catalogue):
    category = services.category_create(municipality=world.a, name="Løn og personale", actor=SYSTEM)
    services.offer_update(offer=catalogue.offer, category=category, actor=SYSTEM)
    assert found(world, "personale") == ["Kommunikation med borgere"]
    services.category_update(category=category, name="Arbejdsmiljø", actor=SYSTEM)
    assert found(world, "personale") == []
    assert found(world, "arbejdsmiljøet") == ["Kommunikation med borgere"]
    services.category_delete(category=category, actor=SYSTEM)
    assert found(world, "arbejdsmiljø") == []
    services.provider_update(provider=catalogue.provider, name="Kommunernes Uddannelsescenter", actor=SYSTEM)
    assert found(world, "uddannelsescenter") == [
        "Diplommodul i ledelse",
        "Kommunikation med borgere",
        "Økonomistyring for ledere",
    ]


def test_index_follows_competences(world, catalogue):
    _version, (competence,) = make_framework(world.a, "Kompetencer", ["Konflikthåndtering"])
    assert found(world, "konflikter") == []
    services.offer_set_competences(offer=catalogue.offer, competences={competence: 1}, actor=SYSTEM)
    assert found(world, "konflikter") == ["Kommunikation med borgere"]  # "konflikt"* finds the compound
    assert found(world, "konflikthåndteringen") == ["Kommunikation med borgere"]
    assert found(world, "k0") == ["Kommunikation med borgere"]


def test_deleted_offer_leaves_the_index(world, catalogue):
    offer = make_offer(world.a, catalogue.provider, "Midlertidigt kursus")
    assert OfferSearch.objects.filter(pk=offer.pk).exists()
    Offer.objects.filter(pk=offer.pk).delete()
    assert not OfferSearch.objects.filter(pk=offer.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM learning_offer_search")
        assert cursor.fetchone()[0] == Offer.objects.count()


def test_rebuild_writes_every_document(world, catalogue):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM learning_offer_search")
    assert found(world, "kommunikation") == []
    assert search.rebuild_index() == Offer.objects.count()
    assert found(world, "kommunikation") == ["Kommunikation med borgere"]
    assert search.rebuild_index(world.a.pk) == Offer.objects.filter(municipality=world.a).count()
    assert found(world, "kommunikation") == ["Kommunikation med borgere"]


# --- The query languages (pure) --------------------------------------------------------------------


def test_terms_are_quoted_prefixes_of_stems():
    assert search_terms("Kommunikationen med BORGERNE") == ["kommunikationen", "borgerne"]
    assert fts5_query(["kommunikationen", "borgerne"]) == '"kommunikation"* AND "borg"*'
    assert fts5_query(["økonomi"], column="title") == 'title : "økonomi"*'
    assert tsquery(["kommunikationen", "løn"]) == "'kommunikationen':* & 'løn':*"
    assert tsquery(["løn"], weights="A") == "'løn':*A"
    assert search_terms("**") is None
    assert search_terms("og i") == []
    assert stem_text("Lønadministration i praksis") == "lønadministration i praksis"
