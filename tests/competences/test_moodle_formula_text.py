"""The Moodle CSV carries text exactly, even text a spreadsheet would read as a formula: Moodle (and
Kapabel reading the file back) would keep a formula guard's quote as part of the text, so this one
file is written without it (see kapabel.competences.exchange.moodle.write)."""

from __future__ import annotations

from kapabel.competences import services
from kapabel.competences.exchange import moodle, parse
from kapabel.competences.selectors import version_to_data
from kapabel.core import exports
from tests.competences.factories import SYSTEM

TEXTS = [
    ("=Lov om social service", "- kender reglerne"),
    ("+1 niveau", "@borger: skriv klart"),
    ("-2", "=1+1"),
]


def test_formula_like_text_round_trips_through_moodle_csv(world):
    # Names and descriptions that begin like formulas are ordinary in frameworks (bullets, "+1").
    framework = services.framework_create(municipality=world.a, name="-Ramme", actor=SYSTEM)
    version = framework.versions.get()
    for index, (name, description) in enumerate(TEXTS):
        services.competence_create(
            version=version, name_da=name, description_da=description, code=f"K{index}", actor=SYSTEM
        )
    text = moodle.write(version_to_data(version))
    again = parse(text, "moodle-csv")
    assert again.name == "-Ramme"
    assert [(c.fields["name_da"], c.fields["description_da"]) for c in again.competences] == TEXTS


def test_a_formula_guard_would_break_that_round_trip(world, monkeypatch):
    """Why the Moodle file is the one exception: with the guard on, the text comes back changed."""
    framework = services.framework_create(municipality=world.a, name="Ramme", actor=SYSTEM)
    version = framework.versions.get()
    services.competence_create(version=version, name_da=TEXTS[0][0], code="K0", actor=SYSTEM)
    unguarded = exports.csv_text
    monkeypatch.setattr(
        exports, "csv_text", lambda rows, **kw: unguarded(rows, **{**kw, "neutralise_formulas": True})
    )
    again = parse(moodle.write(version_to_data(version)), "moodle-csv")
    assert again.competences[0].fields["name_da"] == "'" + TEXTS[0][0]
