"""`kapabel catalogue-reindex [--municipality KOMMUNEKODE]`: write the catalogue's search documents again.

The services and the catalogue import keep the index in step; this is for offers loaded past them
(a restored database, rows written by hand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.core.models import Municipality
from kapabel.learning.search import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the catalogue's search index (all municipalities, or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="the municipality code (kommunekode), e.g. 751")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality_id = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(kommunekode=options["municipality"]).first()
            if municipality is None:
                raise CommandError(
                    _("There is no municipality with the code %(code)s.") % {"code": options["municipality"]}
                )
            municipality_id = municipality.pk
        with transaction.atomic():
            count = rebuild_index(municipality_id)
        self.stdout.write(_("Indexed %(count)s offers.") % {"count": count})
