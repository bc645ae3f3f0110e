from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kapabel.core import tokens
from kapabel.core.models import PersonalAccessToken


class Command(BaseCommand):
    help = "Create, list or revoke personal access tokens for the API."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True, help="what the token is for, e.g. 'OS2mo sync'")
        create.add_argument("--scope", choices=PersonalAccessToken.Scope.values, default="read")
        create.add_argument("--days", type=int, default=None, help="lifetime in days (default from settings)")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by id")
        revoke.add_argument("id", type=int)

    def _user(self, username):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    def handle(self, *args, action, **options):
        if action == "create":
            if options["days"] is not None and options["days"] < 1:
                raise CommandError("--days must be at least 1.")
            token, raw = tokens.token_create(
                user=self._user(options["user"]),
                name=options["name"],
                scope=options["scope"],
                days=options["days"],
                actor="cli",
            )
            self.stdout.write(
                f"Token {token.pk} ({token.scope}, expires {token.expires_at:%Y-%m-%d}). "
                "Shown once; store it now:"
            )
            self.stdout.write(raw)
        elif action == "list":
            for token in PersonalAccessToken.objects.filter(user=self._user(options["user"])).order_by("id"):
                state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.scope}\t{state}\t{token.name}")
        else:
            token = PersonalAccessToken.objects.filter(pk=options["id"], revoked_at__isnull=True).first()
            if token is None:
                raise CommandError(f"No active token with id {options['id']}.")
            tokens.token_revoke(token=token, actor="cli")
            self.stdout.write(f"Token {token.pk} revoked.")
