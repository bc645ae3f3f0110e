"""`kapabel restore PATH`: replace the whole database with a backup (kapabel.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from kapabel.core import backup


class Command(BaseCommand):
    help = (
        "Replace the whole database with the backup in PATH (made by kapabel backup), all or nothing, and "
        "the uploaded files with PATH.media.tar when it is there. "
        "Stop Kapabel (gunicorn, db_worker) first; run kapabel migrate afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="do not ask"
        )

    def handle(self, *args: Any, path: Path, interactive: bool, **options: Any) -> None:
        name = connection.settings_dict.get("NAME")
        if interactive:
            answer = input(
                _("This replaces everything in the database %(name)s with %(path)s. Type 'yes' to go on: ")
                % {"name": name, "path": path}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Nothing was restored."))
        try:
            outcome = backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("The %(vendor)s database %(name)s was restored from %(path)s. Run kapabel migrate next.")
            % {"vendor": outcome.vendor, "name": name, "path": outcome.path}
        )
        if outcome.media is None:
            self.stdout.write(
                _(
                    "There is no %(archive)s beside the backup: "
                    "the uploaded files in %(root)s were left as they are."
                )
                % {"archive": backup.media_archive(path).name, "root": settings.MEDIA_ROOT}
            )
        else:
            self.stdout.write(
                _("%(count)s uploaded files restored from %(path)s.")
                % {"count": outcome.media_files, "path": outcome.media}
            )
