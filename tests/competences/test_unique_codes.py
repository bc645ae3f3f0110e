"""Issue 10 #9b: a competence code names one competence in a framework version. The editor, the
API, the importers and the database refuse a repeated code, each with a clear message (never an
IntegrityError surfacing as a server error)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kapabel.competences import services
from kapabel.competences.exchange import FrameworkData, parse
from kapabel.competences.exchange.common import CompetenceData
from kapabel.competences.models import Competence, Framework
from tests.competences.factories import make_framework

pytestmark = pytest.mark.django_db


def test_service_refuses_a_repeated_code_on_the_code_field(world):
    _f, version, area, items = make_framework(world.a)  # codes A, A-1, A-2, A-3
    with pytest.raises(ValidationError) as info:
        services.competence_create(version=version, parent=area, name_da="Ny", code="A-1", actor="t")
    assert list(info.value.message_dict) == ["code"] and "A-1" in info.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as info:
        services.competence_update(competence=items[1], code=" A-1 ", actor="t")
    assert "code" in info.value.message_dict
    items[1].refresh_from_db()
    assert items[1].code == "A-2"
    # Keeping its own code, empty codes (any number of them) and another version's codes are fine.
    assert services.competence_update(competence=items[0], code="A-1", name_da="Omdøbt", actor="t")
    services.competence_create(version=version, name_da="Uden kode 1", actor="t")
    services.competence_create(version=version, name_da="Uden kode 2", actor="t")
    _f2, other, _a2, _i2 = make_framework(world.a, name="Anden")
    assert services.competence_create(version=other, name_da="Samme kode", code="A-1-x", actor="t")


def test_database_refuses_a_repeated_code(world):
    _f, version, _area, items = make_framework(world.a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Competence.objects.create(version=version, identifier="dup", code=items[0].code, name_da="Dup")
    Competence.objects.create(version=version, identifier="e1", code="", name_da="Tom 1")
    Competence.objects.create(version=version, identifier="e2", code="", name_da="Tom 2")


def test_html_editor_shows_the_error_on_the_code_field(world, login):
    _f, version, area, _items = make_framework(world.a)
    response = login(world.user("admin")).post(
        f"/frameworks/versions/{version.pk}/new-competence/",
        {"name_da": "Ny", "code": "A-1", "parent": area.pk},
    )
    assert response.status_code in (200, 422)
    assert response.context["form"].errors["code"]
    assert not Competence.objects.filter(name_da="Ny").exists()


def test_api_answers_422_on_the_code_field(world, login):
    _f, version, _area, _items = make_framework(world.a)
    response = login(world.user("admin")).post(
        f"/api/v1/framework-versions/{version.pk}/competences",
        json.dumps({"name_da": "Ny", "code": "A-1"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["code"]


def test_case_file_with_a_repeated_code_is_refused_clearly(world):
    text = json.dumps(
        {
            "CFDocument": {"identifier": "D", "title": "Doc"},
            "CFItems": [
                {"identifier": "a", "fullStatement": "Item a", "humanCodingScheme": "K1"},
                {"identifier": "b", "fullStatement": "Item b", "humanCodingScheme": "K1"},
            ],
        }
    )
    with pytest.raises(ValidationError) as info:
        parse(text, "case-json")
    assert any("CFItems[1]: the code K1 is used twice (also at CFItems[0])" in m for m in info.value.messages)


def test_moodle_file_with_a_repeated_id_number_is_refused_once(world):
    header = (
        "Parent ID number,ID number,Short name,Description,Description format,Scale values,"
        "Scale configuration,Rule type (optional),Rule outcome (optional),Rule config (optional),"
        "Cross-referenced competency ID numbers,Exported ID (optional),Is framework,Taxonomy\n"
    )
    rows = (
        ',F,Ramme,,0,"A,B","[{""scaleid"":""0""},{""id"":1,""scaledefault"":1,""proficient"":1}]",,,,,,1,\n'
        ",K1,En,,0,,,,,,,,,\n"
        ",K1,To,,0,,,,,,,,,\n"
    )
    with pytest.raises(ValidationError) as info:
        parse(header + rows, "moodle-csv", language="da")
    repeated = [m for m in info.value.messages if "K1" in m]
    assert len(repeated) == 1 and "used twice" in repeated[0]


def test_import_of_data_with_a_repeated_code_is_a_validation_error_not_an_integrity_error(world):
    data = FrameworkData(
        name="Fra kode",
        competences=[
            CompetenceData(identifier="a", parent=None, fields={"code": "K1", "name_da": "A"}, where="a"),
            CompetenceData(identifier="b", parent=None, fields={"code": "K1", "name_da": "B"}, where="b"),
        ],
    )
    with pytest.raises(ValidationError, match="K1"):
        services.framework_import(data=data, municipality=world.a, actor="t")
    assert not Framework.objects.filter(name="Fra kode").exists()


@pytest.mark.django_db(transaction=True)
def test_migration_numbers_codes_that_were_already_repeated():
    """Existing versions with a repeated code: the first keeps it, later ones get " (2)", " (3)"."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("competences", "0002_municipality_in_core")],
        [("competences", "0003_competence_unique_code")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        old_framework = apps.get_model("competences", "Framework").objects.create(name="Gammel")
        old_version = apps.get_model("competences", "FrameworkVersion").objects.create(
            framework=old_framework
        )
        OldCompetence = apps.get_model("competences", "Competence")
        for i, code in enumerate(["K1", "K1", "K1 (2)", "K1", "", ""]):
            OldCompetence.objects.create(version=old_version, identifier=f"i{i}", code=code, position=i)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
    codes = list(
        Competence.objects.filter(version__framework__name="Gammel")
        .order_by("position")
        .values_list("code", flat=True)
    )
    assert codes == ["K1", "K1 (3)", "K1 (2)", "K1 (4)", "", ""]
