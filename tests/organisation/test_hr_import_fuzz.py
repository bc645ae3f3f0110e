"""Hypothesis mutates real files (bytes, encodings, delimiters, missing and extra columns, broken
quoting, truncation) and checks that the importer never crashes and never writes half an import."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapabel.organisation.models import HRImport
from tests.organisation.hr_import_helpers import CPRS, SHEET, new_municipality, p2l_files, run, snapshot

FILES = sorted(p2l_files())


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutated(draw):
    files = p2l_files()
    name = draw(st.sampled_from(FILES))
    data = files[name]
    kind = draw(
        st.sampled_from(
            [
                "flip",
                "encoding",
                "delimiter",
                "drop_column",
                "extra_column",
                "quote",
                "truncate",
                "junk",
                "dup",
            ]
        )
    )
    if kind == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    elif kind == "encoding":
        text = data.decode("utf-8-sig", errors="replace") if name != "bruger.csv" else data.decode("cp1252")
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
        data = text.encode(encoding, errors="replace")
    elif kind == "delimiter":
        data = data.replace(b";", draw(st.sampled_from([b",", b"\t", b"|"])))
    elif kind in ("drop_column", "extra_column"):
        index = draw(st.integers(0, 7))
        rows = []
        for line in _lines(data):
            fields = line.split(b";")
            if kind == "drop_column" and index < len(fields):
                del fields[index]
            elif kind == "extra_column":
                fields.insert(min(index, len(fields)), b"ekstra")
            rows.append(b";".join(fields))
        data = b"\n".join(rows)
    elif kind == "quote" and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b'"' + data[at:]
    elif kind == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif kind == "junk":
        lines = _lines(data)
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.binary(max_size=40)))
        data = b"\n".join(lines)
    elif kind == "dup":
        lines = _lines(data)
        at = draw(st.integers(0, len(lines) - 1))
        lines.insert(at, lines[at])
        data = b"\n".join(lines)
    files[name] = data
    return files


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=mutated(), skip=st.booleans())
def test_mutated_plan2learn_files_never_crash_or_half_write(files, skip):
    with transaction.atomic():
        municipality = new_municipality()
        run(municipality, p2l_files())
        before = snapshot(municipality)
        hr_import = run(municipality, files, skip_invalid=skip)
        assert hr_import.status in (HRImport.Status.SUCCEEDED, HRImport.Status.REJECTED)
        if hr_import.status == HRImport.Status.REJECTED:
            assert hr_import.error_count > 0
            assert snapshot(municipality) == before
        stored = json.dumps([hr_import.problems, hr_import.sample], default=str, ensure_ascii=False)
        assert not any(cpr in stored for cpr in CPRS)
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=300)
    | st.builds(lambda b: SHEET.read_bytes()[: len(b)] + b, st.binary(max_size=50))
)
def test_arbitrary_bytes_as_a_sheet_never_crash(data):
    with transaction.atomic():
        municipality = new_municipality()
        before = snapshot(municipality)
        for name in ("ark.csv", "ark.xlsx", "export.zip"):
            hr_import = run(municipality, {name: data}, format="kapabel")
            assert hr_import.status in (HRImport.Status.SUCCEEDED, HRImport.Status.REJECTED)
            if hr_import.status == HRImport.Status.REJECTED:
                assert snapshot(municipality) == before
        transaction.set_rollback(True)
