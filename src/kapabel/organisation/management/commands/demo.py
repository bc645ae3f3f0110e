import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kapabel.core import demo, mail
from kapabel.core.models import Municipality
from kapabel.organisation.demo import DEMO_KOMMUNEKODE, DEMO_LOGINS


class Command(BaseCommand):
    help = "Build the deterministic demo municipality (with a small neighbour) and print demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=400)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database has data.")

    def handle(self, *args, employees: int, seed: int, if_empty: bool, **options):
        if Municipality.objects.exists():
            if if_empty:
                self.stdout.write(_("The database already has data; the demo was not loaded."))
                if Municipality.objects.filter(kommunekode=DEMO_KOMMUNEKODE).exists():
                    print_logins(self.stdout, DEMO_LOGINS)
                return
            raise CommandError(
                _("The database already has municipalities. Use an empty database for the demo.")
            )
        if employees < 50:
            raise CommandError(_("The demo needs at least 50 employees."))
        started = time.perf_counter()
        ctx = demo.DemoContext(seed=seed, employees=employees, rng=random.Random(seed))
        with ctx.stack:
            ctx.stack.enter_context(mail.suppressed())
            for _order, name, step in demo.steps():
                step_start = time.perf_counter()
                step(ctx)
                self.stdout.write(f"  {name}: {time.perf_counter() - step_start:.1f} s")
        for line in ctx.report:
            self.stdout.write(line)
        self.stdout.write(_("Demo built in %(seconds).1f s.") % {"seconds": time.perf_counter() - started})
        print_logins(self.stdout, ctx.logins)


def print_logins(stdout, logins) -> None:
    stdout.write("")
    stdout.write(_("Demo logins:"))
    width = max(len(role) for role, _u, _p in logins)
    for role, username, password in logins:
        stdout.write(f"  {role:<{width}}  {username:<14} {password}")
