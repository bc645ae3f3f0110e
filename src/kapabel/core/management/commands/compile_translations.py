from pathlib import Path

import polib
from django.core.management.base import BaseCommand

import kapabel


class Command(BaseCommand):
    help = "Compile the .po catalogues to .mo in pure Python (no GNU gettext needed to run Kapabel)."

    def handle(self, *args, **options):
        root = Path(kapabel.__file__).parent
        count = 0
        for po_path in root.glob("*/locale/*/LC_MESSAGES/django.po"):
            mo_path = po_path.with_suffix(".mo")
            if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"{count} catalogue(s) compiled.")
