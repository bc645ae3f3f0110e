"""Moodle CSV and CASE JSON: the real fixture files import as they are, round trips keep what the
format carries, and bad input gives row/field errors with nothing written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kapabel.competences import services, starter
from kapabel.competences.exchange import case, moodle, parse
from kapabel.competences.exchange.common import TEXT_FIELDS
from kapabel.competences.models import Competence, Framework
from kapabel.competences.selectors import version_to_data

FIXTURES = Path(__file__).resolve().parents[2].parent.parent / "shared" / "fixtures"
if not FIXTURES.exists():
    FIXTURES = Path("/work/shared/fixtures")

pytestmark = pytest.mark.django_db


def run_import(path: Path, fmt: str, *extra: str) -> Framework:
    out = io.StringIO()
    call_command("import-framework", str(path), "--format", fmt, *extra, stdout=out, stderr=io.StringIO())
    last = out.getvalue().strip().splitlines()[-1]
    return Framework.objects.get(pk=int(last))


def test_moodle_oecd_fixture_imports_as_it_is(world):
    framework = run_import(
        FIXTURES / "moodle_core_lpimportcsv_example_oecd.csv",
        "moodle-csv",
        "--municipality",
        "101",
        "--language",
        "en",
    )
    version = framework.versions.get()
    assert framework.name == "OECD" and framework.municipality == world.a
    assert version.competences.count() == 64
    level1 = version.competences.get(identifier="level-1")
    assert level1.parent.identifier == "levels"
    assert level1.related.count() > 10  # cross-references
    assert "<p>" in level1.description_en  # HTML description kept, format remembered
    assert level1.extra["description_format"] == "1"
    assert version.taxonomies == ["competency"] * 4
    levels = list(version.scale.levels.values_list("name_en", "proficient", "is_default"))
    assert levels == [("Not yet competent", False, False), ("Competent", True, True)]


def test_case_fixtures_import_as_they_are(world):
    framework = run_import(FIXTURES / "case_opensalt_sample_framework_20c5134f.json", "case-json")
    version = framework.versions.get()
    assert framework.name == "What Standards Could Be" and framework.municipality is None
    assert version.competences.count() == 16
    assert version.competences.filter(parent__isnull=False).exists()
    kept = {a["associationType"] for a in version.extra["case_associations"]}
    assert {"exactMatchOf", "precedes", "exemplar"} <= kept
    assert version.scale is not None  # a default scale, since CASE carries none
    utf8 = run_import(FIXTURES / "case_opensalt_Utf8TestFramework.json", "case-json")
    assert utf8.name == "UTF8 𝑑 Test"
    assert utf8.versions.get().competences.get().name == "Item 𝑑 1"


def _comparable(data):
    scales = {s.key: [dict(lv) for lv in s.levels] for s in data.scales}
    return {
        "name": data.name,
        "description": data.description,
        "language": data.language,
        "default_scale": scales.get(data.default_scale),
        "competences": [
            (
                c.identifier,
                c.parent,
                {k: c.fields.get(k, "") for k in TEXT_FIELDS if k != "uri"},
                sorted(c.related),
                scales.get(c.scale),
            )
            for c in data.competences
        ],
    }


def _starter_version(world):
    framework = services.framework_import(
        data=starter.to_data(starter.load("jobcenter")), municipality=world.a, actor="t"
    )
    version = framework.versions.get()
    items = list(version.competences.order_by("id"))
    services.competence_set_related(competence=items[3], related=[items[4], items[6]], actor="t")
    services.competence_update(
        competence=items[3], esco_uri="http://data.europa.eu/esco/skill/abc", actor="t"
    )
    return version


def test_case_round_trip_keeps_everything(world):
    version = _starter_version(world)
    before = version_to_data(version)
    text = case.write(before, version=version)
    again = services.framework_import(data=parse(text, "case-json"), municipality=world.a, actor="t")
    after = version_to_data(again.versions.get())
    assert _comparable(after) == _comparable(before)


def test_moodle_round_trip_keeps_what_moodle_carries(world):
    version = _starter_version(world)
    before = version_to_data(version)
    text = moodle.write(before)
    again = services.framework_import(data=parse(text, "moodle-csv"), municipality=world.a, actor="t")
    after = version_to_data(again.versions.get())
    assert after.name == before.name and after.description == before.description
    # Moodle carries the id (our code), the tree, the Danish text, cross-references and the scale.
    simplify = lambda d: [  # noqa: E731
        (c.identifier, c.parent, c.fields["name_da"], c.fields["description_da"], sorted(c.related))
        for c in d.competences
    ]  # noqa: E731
    assert simplify(after) == [
        (
            c.fields["code"],
            next((p.fields["code"] for p in before.competences if p.identifier == c.parent), None),
            c.fields["name_da"],
            c.fields["description_da"],
            sorted(c.related),
        )
        for c in before.competences
    ]
    level_view = lambda d: [  # noqa: E731
        (lv["value"], lv["name_da"], lv["proficient"], lv["is_default"])
        for lv in next(s for s in d.scales if s.key == d.default_scale).levels
    ]  # noqa: E731
    assert level_view(after) == level_view(before)


def test_moodle_export_of_the_oecd_file_reimports_identically(world):
    framework = run_import(
        FIXTURES / "moodle_core_lpimportcsv_example_oecd.csv", "moodle-csv", "--language", "en"
    )
    first = version_to_data(framework.versions.get())
    again = parse(moodle.write(first), "moodle-csv", language="en")
    assert [(c.identifier, c.parent, c.fields, c.extra) for c in again.competences] == [
        (
            c.identifier,
            c.parent,
            {k: v for k, v in c.fields.items() if k in ("code", "name_en", "description_en")},
            c.extra,
        )
        for c in first.competences
    ] or _comparable(again)["competences"] == _comparable(first)["competences"]


def test_export_command_writes_a_file(world, tmp_path):
    version = _starter_version(world)
    out = tmp_path / "jc.json"
    call_command(
        "export-framework",
        str(version.framework_id),
        "--format",
        "case-json",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    package = json.loads(out.read_text())
    assert package["CFDocument"]["title"] == "Jobcenter"
    assert len(package["CFItems"]) == 11


HEADER = ",".join(moodle.COLUMNS) + "\n"
FRAMEWORK_ROW = (
    ',FW,Ramme,,2,"Lav,Høj","[{""scaleid"":""1""},{""id"":2,""scaledefault"":1,""proficient"":1}]",,,,,,1,\n'
)


def _bad(text: str, fmt: str = "moodle-csv") -> list[str]:
    with pytest.raises(ValidationError) as info:
        parse(text, fmt)
    assert Framework.objects.count() == 0 and Competence.objects.count() == 0
    return info.value.messages


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("FW,a,A,,2,,,,,,,,,\n,b,B,,2\n", "Row 4: expected 14 columns"),
        ("nope,a,A,,2,,,,0,null,,1,,\n", "Row 3: the parent nope does not exist"),
        (",a,A,,2,,,,0,null,,1,,\n,a,A2,,2,,,,0,null,,2,,\n", "the id a is used twice"),
        ("b,a,A,,2,,,,0,null,,1,,\na,b,B,,2,,,,0,null,,2,,\n", "cycle"),
        (",a,A,,7,,,,0,null,,1,,\n", "Row 3, Description format"),
        (",a,A,,2,,,,0,{bad,,1,,\n", "Row 3, Rule config: not valid JSON"),
        (
            ',a,A,,2,"X,Y","[{""scaleid"":1},{""id"":5,""proficient"":1}]",,0,null,,1,,\n',
            "Scale configuration",
        ),
        (
            ',a,A,,2,"X,Y","[{""scaleid"":1},{""id"":1,""proficient"":0}]",,0,null,,1,,\n',
            "no scale value is marked proficient",
        ),
        (',a,A,,2,"X,Y","not json",,0,null,,1,,\n', "Scale configuration: not valid JSON"),
    ],
)
def test_bad_moodle_input_is_refused_with_row_errors(body, expected):
    messages = _bad(HEADER + FRAMEWORK_ROW + body)
    assert any(expected in m for m in messages), messages


def test_moodle_needs_exactly_one_framework_row():
    assert any("Exactly one row" in m for m in _bad(HEADER + ",a,A,,2,,,,0,null,,1,,\n"))


def _case(items, associations, doc=None):
    return json.dumps(
        {
            "CFDocument": doc or {"identifier": "D", "title": "Doc", "uri": "u:D"},
            "CFItems": [{"identifier": i, "fullStatement": f"Item {i}"} for i in items],
            "CFAssociations": [
                {
                    "associationType": t,
                    "originNodeURI": {"identifier": o},
                    "destinationNodeURI": {"identifier": d},
                }
                for t, o, d in associations
            ],
        }
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON: line 1"),
        (_case(["a", "a"], []), "CFItems[1]: the identifier a is used twice"),
        (_case(["a"], [("isChildOf", "a", "zzz")]), "the parent zzz of a does not exist"),
        (_case(["a", "b"], [("isChildOf", "a", "b"), ("isChildOf", "b", "a")]), "cycle"),
        (json.dumps({"CFDocument": {"identifier": "D"}, "CFItems": []}), "CFDocument.title: missing"),
        (
            json.dumps({"CFDocument": {"identifier": "D", "title": "T"}, "CFItems": [{"identifier": "x"}]}),
            "CFItems[0].fullStatement: missing",
        ),
    ],
)
def test_bad_case_input_is_refused_with_field_errors(text, expected):
    messages = _bad(text, "case-json")
    assert any(expected in m for m in messages), messages


def test_case_tree_and_order_follow_the_associations(world):
    text = _case(
        ["p", "c2", "c1"],
        [
            ("isChildOf", "p", "D"),
            ("isChildOf", "c1", "p"),
            ("isChildOf", "c2", "p"),
            ("isRelatedTo", "c1", "c2"),
        ],
    )
    data = json.loads(text)
    data["CFAssociations"][1]["sequenceNumber"] = 1
    data["CFAssociations"][2]["sequenceNumber"] = 2
    framework = services.framework_import(
        data=parse(json.dumps(data), "case-json"), municipality=world.a, actor="t"
    )
    version = framework.versions.get()
    parent = version.competences.get(identifier="p")
    assert list(parent.children.order_by("position").values_list("identifier", flat=True)) == ["c1", "c2"]
    assert list(version.competences.get(identifier="c1").related.values_list("identifier", flat=True)) == [
        "c2"
    ]
