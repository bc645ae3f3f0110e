from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kapabel.competences import services
from kapabel.competences.exchange import FORMATS, parse
from kapabel.core.models import Municipality


class Command(BaseCommand):
    help = "Import a competence framework (Moodle CSV or CASE JSON). The last line printed is its id."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--municipality", help="Owning municipality's code; omit for a national framework."
        )
        parser.add_argument(
            "--language", default="da", choices=["da", "en"], help="Language of a Moodle file."
        )

    def handle(self, *args, path: str, format: str, municipality: str | None, language: str, **options):
        owner = None
        if municipality:
            owner = Municipality.objects.filter(kommunekode=municipality).first()
            if owner is None:
                raise CommandError(f"No municipality with code {municipality}.")
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            data = parse(content, format, language=language)
            framework = services.framework_import(
                data=data, municipality=owner, actor="import-framework", source=Path(path).name
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for warning in data.warnings:
            self.stderr.write(warning)
        version = framework.versions.get()
        self.stdout.write(f"{framework.name}: {version.competences.count()} competences")
        self.stdout.write(str(framework.pk))
