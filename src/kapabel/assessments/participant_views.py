"""The participant list of a campaign: filters (unit, status), export, and reminders on demand to
those who have not answered. Thin, like `views`: a permission-checked fetch, a selector or a
service, a template."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kapabel.assessments import permissions, selectors, services
from kapabel.assessments.forms import ParticipantFilterForm
from kapabel.assessments.models import Assessment, Campaign, Part
from kapabel.core import exports
from kapabel.core.web import is_htmx, request_user, require_post
from kapabel.organisation import permissions as org_permissions

EXPORTS = ("xlsx", "csv")


def _filters(form: ParticipantFilterForm) -> tuple[int | None, str]:
    if not form.is_valid():
        return None, ""
    return form.cleaned_data["unit"], form.cleaned_data["status"]


def _day(value: Any) -> Any:
    return timezone.localtime(value).date() if value else None


def _export(campaign: Campaign, participants: QuerySet[Assessment], fmt: str) -> HttpResponse:
    columns = [
        exports.Column(_("Name")),
        exports.Column(_("Employee number")),
        exports.Column(_("E-mail")),
        exports.Column(_("Unit")),
        exports.Column(_("Job role")),
        exports.Column(_("Status")),
        exports.Column(_("Invited"), "date"),
        exports.Column(_("Answered"), "date"),
        exports.Column(_("Manager assessment"), "date"),
        exports.Column(_("Agreed"), "date"),
        exports.Column(_("Last reminded"), "date"),
    ]
    rows = [
        [
            a.employee.name,
            a.employee.employee_number,
            a.employee.email,
            a.unit.name,
            a.employee.job_role.title if a.employee.job_role else "",
            a.get_status_display(),
            _day(a.invited_at),
            _day(a.self_submitted_at),
            _day(a.manager_submitted_at),
            _day(a.agreed_at),
            _day(a.self_reminded_at),
        ]
        for a in participants.iterator(chunk_size=2000)
    ]
    sheet = exports.Sheet(title=_("Participants"), columns=columns, rows=rows)
    return exports.response([sheet], filename=f"participants-{campaign.pk}", fmt=fmt)  # type: ignore[arg-type]  # checked against EXPORTS


@login_required
def campaign_participants(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The participants the user may see, filtered by unit and status; `?export=xlsx|csv` gives the
    same rows as a file. HTMX requests get the results part only."""
    user = request_user(request)
    campaign = permissions.get_campaign_for_user(user, campaign_pk)
    permissions.require_follow_campaigns(user)
    form = ParticipantFilterForm(request.GET or None, units=selectors.participant_units(campaign, user))
    unit_id, status = _filters(form)
    participants = selectors.campaign_participants(campaign, user, unit_id=unit_id, status=status)
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        return _export(campaign, participants, fmt)
    page = Paginator(participants, 50).get_page(request.GET.get("page"))
    individual = campaign.has_part(Part.MANAGER)
    managed_ids = selectors.managed_among(participants, user, [a.pk for a in page]) if individual else set()
    may_remind = permissions.can_remind(user, campaign) and campaign.is_open_for(campaign.participant_part)
    query = {k: v for k, v in (("unit", unit_id), ("status", status)) if v}
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "managed_ids": managed_ids,
        "individual": individual,
        "query_base": urlencode(query),
        "filter_unit": unit_id,
        "filter_status": status,
        "remind_count": selectors.remind_candidates(campaign, user, unit_id).count() if may_remind else None,
    }
    template = "assessments/participants.html"
    return render(request, f"{template}#results" if is_htmx(request) else template, context)


@login_required
def campaign_remind(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Send a reminder now to those who have not answered (those the user may remind; within the unit
    filtered on, if any), then back to the list with the same filters."""
    user = request_user(request)
    campaign = permissions.get_campaign_for_user(user, campaign_pk)
    permissions.require_remind(user, campaign)
    require_post(request)
    unit_value = request.POST.get("unit", "")
    unit = org_permissions.get_unit_for_user(user, int(unit_value)) if unit_value.isdigit() else None
    try:
        result = services.campaign_remind(
            campaign=campaign, actor=user, unit=unit, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "A reminder is on its way by e-mail to %(count)d participant who has not answered.",
                "A reminder is on its way by e-mail to %(count)d participants who have not answered.",
                result.sent,
            )
            % {"count": result.sent},
        )
        if result.without_email:
            messages.warning(
                request,
                ngettext(
                    "%(count)d participant who has not answered has no e-mail address and was not reminded.",
                    "%(count)d participants who have not answered have no e-mail address and were not "
                    "reminded.",
                    result.without_email,
                )
                % {"count": result.without_email},
            )
    query = {
        k: v for k, v in (("unit", unit.pk if unit else ""), ("status", request.POST.get("status", ""))) if v
    }
    url = reverse("assessments:campaign_participants", kwargs={"campaign_pk": campaign.pk})
    return redirect(f"{url}?{urlencode(query)}" if query else url)
