"""Keeping the search documents in step with the offers.

The services call `index_offers` after they create or change an offer (and for the offers of a
renamed provider or category), the catalogue import once for every offer it wrote; each call runs in
the caller's transaction, so a document changes exactly when its offer does. A deleted offer's
document goes with it (`OfferSearch` cascades). `rebuild_index` writes them all again
(`kapabel catalogue-reindex`), e.g. after rows were loaded past the services.

A document is the offer's title (weighted first) and a body: provider, category, the names of the
competences it develops, and its description. On PostgreSQL it is a `tsvector` made with the `danish`
configuration; on SQLite the words are stemmed here with the same Snowball stemmer and stored in an
FTS5 table. Other databases have no index (the search falls back to substring matching)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection

from kapabel.learning.models import Offer, OfferCompetence
from kapabel.learning.models.search import SEARCH_TABLE
from kapabel.learning.search.text import stem_text

CHUNK = 500

Document = tuple[int, str, str]  # offer id, title, body


def indexed() -> bool:
    """Whether this database has a search index (PostgreSQL or SQLite)."""
    return connection.vendor in ("postgresql", "sqlite")


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def documents(offer_ids: list[int]) -> list[Document]:
    """The text of each offer's document (two queries)."""
    names: dict[int, list[str]] = defaultdict(list)
    links = OfferCompetence.objects.filter(offer_id__in=offer_ids).values_list(
        "offer_id", "competence__name_da", "competence__name_en", "competence__code"
    )
    for offer_id, name_da, name_en, code in links:
        names[offer_id].append(" ".join(filter(None, (code, name_da or name_en))))
    rows = Offer.objects.filter(pk__in=offer_ids).values_list(
        "pk", "title", "description", "provider__name", "category__name"
    )
    return [
        (pk, title, " ".join(filter(None, (provider, category, *names[pk], description))))
        for pk, title, description, provider, category in rows
    ]


def write_documents(docs: list[Document], *, stale: Sequence[int] = ()) -> None:
    """Replace the documents of these offers (and remove those of `stale` ids)."""
    if not indexed():
        return
    column = "rowid" if connection.vendor == "sqlite" else "offer_id"
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted({*stale, *(doc[0] for doc in docs)})):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {SEARCH_TABLE} WHERE {column} IN ({marks})", chunk)  # noqa: S608  # placeholders only
        if not docs:
            pass
        elif connection.vendor == "sqlite":
            cursor.executemany(
                f"INSERT INTO {SEARCH_TABLE} (rowid, offer_id, title, body) VALUES (%s, %s, %s, %s)",  # noqa: S608  # constant table name
                [(pk, pk, stem_text(title), stem_text(body)) for pk, title, body in docs],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {SEARCH_TABLE} (offer_id, document) VALUES (%s, "  # noqa: S608  # constant table name
                "setweight(to_tsvector('danish', %s), 'A') || setweight(to_tsvector('danish', %s), 'B'))",
                list(docs),
            )


def index_offers(offer_ids: Iterable[int]) -> None:
    """(Re)write the search documents of these offers; ids of offers that no longer exist are
    removed from the index."""
    ids = sorted(set(offer_ids))
    if not ids or not indexed():
        return
    for chunk in _chunks(ids):
        docs = documents(chunk)
        write_documents(docs, stale=chunk)


def index_offers_of(*, provider_id: int | None = None, category_id: int | None = None) -> None:
    """Rewrite the documents of a provider's or a category's offers (after a rename)."""
    offers = Offer.objects.all()
    if provider_id is not None:
        offers = offers.filter(provider_id=provider_id)
    if category_id is not None:
        offers = offers.filter(category_id=category_id)
    index_offers(offers.values_list("pk", flat=True))


def rebuild_index(municipality_id: int | None = None) -> int:
    """Write every document again (of one municipality, or all); returns the number of offers."""
    offers = Offer.objects.all()
    if municipality_id is not None:
        offers = offers.filter(municipality_id=municipality_id)
    ids = list(offers.values_list("pk", flat=True))
    if municipality_id is None and indexed():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SEARCH_TABLE}")  # noqa: S608  # constant table name
    index_offers(ids)
    return len(ids)
