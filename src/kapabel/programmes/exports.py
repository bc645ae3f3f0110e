"""The programme report and the claim basis as spreadsheets, through the one writer
`kapabel.core.exports`."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from kapabel.core.exports import Column, Sheet


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def report_sheets(report: dict[str, Any]) -> list[Sheet]:
    money = report["money"]
    summary = Sheet(
        _("Programme"),
        [Column(_("Figure")), Column(_("Value"), "dec2")],
        [
            [_("Participants"), report["participants"]],
            [_("Substitutes"), report["substitutes"]],
            [_("Jobrotationsydelse in total (kr.)"), report["ydelse_total"]],
            [_("Grants in total (kr.)"), report["grants_total"]],
            [_("Fees (kr.)"), money["fees"]],
            [_("Salary while away (kr.)"), money["salary_while_away"]],
            [_("Substitute cost (kr.)"), money["substitute_cost"]],
            [_("Net cost (kr.)"), money["net_cost"]],
            [_("Cost per participant (kr.)"), money["cost_per_participant"]],
            [_("Budget (kr.)"), money["budget"]],
            [_("Spend (kr.)"), money["spend"]],
            [_("Share of substitutes in work"), report["outcomes"]["share_in_work"]],
        ],
    )
    placements = Sheet(
        _("Ydelse per week"),
        [
            Column(_("Substitute")),
            Column(_("Week starting"), "date"),
            Column(_("Training hours"), "dec2"),
            Column(_("Substitute hours"), "dec2"),
            Column(_("Hourly rate (kr.)"), "dec2"),
            Column(_("Ydelse (kr.)"), "dec2"),
        ],
        [
            [
                r["substitute"],
                _date(r["week_start"]),
                r["training_hours"],
                r["substitute_hours"],
                r["rate"],
                r["ydelse"],
            ]
            for r in report["placements"]
        ],
    )
    applications = Sheet(
        _("Applications"),
        [
            Column(_("Title")),
            Column(_("Scheme")),
            Column(_("Status")),
            Column(_("Education starts"), "date"),
            Column(_("Deadline"), "date"),
            Column(_("Eligible costs (kr.)"), "dec2"),
            Column(_("Grant (kr.)"), "dec2"),
        ],
        [
            [
                a["title"],
                a["scheme"],
                a["status"],
                _date(a["education_starts_on"]),
                _date(a["deadline"]),
                a["eligible_costs"],
                a["grant"],
            ]
            for a in report["applications"]
        ],
    )
    sheets = [summary, placements, applications]
    if report.get("claim_basis"):
        sheets.append(claim_sheet(report))
    sheets.append(Sheet(_("Warnings"), [Column(_("Warning"))], [[w] for w in report["warnings"]]))
    return sheets


def claim_sheet(report: dict[str, Any]) -> Sheet:
    """The claim basis: hours per substitute per participant per week."""
    return Sheet(
        _("Claim basis"),
        [
            Column(_("Substitute")),
            Column(_("Participant")),
            Column(_("Week starting"), "date"),
            Column(_("Training hours"), "dec2"),
        ],
        [
            [r["substitute"], r["participant"], _date(r["week_start"]), r["training_hours"]]
            for r in report.get("claim_basis", [])
        ],
    )
