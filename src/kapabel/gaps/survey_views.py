"""Survey results: a needs survey's wishes and answers, a leader survey's levels, importance and
comments, for a campaign and optionally one unit, as a page or an XLSX file (the same selector and
access check). Thin, like `views`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kapabel.assessments import permissions as assessment_permissions
from kapabel.assessments.models import Campaign
from kapabel.competences.models import Importance
from kapabel.core import exports
from kapabel.core.web import request_user
from kapabel.gaps import permissions
from kapabel.gaps.selectors import surveys

SURVEYS = (Campaign.Kind.NEEDS_SURVEY, Campaign.Kind.LEADER_SURVEY)


def _export(results: surveys.SurveyResults) -> HttpResponse:
    sheets: list[exports.Sheet] = []
    if results.campaign.kind == Campaign.Kind.NEEDS_SURVEY:
        sheets.append(
            exports.Sheet(
                title=_("Wishes"),
                columns=[
                    exports.Column(_("Competence")),
                    exports.Column(_("Area")),
                    exports.Column(_("Respondents who wish to develop it"), "int"),
                    exports.Column(_("Share of respondents"), "pct"),
                ],
                rows=[[r["competence"].name, r["area"], r["count"], r["share"]] for r in results.wishes],
            )
        )
        sheets.append(
            exports.Sheet(
                title=_("Answers"),
                columns=[
                    exports.Column(_("Question")),
                    exports.Column(_("Answer")),
                    exports.Column(_("Respondents who gave it"), "int"),
                ],
                rows=[
                    [q["question"], a["text"], a["count"]] for q in results.questions for a in q["answers"]
                ],
            )
        )
    else:
        importance = [str(label) for _value, label in Importance.choices]
        sheets.append(
            exports.Sheet(
                title=_("Competences"),
                columns=[
                    exports.Column(_("Competence")),
                    exports.Column(_("Area")),
                    exports.Column(_("Answers"), "int"),
                    exports.Column(_("Mean level of the unit"), "dec2"),
                    exports.Column(_("Don’t know"), "int"),
                    *[
                        exports.Column(_("Now: %(importance)s") % {"importance": i}, "int")
                        for i in importance
                    ],
                    *[
                        exports.Column(_("In three years: %(importance)s") % {"importance": i}, "int")
                        for i in importance
                    ],
                ],
                rows=[
                    [
                        r["competence"].name,
                        r["area"],
                        r["answers"],
                        r["mean_level"],
                        r["unknown"],
                        *r["now"],
                        *r["future"],
                    ]
                    for r in results.competences
                ],
            )
        )
        sheets.append(
            exports.Sheet(
                title=_("Comments"),
                columns=[exports.Column(_("Competence")), exports.Column(_("Comment"))],
                rows=[[r["competence"].name, c] for r in results.competences for c in r["comments"]],
            )
        )
    return exports.response(sheets, filename=f"survey-results-{results.campaign.pk}", fmt="xlsx")


@login_required
def survey_results(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """`?unit=` narrows the results to those taking part for a unit and the units below it;
    `?export=xlsx` gives them as a workbook."""
    user = request_user(request)
    campaign = assessment_permissions.get_campaign_for_user(user, campaign_pk)
    assessment_permissions.require_follow_campaigns(user)
    if campaign.kind not in SURVEYS:
        raise Http404
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = permissions.get_unit_for_user(user, int(request.GET["unit"]))
        if unit.municipality_id != campaign.municipality_id:
            raise Http404
    results = surveys.survey_results(user, campaign, unit)
    if request.GET.get("export") == "xlsx" and not results.suppressed:
        return _export(results)
    context: dict[str, Any] = {
        "results": results,
        "campaign": campaign,
        "needs": campaign.kind == Campaign.Kind.NEEDS_SURVEY,
    }
    return render(request, "gaps/survey_results.html", context)
