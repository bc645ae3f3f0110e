"""`kapabel import-hr-watchdog`: mark HR imports whose process died failed.

An import checked or applied by a process that was killed or went away (a killed `kapabel import-hr`,
a dead `db_worker`) would otherwise say "being imported" forever. Nothing was written: the write is one
transaction. The page and the API do the same check when someone looks; run this from cron or a timer
(every few minutes) so stuck imports are also cleared when no one looks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kapabel.organisation.hr_import import services as hr


class Command(BaseCommand):
    help = "Mark HR imports whose process died (no sign of life within KAPABEL_IMPORT_LEASE_MINUTES) failed."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = hr.hrimport_fail_dead()
        self.stdout.write(
            _("%(count)s imports had stopped without finishing (no sign of life for %(minutes)s minutes).")
            % {"count": len(failed), "minutes": f"{settings.KAPABEL_IMPORT_LEASE_MINUTES:g}"}
        )
        for pk in failed:
            self.stdout.write(_("Import #%(id)s marked failed; nothing was written.") % {"id": pk})
