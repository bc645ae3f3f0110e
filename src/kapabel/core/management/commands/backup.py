"""`kapabel backup PATH`: a backup of the whole database (kapabel.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kapabel.core import backup


class Command(BaseCommand):
    help = (
        "Back up the whole database to PATH: SQLite with its online backup API (while Kapabel runs), "
        "PostgreSQL with pg_dump's custom format; the uploaded files go to PATH.media.tar beside it. "
        "Both files are readable by their owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--overwrite", action="store_true", help="replace an existing file at PATH")

    def handle(self, *args: Any, path: Path, overwrite: bool, **options: Any) -> None:
        for existing in (path, backup.media_archive(path)):
            if existing.exists() and not overwrite:
                raise CommandError(_("%(path)s exists; give --overwrite to replace it.") % {"path": existing})
        try:
            outcome = backup.backup(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backup of the %(vendor)s database written to %(path)s (%(size)s bytes).")
            % {"vendor": outcome.vendor, "path": outcome.path, "size": outcome.size}
        )
        self.stdout.write(
            _("%(count)s uploaded files written to %(path)s.")
            % {"count": outcome.media_files, "path": outcome.media}
        )
