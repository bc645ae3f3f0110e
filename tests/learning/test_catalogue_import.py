"""`kapabel import-catalogue` with real files (CSV in Windows-1252 and UTF-8, XLSX): every value the
contract names, re-import by Ekstern id or provider + title, columns left out left alone, and broken
files that exit non-zero with row-level messages and write nothing."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from kapabel.core.models import AuditEvent
from kapabel.learning import selectors, services
from kapabel.learning.catalogue_import import reading
from kapabel.learning.models import CatalogueImport, Category, Offer, OfferCompetence, Provider
from tests.gaps.data import make_framework
from tests.learning.factories import SYSTEM

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "Udbyder;Titel;Type;Kategori;Niveau;ECTS;Pris;Undervisningsdage;Beskrivelse;Kompetencer;Ekstern id"


def setup_catalogue(world):
    """The seeded categories and a published framework with K0 and K1 in Aby."""
    services.learning_setup(municipality=world.a, actor=SYSTEM)
    _version, found = make_framework(
        world.a, "Fremtidens medarbejder", ["Kommunikation med borgere", "Økonomi og budget"]
    )
    return found


@pytest.fixture
def competences(world):
    return setup_catalogue(world)


def run(path, *extra, municipality="101"):
    out = io.StringIO()
    call_command("import-catalogue", str(path), "--municipality", municipality, *extra, stdout=out)
    return out.getvalue()


def write(tmp_path, text, name="liste.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def offers(world):
    return {
        o.title: o for o in Offer.objects.filter(municipality=world.a).select_related("provider", "category")
    }


def test_cp1252_file_with_every_column(world, competences):
    output = run(FIXTURES / "kursusliste_cp1252.csv")
    assert "Imported" in output
    found = offers(world)
    assert sorted(found) == [
        "Diplom i ledelse",
        "Kommunikation med borgere",
        "Sidemandsoplæring i ydelsessystemet",
        "Truckcertifikat",
        "Økonomistyring for ledere",
    ]
    economy = found["Økonomistyring for ledere"]
    assert economy.provider.name == "VIA University College"
    assert (economy.kind, economy.level, economy.qf_level) == ("education_module", "akademi", 5)
    assert economy.category.code == "economy_budget"  # the existing category, not a new one
    assert (economy.ects, economy.price_per_participant, economy.teaching_days) == (
        Decimal("5"),
        Decimal("4200"),
        Decimal("6"),
    )
    assert economy.description == "Budget, regnskab og opfølgning.\nMed hjemmeopgave."
    assert economy.external_id == "VIA-2031"
    assert [oc.competence.name for oc in economy.offer_competences.all()] == ["Økonomi og budget"]
    communication = found["Kommunikation med borgere"]
    assert (communication.level, communication.ects, communication.price_per_participant) == (
        "none",
        None,
        Decimal("4200"),
    )
    assert OfferCompetence.objects.filter(offer=communication).count() == 2
    assert found["Truckcertifikat"].level == "amu"
    assert found["Truckcertifikat"].price_per_participant == 0
    diploma = found["Diplom i ledelse"]
    assert (diploma.kind, diploma.level, diploma.ects) == ("education", "diplom", Decimal("60"))
    assert diploma.price_per_participant == Decimal("4200.50")
    assert diploma.description == "Hele uddannelsen; 6 moduler"
    assert found["Sidemandsoplæring i ydelsessystemet"].kind == "peer_training"
    assert Provider.objects.filter(municipality=world.a).count() == 5
    assert not Category.objects.filter(municipality=world.a, code="").exists()
    event = AuditEvent.objects.get(action="learning.catalogue_import.applied")
    assert event.changes["counts"]["offers_created"] == 5
    # The search index has the new offers.
    titles = [o.title for o in selectors.offers_for_user(world.user("employee"), search="økonomi")]
    assert titles == ["Økonomistyring for ledere", "Kommunikation med borgere"]


def test_utf8_comma_file_with_english_kinds(world, competences):
    run(FIXTURES / "kursusliste_utf8.csv")
    found = offers(world)
    assert {title: o.kind for title, o in found.items()} == {
        "Procesrådgivning i ERP-systemer": "education",
        "Følordning på jobcentret": "shadowing",
        "Teamlæring i praksis": "team_learning",
        "Mentorforløb for nye ledere": "mentoring",
        "Digital forvaltning": "e_learning",
    }
    erp = found["Procesrådgivning i ERP-systemer"]
    assert (erp.ects, erp.price_per_participant, erp.level) == (Decimal("7.5"), Decimal("12500"), "diplom")
    assert erp.category is None
    assert [oc.competence.code for oc in erp.offer_competences.all()] == ["K0"]
    assert found["Mentorforløb for nye ledere"].price_per_participant == 1000
    assert found["Digital forvaltning"].price_per_participant == Decimal("995")


def test_xlsx_with_number_cells(world, competences):
    run(FIXTURES / "kursusliste.xlsx")
    found = offers(world)
    conference = found["Konference om velfærdsteknologi"]
    assert (conference.kind, conference.price_per_participant, conference.teaching_days) == (
        "conference",
        Decimal("2495"),
        Decimal("1"),
    )
    module = found["Akademimodul i offentlig forvaltning"]
    assert (module.ects, module.price_per_participant, module.teaching_days) == (
        Decimal("7.5"),
        Decimal("4200.50"),
        Decimal("6.5"),
    )
    assert module.category.code == "legislation"
    assert sorted(oc.competence.code for oc in module.offer_competences.all()) == ["K0", "K1"]
    excel = found["Excel for øvede"]
    assert (excel.kind, excel.level, excel.price_per_participant) == ("course", "amu", Decimal("1250"))


KINDS = {
    "Kursus": "course",
    "KURSUS": "course",
    "Uddannelsesmodul": "education_module",
    "Uddannelse": "education",
    "E-læring": "e_learning",
    "e-LÆRING": "e_learning",
    "Sidemandsoplæring": "peer_training",
    "Mentorordning": "mentoring",
    "Følordning": "shadowing",
    "Konference": "conference",
    "Teamlæring": "team_learning",
    "Course": "course",
    "Education module": "education_module",
    "Full education": "education",
    "E-learning": "e_learning",
    "Peer training": "peer_training",
    "mentoring": "mentoring",
    "Shadowing": "shadowing",
    "Conference": "conference",
    "Team-based learning": "team_learning",
}


@pytest.mark.parametrize(("written", "kind"), KINDS.items())
def test_type_takes_danish_and_english_names(written, kind):
    problems: list = []
    rows, problems, _count = reading.read("x.csv", f"Udbyder;Titel;Type\nVIA;T;{written}\n".encode())
    assert problems == []
    assert rows[0].values["kind"] == kind


@pytest.mark.parametrize(
    ("written", "level"),
    [("AMU", "amu"), ("Akademi", "akademi"), ("diplom", "diplom"), ("MASTER", "master"), ("", "none")],
)
def test_level_values(written, level):
    rows, problems, _count = reading.read("x.csv", f"Udbyder;Titel;Niveau\nVIA;T;{written}\n".encode())
    assert problems == []
    assert rows[0].values["level"] == level


@pytest.mark.parametrize(
    ("written", "price"),
    [
        ("4.200", "4200"),
        ("4200,00", "4200"),
        ("0", "0"),
        ("4.200,50", "4200.50"),
        ("4200", "4200"),
        ("1.234.567", "1234567"),
        ("kr. 4.200,-", "4200"),
        ("4 200", "4200"),
        ("695,5", "695.50"),
    ],
)
def test_price_is_a_danish_number(written, price):
    rows, problems, _count = reading.read("x.csv", f'Udbyder;Titel;Pris\nVIA;T;"{written}"\n'.encode())
    assert problems == []
    assert rows[0].values["price_per_participant"] == Decimal(price)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("gratis", "bad_price"),
        ("4,200.00", "bad_price"),
        ("4.20.0", "bad_price"),
        ("-100", "negative"),
        ("4200,555", "too_precise"),
        ("100.000.000", "too_large"),
        ("", "required"),
    ],
)
def test_bad_prices(written, code):
    _rows, problems, _count = reading.read("x.csv", f'Udbyder;Titel;Pris\nVIA;T;"{written}"\n'.encode())
    assert [(p.code, p.line, p.column) for p in problems] == [(code, 2, "Pris")]


def test_ects_days_and_competences_may_be_empty(world, competences, tmp_path):
    path = write(tmp_path, f"{HEADER}\nVIA;Tom;Kursus;;;;100;;;;\n")
    run(path)
    offer = offers(world)["Tom"]
    assert (offer.ects, offer.teaching_days, offer.category, offer.level) == (None, None, None, "none")
    assert not offer.offer_competences.exists()


def test_reimport_updates_by_external_id_then_by_provider_and_title(world, competences, tmp_path):
    run(FIXTURES / "kursusliste_cp1252.csv")
    count = Offer.objects.count()
    renamed = (
        f"{HEADER}\n"
        "VIA University College;Økonomistyring for ledere 2027;Uddannelsesmodul;Økonomistyring og budget;"
        "Akademi;5;4.500;6;Ny beskrivelse;K1;VIA-2031\n"
        "komponent;KOMMUNIKATION MED BORGERE;Kursus;Kommunikation;;;4200,00;2;"
        'Skriftlig og mundtlig kommunikation;"K0; Økonomi og budget";KOMP-17\n'
        "AMU Nordjylland;Truckcertifikat;kursus;Produktionsstyring;AMU;;0;;;;AMU-48800\n"
    )
    output = run(write(tmp_path, renamed, encoding="cp1252"))
    assert Offer.objects.count() == count
    economy = Offer.objects.get(external_id="VIA-2031")
    assert (economy.title, economy.price_per_participant, economy.description) == (
        "Økonomistyring for ledere 2027",
        Decimal("4500"),
        "Ny beskrivelse",
    )
    communication = Offer.objects.get(external_id="KOMP-17")  # found by provider + title, given its id
    assert communication.title == "KOMMUNIKATION MED BORGERE"
    assert CatalogueImport.objects.latest("pk").counts == {
        "offers_created": 0,
        "offers_updated": 2,
        "offers_unchanged": 1,
        "providers_created": 0,
        "categories_created": 0,
        "competence_links": 0,
        "changes": 2,
    }
    assert "2" in output
    titles = [o.title for o in selectors.offers_for_user(world.user("employee"), search="2027")]
    assert titles == ["Økonomistyring for ledere 2027"]


def test_a_column_left_out_is_left_alone(world, competences, tmp_path):
    run(FIXTURES / "kursusliste_cp1252.csv")
    run(write(tmp_path, "Ekstern id;Titel;Niveau\nVIA-2031;Økonomistyring for ledere;Diplom\n"))
    economy = Offer.objects.get(external_id="VIA-2031")
    assert (economy.level, economy.qf_level) == ("diplom", 6)
    assert (economy.price_per_participant, economy.ects, economy.kind) == (
        Decimal("4200"),
        Decimal("5"),
        "education_module",
    )
    assert economy.category.code == "economy_budget"
    assert economy.offer_competences.count() == 1


def test_competences_are_replaced_and_cleared(world, competences, tmp_path):
    run(FIXTURES / "kursusliste_cp1252.csv")
    communication = Offer.objects.get(title="Kommunikation med borgere")
    run(write(tmp_path, "Udbyder;Titel;Kompetencer\nKomponent;Kommunikation med borgere;k1\n"))
    assert [oc.competence.code for oc in communication.offer_competences.all()] == ["K1"]
    run(write(tmp_path, "Udbyder;Titel;Kompetencer\nKomponent;Kommunikation med borgere;\n"))
    assert not communication.offer_competences.exists()


def test_new_providers_and_categories_are_created(world, tmp_path):
    run(
        write(
            tmp_path,
            f"{HEADER}\nNy Udbyder;Nyt kursus;Kursus;Ny kategori;;;0;;;;\n"
            "ny udbyder;Andet;;ny KATEGORI;;;0;;;;\n",
        )
    )
    assert list(Provider.objects.filter(municipality=world.a).values_list("name", flat=True)) == [
        "Ny Udbyder"
    ]
    assert list(Category.objects.filter(municipality=world.a).values_list("name", flat=True)) == [
        "Ny kategori"
    ]
    assert Offer.objects.get(title="Andet").kind == "course"


def test_dry_run_writes_nothing_but_shows_the_changes(world, competences):
    output = run(FIXTURES / "kursusliste_cp1252.csv", "--dry-run")
    assert not Offer.objects.exists()
    assert not AuditEvent.objects.filter(action="learning.catalogue_import.applied").exists()
    record = CatalogueImport.objects.get()
    assert (record.status, record.counts["offers_created"], record.payload) == ("previewed", 5, None)
    assert "Examples of changes:" in output
    assert "Økonomistyring for ledere" in output


# --- Broken files -------------------------------------------------------------------------------------


def test_broken_file_exits_non_zero_with_row_messages_and_writes_nothing(world, competences):
    before = (Offer.objects.count(), Provider.objects.count(), Category.objects.count())
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(
            "import-catalogue", str(FIXTURES / "kursusliste_fejl.csv"), "--municipality", "101", stdout=out
        )
    assert (Offer.objects.count(), Provider.objects.count(), Category.objects.count()) == before
    assert not AuditEvent.objects.filter(action="learning.catalogue_import.applied").exists()
    record = CatalogueImport.objects.get()
    assert record.status == "rejected"
    found = [(p["line"], p["column"], p["code"]) for p in record.problems]
    assert found == [
        (3, "Type", "unknown_kind"),
        (4, "Niveau", "unknown_level"),
        (5, "Pris", "bad_price"),
        (6, "ECTS", "negative"),
        (7, "Udbyder", "provider_for_new"),
        (8, "Titel", "required"),
        (9, "Kompetencer", "unknown_competence"),
        (10, "Titel", "duplicate_offer"),
    ]
    output = out.getvalue()
    assert "kursusliste_fejl.csv line 3, column Type: Workshop is not a type of offer." in output
    assert (
        "kursusliste_fejl.csv line 7, column Udbyder: The offer Uden udbyder is not in the catalogue"
        in output
    )
    assert "gratis is not a price." in output
    assert "first on line 2" in output
    assert "8 errors" in str(failure.value)
    assert "line 5, column Pris" in str(failure.value)


def test_dry_run_of_a_broken_file_fails_too(world, competences):
    with pytest.raises(CommandError):
        run(FIXTURES / "kursusliste_fejl.csv", "--dry-run")
    assert CatalogueImport.objects.get().status == "rejected"


def test_messages_in_danish(world, competences):
    out = io.StringIO()
    with translation.override("da"), pytest.raises(CommandError):
        call_command(
            "import-catalogue", str(FIXTURES / "kursusliste_fejl.csv"), "--municipality", "101", stdout=out
        )
    output = out.getvalue()
    assert "linje 3, kolonne Type: Workshop er ikke en type af tilbud." in output
    assert "gratis er ikke en pris." in output


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"Udbyder;Type\nVIA;Kursus\n", "missing_columns"),
        (b"Titel;Type\nT;Kursus\n", "no_identity"),
        (b"PK\x03\x04 not a workbook", "unreadable_xlsx"),
        (b'Udbyder;Titel;Pris\nVIA;"T\n', "field_count"),  # an unclosed quote
    ],
)
def test_unusable_files(world, tmp_path, content, code):
    path = tmp_path / "liste.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError):
        run(path)
    assert [p["code"] for p in CatalogueImport.objects.get().problems] == [code]
    assert not Offer.objects.exists()


def test_row_with_wrong_number_of_values(world, tmp_path):
    path = write(tmp_path, "Udbyder;Titel;Pris\nVIA;God;0\nVIA;For;mange;værdier\n")
    with pytest.raises(CommandError):
        run(path)
    assert [(p["line"], p["code"]) for p in CatalogueImport.objects.get().problems] == [(3, "field_count")]
    assert not Offer.objects.exists()


def test_too_many_rows(world, tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    path = write(tmp_path, "Udbyder;Titel\n" + "".join(f"VIA;Kursus {i}\n" for i in range(4)))
    with pytest.raises(CommandError):
        run(path)
    problem = reading.CatalogueProblem.from_dict(CatalogueImport.objects.get().problems[0])
    assert (
        problem.message
        == "The file has 4 rows; at most 3 can be imported at a time. Split it into smaller files."
    )


def test_duplicate_external_id_and_ambiguous_competence(world, competences, tmp_path):
    national, _found = make_framework(None, "National", ["Økonomi og budget"])
    path = write(tmp_path, "Udbyder;Titel;Kompetencer;Ekstern id\nVIA;A;Økonomi og budget;X1\nVIA;B;;X1\n")
    with pytest.raises(CommandError):
        run(path)
    problems = [reading.CatalogueProblem.from_dict(p) for p in CatalogueImport.objects.get().problems]
    assert [(p.line, p.column, p.code) for p in problems] == [
        (2, "Kompetencer", "ambiguous_competence"),
        (3, "Ekstern id", "duplicate"),
    ]
    assert "Write the code of the one you mean" in problems[0].message
    assert "K1 Økonomi og budget (Fremtidens medarbejder)" in problems[0].message


def test_unknown_column_is_a_warning(world, tmp_path):
    run(write(tmp_path, "Udbyder;Titel;Farve\nVIA;Kursus;rød\n"))
    record = CatalogueImport.objects.get()
    assert record.status == "succeeded"
    assert [(p["code"], p["severity"], p["column"]) for p in record.problems] == [
        ("unknown_column", "warning", "Farve")
    ]


def test_unknown_municipality_or_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match="no municipality with the code 999"):
        run(FIXTURES / "kursusliste.xlsx", municipality="999")
    with pytest.raises(CommandError, match="does not exist"):
        run(tmp_path / "none.csv")


def test_xlsx_built_in_the_test_with_a_bad_cell(world, tmp_path):
    workbook = Workbook()
    workbook.active.append(["Udbyder", "Titel", "Type", "ECTS"])
    workbook.active.append(["VIA", "Fint", "Kursus", 5])
    workbook.active.append(["VIA", "Dårligt", "Kursus", "fem"])
    path = tmp_path / "liste.xlsx"
    workbook.save(path)
    with pytest.raises(CommandError):
        run(path)
    assert [(p["line"], p["column"], p["code"]) for p in CatalogueImport.objects.get().problems] == [
        (3, "ECTS", "bad_number")
    ]
    assert not Offer.objects.exists()
