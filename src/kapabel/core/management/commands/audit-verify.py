import sys

from django.core.management.base import BaseCommand, CommandError

from kapabel.core.audit import chain
from kapabel.core.models import Municipality


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chains end to end (one per municipality, and the platform's) and "
        "report the first broken link of each: an event altered, removed or inserted after it was "
        "written. Exit code 0 when every chain holds, 1 when one does not. Prints each chain's head "
        "hash, which can be kept elsewhere to notice a log rewritten from some point to its end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="only this municipality's chain (municipality code)")

    def handle(self, *args, municipality=None, **options):
        names = {m.pk: f"{m.name} ({m.kommunekode})" for m in Municipality.objects.all()}
        if municipality:
            found = Municipality.objects.filter(kommunekode=municipality).first()
            if found is None:
                raise CommandError(f"No municipality has the code {municipality!r}.")
            report = chain.verify([chain.chain_of(found.pk)])
        else:
            report = chain.verify()
        for result in report.chains:
            name = names.get(
                result.chain, "platform" if result.chain == 0 else f"municipality #{result.chain}"
            )
            if result.broken is None:
                self.stdout.write(
                    f"OK      {name}: {result.events} events ({result.redacted} anonymised), "
                    f"head {result.head_hash}"
                )
            else:
                self.stdout.write(f"BROKEN  {name}: {result.broken}")
        broken = report.first_break
        if broken is not None:
            self.stderr.write(f"The audit log does not hold. First broken link: {broken}")
            sys.exit(1)
        self.stdout.write(f"All {len(report.chains)} chains hold.")
