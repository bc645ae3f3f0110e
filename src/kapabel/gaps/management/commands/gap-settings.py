from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kapabel.core.models import Municipality
from kapabel.gaps.models import GapSettings
from kapabel.gaps.services import gap_settings_update


class Command(BaseCommand):
    help = "Show or change a municipality's gap-analysis settings (importance weights, smallest group shown)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="kommunekode, e.g. 751")
        parser.add_argument("--min-group-size", type=int)
        parser.add_argument("--weights", help="essential,important,nice-to-have, e.g. 3,2,1")
        parser.add_argument(
            "--leader-influence",
            type=int,
            help="how much the leader survey weighs in the priorities, 0-100 (%%)",
        )
        parser.add_argument(
            "--leader-future-share",
            type=int,
            help="share of the leaders' importance in three years against now, 0-100 (%%)",
        )

    def handle(
        self, *args, municipality, min_group_size, weights, leader_influence, leader_future_share, **options
    ):
        place = Municipality.objects.filter(kommunekode=municipality).first()
        if place is None:
            raise CommandError(f"No municipality with code {municipality!r}.")
        values = {}
        if min_group_size is not None:
            values["min_group_size"] = min_group_size
        if leader_influence is not None:
            values["leader_influence"] = leader_influence
        if leader_future_share is not None:
            values["leader_future_share"] = leader_future_share
        if weights:
            try:
                essential, important, nice = (int(part) for part in weights.split(","))
            except ValueError:
                raise CommandError("--weights takes three whole numbers, e.g. 3,2,1") from None
            values.update(weight_essential=essential, weight_important=important, weight_nice_to_have=nice)
        if values:
            try:
                current = gap_settings_update(municipality=place, actor="cli", **values)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        else:
            current = GapSettings.objects.filter(municipality=place).first() or GapSettings(
                municipality=place
            )
        self.stdout.write(
            f"{place}: weights {current.weight_essential},{current.weight_important},"
            f"{current.weight_nice_to_have}; smallest group shown {current.min_group_size}; "
            f"leader survey in the priorities {current.leader_influence} % "
            f"({current.leader_future_share} % of it the importance in three years)"
        )
