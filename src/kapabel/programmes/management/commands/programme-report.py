"""`kapabel programme-report ID [--format json|xlsx] [--output PATH]` and `--list`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kapabel.core.exports import xlsx_bytes
from kapabel.programmes.exports import report_sheets
from kapabel.programmes.selectors import commands


class Command(BaseCommand):
    help = "Print a programme's report (JSON, or XLSX to a file), or list the programmes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("id", nargs="?", type=int, help="the programme's id (see --list)")
        parser.add_argument("--list", action="store_true", help="print ID<TAB>name per programme")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for pk, name in commands.programme_list():
                self.stdout.write(f"{pk}\t{name}")
            return
        if options["id"] is None:
            raise CommandError(_("Give a programme's id, or --list."))
        programme = commands.programme_by_id(options["id"])
        if programme is None:
            raise CommandError(_("No programme with id %(id)s.") % {"id": options["id"]})
        report = commands.report(programme)
        output = options.get("output")
        if options["format"] == "xlsx":
            data = xlsx_bytes(report_sheets(report))
            if not output:
                raise CommandError(_("An XLSX report needs --output PATH."))
            Path(output).write_bytes(data)
            return
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
