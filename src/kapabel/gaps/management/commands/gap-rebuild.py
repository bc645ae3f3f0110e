import time

from django.core.management.base import BaseCommand, CommandError

from kapabel.core.models import Municipality
from kapabel.gaps import upkeep


class Command(BaseCommand):
    help = (
        "Recompute the gap-analysis tables of a municipality (or of all) from scratch, writing only what "
        "differs. Run once after upgrading to a version with new gap tables, or to repair."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="kommunekode, e.g. 751 (default: every municipality)")

    def handle(self, *args, municipality, **options):
        places = Municipality.objects.order_by("kommunekode")
        if municipality:
            places = places.filter(kommunekode=municipality)
            if not places.exists():
                raise CommandError(f"No municipality with code {municipality!r}.")
        for place in places:
            start = time.perf_counter()
            facts = upkeep.rebuild(place, actor="gap-rebuild")
            self.stdout.write(f"{place}: {facts} gap facts, rebuilt in {time.perf_counter() - start:.1f} s")
