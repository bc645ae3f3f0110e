"""`kapabel import-catalogue PATH [--municipality KOMMUNEKODE] [--dry-run]`: import a provider's
course list (CSV or XLSX with the Danish headers Udbyder, Titel, Type, Kategori, Niveau, ECTS, Pris,
Undervisningsdage, Beskrivelse, Kompetencer, Ekstern id). With any error in any row nothing is written
and the command exits non-zero, listing every problem with its line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kapabel.core.models import Municipality
from kapabel.learning.catalogue_import import services
from kapabel.learning.catalogue_import.labels import action_label, count_labels, field_label
from kapabel.learning.catalogue_import.reading import CatalogueProblem
from kapabel.learning.models import CatalogueImport

SHOWN_PROBLEMS = 100


class Command(BaseCommand):
    help = "Import a course catalogue (CSV or XLSX with Danish headers) into a municipality's catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV or XLSX file")
        parser.add_argument("--municipality", help="the municipality code (kommunekode), e.g. 751")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument("--user", help="the username the import is recorded under")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("%(path)s does not exist or is not a file.") % {"path": path})
        municipality = self._municipality(options["municipality"])
        actor: Any = "kapabel import-catalogue"
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("There is no user %(user)s.") % {"user": options["user"]})
        data = path.read_bytes()
        catalogue_import = services.catalogue_import_receive(
            municipality=municipality,
            file_name=path.name,
            data=data,
            actor=actor,
            source=CatalogueImport.Source.CLI,
            dry_run=options["dry_run"],
        )
        if catalogue_import.status == CatalogueImport.Status.READY:
            catalogue_import = services.catalogue_import_apply(
                catalogue_import=catalogue_import, actor=actor, data=data
            )
        self._report(catalogue_import)
        if catalogue_import.status in (CatalogueImport.Status.REJECTED, CatalogueImport.Status.FAILED):
            # The errors go to stderr as well (with the exit status), so a script sees why.
            errors = [
                format_problem(CatalogueProblem.from_dict(p))
                for p in catalogue_import.problems
                if p["severity"] == "error"
            ]
            summary = _(
                "Nothing was imported: the file has %(count)s errors. Correct them and import it again."
            )
            raise CommandError("\n".join([summary % {"count": catalogue_import.error_count}, *errors[:20]]))

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

    def _report(self, catalogue_import: CatalogueImport) -> None:
        write = self.stdout.write
        write(
            _("Catalogue import #%(id)s of %(rows)s rows from %(file)s for %(municipality)s: %(status)s.")
            % {
                "id": catalogue_import.pk,
                "rows": catalogue_import.rows,
                "file": catalogue_import.file_name,
                "municipality": catalogue_import.municipality.name,
                "status": catalogue_import.get_status_display(),
            }
        )
        counts = catalogue_import.counts
        if counts and not catalogue_import.error_count:
            for key, label in count_labels():
                write(f"  {label:<45} {counts.get(key, 0):>6}")
        problems = [CatalogueProblem.from_dict(p) for p in catalogue_import.problems]
        for problem in problems[:SHOWN_PROBLEMS]:
            write(format_problem(problem))
        hidden = (
            catalogue_import.error_count + catalogue_import.warning_count - min(len(problems), SHOWN_PROBLEMS)
        )
        if hidden > 0:
            write(_("… and %(count)s more problems.") % {"count": hidden})
        if catalogue_import.dry_run and catalogue_import.sample and not catalogue_import.error_count:
            write(_("Examples of changes:"))
            for row in catalogue_import.sample:
                changes = "; ".join(
                    f"{field_label(name)}: {shown(old)} → {shown(new)}"
                    for name, (old, new) in row["changes"].items()
                )
                write(f"  {action_label(row['action'])} {row['title']} ({row['provider']}): {changes}")


def shown(value: Any) -> str:
    """A changed value as the report shows it: lists joined, "–" for nothing."""
    if isinstance(value, list):
        value = "; ".join(value)
    return "–" if value in (None, "") else str(value)


def format_problem(problem: CatalogueProblem) -> str:
    severity = _("error") if problem.severity == "error" else _("warning")
    return _("%(severity)s: %(file)s line %(line)s, column %(column)s: %(message)s") % {
        "severity": severity,
        "file": problem.file or "–",
        "line": problem.line or "–",
        "column": problem.column or "–",
        "message": problem.message,
    }
