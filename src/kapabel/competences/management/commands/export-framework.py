from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kapabel.competences.exchange import FORMATS
from kapabel.competences.models import Framework
from kapabel.competences.selectors import version_export


class Command(BaseCommand):
    help = "Export a competence framework's newest version (or --version N) as Moodle CSV or CASE JSON."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int)
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--output", required=True)
        parser.add_argument("--version-number", dest="number", type=int)

    def handle(self, *args, id: int, format: str, output: str, number: int | None, **options):
        framework = Framework.objects.filter(pk=id).first()
        if framework is None:
            raise CommandError(f"No framework with id {id}.")
        versions = framework.versions.order_by("-number")
        version = versions.filter(number=number).first() if number else versions.first()
        if version is None:
            raise CommandError(f"The framework has no version {number}.")
        content, _type, _ext = version_export(version, format)
        Path(output).write_text(content, encoding="utf-8")
        self.stdout.write(f"{output}")
