"""Danish search text: words, Snowball stems, and the queries for SQLite FTS5 and PostgreSQL.

Both databases use the same Snowball stemmer for Danish (PyStemmer on SQLite, the `danish` text search
configuration on PostgreSQL), so "kommunikationen" and "Kommunikation" meet at "kommunikation". Every
search word is matched as a prefix of a stem, which is what finds compounds: "økonomi" matches
"økonomistyring". Only runs of letters and digits are taken from what the user typed, and each is
quoted, so nothing in the input is read as query syntax (quotes, `*`, `-`, `NEAR`, `:`, `&`, `!`).
"""

from __future__ import annotations

import re
import threading

import Stemmer

# Letters and digits (any script); `_` and punctuation separate words, as in both databases' parsers.
WORD = re.compile(r"[^\W_]+")

# A search looks at no more than this many words (a pasted paragraph is not a search).
MAX_TERMS = 8
MAX_TEXT = 1000
# … and no more of a word than this (PostgreSQL ignores words past 2047 bytes, with a notice).
MAX_WORD = 60

# Snowball's Danish stop words: the list PostgreSQL's `danish` configuration drops, dropped from the
# query on SQLite as well so that both databases answer alike.
STOP_WORDS = frozenset(
    """og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min
    havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil blev
    kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit også under have dig
    anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive mange ad bliver hendes
    været thi jer sådan""".split()  # noqa: SIM905  # the list reads better as text
)

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """One stemmer per thread (a PyStemmer object is not safe to share between threads)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("danish")
    return stemmer


def words(text: str) -> list[str]:
    """The words of a text, lower-cased (the stemmer is case-sensitive; æ, ø and å lower-case too)."""
    return WORD.findall(text.lower())


def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def stem_text(text: str) -> str:
    """A text as its stems, space-separated: what the SQLite index holds."""
    return " ".join(_stemmer().stemWords(words(text)))


def search_terms(text: str) -> list[str] | None:
    """The words to search for: None when the text has no words at all (no filter), an empty list
    when it has only stop words (nothing matches, as on PostgreSQL)."""
    found = words(text[:MAX_TEXT])
    if not found:
        return None
    terms: list[str] = []
    for word in found:
        word = word[:MAX_WORD]
        if word not in STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def fts5_query(terms: list[str], column: str | None = None) -> str:
    """An FTS5 query: every term's stem as a quoted prefix, all required; optionally in one column."""
    prefix = f"{column} : " if column else ""
    return " AND ".join(f'{prefix}"{stem(term)}"*' for term in terms)


def tsquery(terms: list[str], weights: str = "") -> str:
    """A `to_tsquery('danish', …)` text: every term quoted, as a prefix (`:*`), all required;
    `weights` ("A") limits a term to lexemes of that weight (the title). PostgreSQL stems the terms."""
    return " & ".join(f"'{term}':*{weights}" for term in terms)
