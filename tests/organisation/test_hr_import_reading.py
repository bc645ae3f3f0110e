"""Reading real files: encodings, delimiters, quoting, Danish dates and numbers."""

from __future__ import annotations

import codecs
import datetime
import decimal

import pytest

from kapabel.organisation.hr_import.formats import parse
from kapabel.organisation.hr_import.reading import (
    decode,
    detect_delimiter,
    mask_cpr,
    parse_bool,
    parse_date,
    parse_decimal,
    read_csv,
)
from tests.organisation.hr_import_helpers import CPRS, p2l_files


def test_decodes_utf8_with_and_without_bom_utf16_and_windows_1252():
    assert decode(codecs.BOM_UTF8 + "Ærø".encode()) == "Ærø"
    assert decode("Ærø".encode()) == "Ærø"
    assert decode("Ærø – Løn".encode("cp1252")) == "Ærø – Løn"
    assert decode("Ærø".encode("utf-16")) == "Ærø"
    assert decode(b"\x81\x8d") == "\x81\x8d"  # undefined in cp1252: Latin-1, never an exception


@pytest.mark.parametrize(
    ("header", "expected"),
    [("a;b;c", ";"), ("a,b,c", ","), ("a\tb", "\t"), ('"x;y",b,c', ","), ("single", ";")],
)
def test_detects_the_delimiter_from_the_header(header, expected):
    assert detect_delimiter(header + "\n1;2,3\n") == expected


def test_quoted_newlines_keep_the_physical_line_numbers():
    problems = []
    table = read_csv("f.csv", b'a;b\n1;"two\nlines"\n\n3;x\n4\n', problems)
    assert [line for line, _ in table.rows] == [2, 5]
    assert table.rows[0][1] == ["1", "two\nlines"]
    assert [(p.code, p.line) for p in problems] == [("field_count", 6)]


def test_trailing_empty_delimiters_are_accepted():
    problems = []
    table = read_csv("f.csv", b"a;b\n1;2;;\n", problems)
    assert table.rows == [(2, ["1", "2", "", ""])] and not problems


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("24-12-2023", datetime.date(2023, 12, 24)),
        ("24.12.2023", datetime.date(2023, 12, 24)),
        ("1/2/2020", datetime.date(2020, 2, 1)),
        ("2023-12-24", datetime.date(2023, 12, 24)),
        ("2023-12-24T00:00:00", datetime.date(2023, 12, 24)),
        (" ", None),
    ],
)
def test_danish_and_iso_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31-02-2020", "2020/12/24", "i morgen", "24-12-23"])
def test_bad_dates_raise_value_error(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_decimal_comma_and_booleans():
    assert parse_decimal("37,5") == decimal.Decimal("37.5")
    assert parse_decimal(" 37 ") == decimal.Decimal("37")
    assert parse_decimal("1.234,5") == decimal.Decimal("1234.5")
    for bad in ("NaN", "37,5,1", "x"):
        with pytest.raises(ValueError):
            parse_decimal(bad)
    assert parse_bool("Ja") and parse_bool("1") and not parse_bool("nej") and not parse_bool("")
    with pytest.raises(ValueError):
        parse_bool("måske")


def test_cpr_like_values_are_masked():
    assert mask_cpr("id 010180-1234 and 0101801234") == "id ******-**** and ******-****"


def test_the_plan2learn_fixture_reads_without_problems_and_keeps_no_cpr():
    dataset = parse(p2l_files())
    assert dataset.format == "plan2learn" and dataset.full
    assert not dataset.problems
    assert [u.name for u in dataset.units][:3] == ["Testrup Kommune", "Børn og Unge", "Fællesadministration"]
    people = {p.external_id: p for p in dataset.people}
    assert people["p-2"].name == "Åse Ærø"  # stray spaces, Windows-1252
    assert people["p-2"].unit == "u-fa"  # the primary engagement decides
    assert people["p-3"].name == 'Jens "Leder" Jensen'
    assert people["p-4"].active is False and people["p-4"].start == datetime.date(2099, 3, 1)
    blob = dataset.to_bytes()
    from kapabel.organisation.hr_import.formats import Dataset

    restored = Dataset.from_bytes(blob)
    assert restored.people == dataset.people
    assert not any(cpr in repr(restored) for cpr in CPRS)
