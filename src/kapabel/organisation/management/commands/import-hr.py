"""`kapabel import-hr PATH`: import HR data (OS2mo's plan2learn export or Kapabel's sheet).

PATH is a folder or a zip with the five plan2learn files, or one CSV/XLSX sheet. Nothing is written
when any row has an error, unless --skip-invalid; --dry-run only shows what would change.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.organisation.hr_import import services as hr
from kapabel.organisation.hr_import.formats import FORMATS
from kapabel.organisation.hr_import.inputs import checksums_of_path, files_from_path
from kapabel.organisation.hr_import.labels import count_labels, shown
from kapabel.organisation.hr_import.reading import Problem
from kapabel.organisation.models import HRImport

STAGES = {"check": "checking", "plan": "comparing", "write": "writing"}


class ProgressBar:
    """A plain stderr progress bar: redrawn in place on a terminal, one line per stage otherwise."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.tty = stream.isatty()
        self.last_stage = ""
        self.last_draw = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        label = STAGES.get(stage, stage)
        if not self.tty:
            if stage != self.last_stage:
                self.stream.write(f"{label} …\n")
                self.last_stage = stage
            return
        now = time.monotonic()
        if now - self.last_draw < 0.1 and done < total and stage == self.last_stage:
            return
        self.last_draw, self.last_stage = now, stage
        share = done / total if total else 1.0
        filled = int(share * 30)
        self.stream.write(f"\r{label:<10} [{'#' * filled}{'.' * (30 - filled)}] {share:4.0%}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import HR data: OS2mo's plan2learn export (folder or zip) or Kapabel's CSV/XLSX sheet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", help="a folder or zip with the five plan2learn files, or a CSV/XLSX sheet"
        )
        parser.add_argument("--format", choices=FORMATS, help="default: plan2learn when bruger.csv is there")
        parser.add_argument("--municipality", help="the municipality code (kommunekode), e.g. 751")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows and list the skipped ones"
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--full",
            dest="full",
            action="store_true",
            default=None,
            help="people missing from the file become inactive (the default for plan2learn)",
        )
        mode.add_argument(
            "--partial", dest="full", action="store_false", help="only add and update (the sheet's default)"
        )
        parser.add_argument("--user", help="the username the import is recorded under")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        municipality = self._municipality(options["municipality"])
        actor: Actor = "kapabel import-hr"
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("There is no user %(user)s.") % {"user": options["user"]})
            actor = user
        progress = ProgressBar(self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)
        hr_import, dataset = hr.hrimport_receive(
            municipality=municipality,
            files=files_from_path(path),
            checksums=checksums_of_path(path),
            actor=actor,
            source=HRImport.Source.CLI,
            format=options["format"],
            full=options["full"],
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
            keep=False,
        )
        if hr_import.status != HRImport.Status.REJECTED:
            try:
                if options["dry_run"]:
                    hr_import = hr.hrimport_check(hr_import=hr_import, dataset=dataset, progress=progress)
                else:
                    hr_import = hr.hrimport_apply(
                        hr_import=hr_import, actor=actor, dataset=dataset, progress=progress
                    )
            except hr.Abandoned:
                raise CommandError(
                    _(
                        "Nothing was imported: the import was marked failed while it ran, because it had "
                        "shown no sign of life for longer than KAPABEL_IMPORT_LEASE_MINUTES."
                    )
                ) from None
        self._report(hr_import)
        if hr_import.status in (HRImport.Status.REJECTED, HRImport.Status.FAILED):
            raise CommandError(
                _("Nothing was imported: %(count)s errors. Correct them, or use --skip-invalid.")
                % {"count": hr_import.error_count}
            )

    def _municipality(self, code: str | None) -> Municipality:
        if code:
            municipality = Municipality.objects.filter(kommunekode=code).first()
            if municipality is None:
                raise CommandError(_("There is no municipality with the code %(code)s.") % {"code": code})
            return municipality
        municipalities = list(Municipality.objects.all()[:2])
        if len(municipalities) != 1:
            raise CommandError(_("Give the municipality with --municipality KOMMUNEKODE."))
        return municipalities[0]

    def _report(self, hr_import: HRImport) -> None:
        write = self.stdout.write
        write(
            _("Import #%(id)s of %(rows)s rows for %(municipality)s: %(status)s.")
            % {
                "id": hr_import.pk,
                "rows": hr_import.rows,
                "municipality": hr_import.municipality.name,
                "status": hr_import.get_status_display(),
            }
        )
        counts = hr_import.counts
        if counts:
            for key, label in count_labels():
                write(f"  {label:<32} {counts.get(key, 0):>8}")
            if not counts.get("changes"):
                write(_("Nothing changed: Kapabel already matches the files."))
        for problem in hr_import.problems[:50]:
            write(format_problem(Problem.from_dict(problem)))
        hidden = hr_import.error_count + hr_import.warning_count - min(len(hr_import.problems), 50)
        if hidden > 0:
            write(_("… and %(count)s more problems (see the import on the web page).") % {"count": hidden})
        if hr_import.dry_run and hr_import.sample:
            write(_("Examples of changes:"))
            for row in hr_import.sample:
                changes = ", ".join(
                    f"{k}: {shown(old)} → {shown(new)}" for k, (old, new) in row["changes"].items()
                )
                write(f"  {row['kind']} {row['action']} {row['id']} {row['name']} {changes}".rstrip())


def format_problem(problem: Problem) -> str:
    severity = _("error") if problem.severity == "error" else _("warning")
    if problem.file:
        return _("%(severity)s: %(file)s line %(line)s, column %(column)s: %(message)s") % {
            "severity": severity,
            "file": problem.file,
            "line": problem.line,
            "column": problem.column or "–",
            "message": problem.message,
        }
    return f"{severity}: {problem.message}"
