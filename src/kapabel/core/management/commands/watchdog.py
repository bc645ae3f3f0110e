"""`kapabel watchdog`: mark long writes whose process died failed.

A long write killed outright (a killed command, a lost worker, a machine going down) leaves nothing
half-written — each is one transaction — but its record would say "running" forever. This marks
those failed, once no process has held them for `KAPABEL_IMPORT_LEASE_MINUTES`: framework imports,
gap rebuilds (`kapabel.core.jobs`) and HR imports (which `kapabel import-hr-watchdog` also covers).
Run it every few minutes from cron or a systemd timer.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kapabel.core import jobs


class Command(BaseCommand):
    help = "Mark long writes (imports, rebuilds) whose process died failed."

    def handle(self, *args: Any, **options: Any) -> None:
        found = jobs.run_watchdogs()
        total = sum(len(ids) for ids in found.values())
        self.stdout.write(_("%(count)s runs had stopped without finishing.") % {"count": total})
        for name, ids in found.items():
            for pk in ids:
                self.stdout.write(
                    _("%(name)s #%(id)s marked failed; nothing was written.") % {"name": name, "id": pk}
                )
