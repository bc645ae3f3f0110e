from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kapabel.core.models import GRANTED_ROLES, Municipality
from kapabel.organisation.models import OrgUnit
from kapabel.organisation.services import role_grant


class Command(BaseCommand):
    help = "Give a user a role: HR, coordinator, municipality or platform administrator."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--role", required=True, choices=[value for value, _label in GRANTED_ROLES])
        parser.add_argument("--municipality", help="kommunekode, e.g. 751")
        parser.add_argument("--unit", help="external id of the unit whose subtree the role covers")

    def handle(self, *args, user, role, municipality, unit, **options):
        try:
            account = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {user!r}.") from None
        place = Municipality.objects.filter(kommunekode=municipality).first() if municipality else None
        if municipality and place is None:
            raise CommandError(f"No municipality with code {municipality!r}.")
        unit_obj = None
        if unit:
            unit_obj = OrgUnit.objects.filter(municipality=place, external_id=unit).first()
            if unit_obj is None:
                raise CommandError(f"No unit with external id {unit!r} in that municipality.")
        try:
            role_grant(user=account, role=role, municipality=place, unit=unit_obj, actor="cli")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            f"{user} is now {role}"
            + (f" in {place}" if place else "")
            + (f" for {unit_obj} and below" if unit_obj else "")
        )
