"""Helpers for the HR import tests: the fixture files, and a snapshot of what the database holds."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from kapabel.core.models import AuditEvent
from kapabel.organisation import services
from kapabel.organisation.hr_import import services as hr
from kapabel.organisation.models import Employee, JobRole, OrgUnit

FIXTURES = Path(__file__).parent / "fixtures"
P2L = FIXTURES / "plan2learn"
SHEET = FIXTURES / "kapabel" / "medarbejdere.csv"
# The CPR numbers in the fixture's bruger.csv: none may ever leave the file.
CPRS = ["0101801234", "0202855678", "030390-9012", "0303909012", "0404751111"]
TASKS_IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def p2l_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(P2L.iterdir()) if path.is_file()}


def text(data: bytes, encoding: str = "utf-8-sig") -> str:
    return data.decode(encoding)


def replace(files: dict[str, bytes], name: str, old: str, new: str, encoding: str = "utf-8-sig") -> None:
    """Edit one fixture file in memory, keeping its encoding (BOM included)."""
    content = files[name].decode(encoding)
    assert old in content, (name, old)
    encoded = content.replace(old, new).encode("utf-8" if encoding == "utf-8-sig" else encoding)
    bom = b"\xef\xbb\xbf" if files[name].startswith(b"\xef\xbb\xbf") else b""
    files[name] = bom + encoded


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"export/{name}", data)
    return buffer.getvalue()


def new_municipality(code: str = "999"):
    return services.municipality_create(name="Testrup Kommune", kommunekode=code, actor="tests")


def run(municipality, files, *, skip_invalid=False, full=None, format=None, dry_run=False):
    """Receive and apply (or only check) as the command line does."""
    hr_import, dataset = hr.hrimport_receive(
        municipality=municipality,
        files=files,
        actor="tests",
        source="cli",
        format=format,
        full=full,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        keep=False,
    )
    if hr_import.status == "rejected":
        return hr_import
    if dry_run:
        return hr.hrimport_check(hr_import=hr_import, dataset=dataset)
    return hr.hrimport_apply(hr_import=hr_import, actor="tests", dataset=dataset)


def snapshot(municipality) -> tuple:
    """Everything an import may change, to compare before and after."""
    return (
        sorted(OrgUnit.objects.filter(municipality=municipality).values_list(
            "pk", "external_id", "name", "parent_id", "path", "depth", "active")),
        sorted(JobRole.objects.filter(municipality=municipality).values_list("pk", "external_id", "title", "active")),  # noqa: E501
        sorted(Employee.objects.filter(municipality=municipality).values_list(
            "pk", "external_id", "name", "email", "unit_id", "job_role_id", "active", "employment_start",
            "employment_end")),
        sorted(OrgUnit.managers.through.objects.filter(orgunit__municipality=municipality).values_list(
            "orgunit_id", "employee_id")),
        AuditEvent.objects.count(),
    )  # fmt: skip


def problem_codes(hr_import) -> list[tuple[str, str, int, str]]:
    return [(p["code"], p["file"], p["line"], p["column"]) for p in hr_import.problems]
