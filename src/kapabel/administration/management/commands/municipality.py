from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kapabel.administration import selectors, services
from kapabel.competences.starter import STARTERS
from kapabel.organisation.selectors import municipalities


class Command(BaseCommand):
    help = "Create a municipality (with starter frameworks and a first administrator), or list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a municipality")
        create.add_argument("--code", required=True, help="the three-digit kommunekode, e.g. 751")
        create.add_argument("--name", required=True, help='e.g. "Aarhus Kommune"')
        create.add_argument("--cvr", default="", help="the municipality's CVR number (eight digits)")
        create.add_argument(
            "--starter",
            action="append",
            default=[],
            choices=STARTERS,
            help="a starter framework to install (repeat for more)",
        )
        create.add_argument(
            "--admin",
            help="username of the first administrator: an existing user, or a new login without a password "
            "(set one with `kapabel changepassword USERNAME`)",
        )
        create.add_argument("--admin-email", default="", help="e-mail of a new administrator login")
        create.add_argument("--admin-first-name", default="")
        create.add_argument("--admin-last-name", default="")
        sub.add_parser("list", help="list the municipalities")
        sub.add_parser("starters", help="list the starter frameworks")

    def handle(self, *args, action, **options):
        if action == "list":
            for municipality in municipalities(ids=None).order_by("kommunekode"):
                self.stdout.write(f"{municipality.kommunekode}\t{municipality.pk}\t{municipality.name}")
            return
        if action == "starters":
            for item in selectors.starters_catalogue():
                self.stdout.write(f"{item.key}\t{item.name} ({item.competences} competences)")
            return
        administrator = None
        if options["admin"]:
            administrator = services.FirstAdministrator(
                username=options["admin"],
                email=options["admin_email"],
                first_name=options["admin_first_name"],
                last_name=options["admin_last_name"],
            )
        try:
            municipality = services.municipality_setup(
                name=options["name"],
                kommunekode=options["code"],
                cvr=options["cvr"],
                starters=options["starter"],
                administrator=administrator,
                password_required=False,
                actor="cli",
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        self.stdout.write(f"Created {municipality.name} ({municipality.kommunekode}), id {municipality.pk}.")
        if options["starter"]:
            self.stdout.write(f"Starter frameworks: {', '.join(options['starter'])}.")
        if administrator is not None:
            account = selectors.account(administrator.username)
            assert account is not None  # the service created or found it
            self.stdout.write(f"{account.username} is the municipality's administrator.")
            if not account.has_usable_password():
                self.stdout.write(
                    f"Set a password for the new login: kapabel changepassword {account.username}"
                )
        self.stdout.write(f"Next: kapabel import-hr PATH --municipality {municipality.kommunekode}")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            message if field == "__all__" else f"{field}: {message}"
            for field, messages in exc.message_dict.items()
            for message in messages
        )
    return "; ".join(exc.messages)
