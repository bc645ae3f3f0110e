"""Actions on one enrolment: approve, decline (with a reason), cancel, and the result (completed with
ECTS, or not passed). Each fetches the enrolment with the access check (404 for a stranger), then calls
the service; the page the action came from shows the outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kapabel.core.web import form_errors_from, require_post
from kapabel.learning import permissions, selectors_pages, services
from kapabel.learning.forms import DeclineForm, parse_ects
from kapabel.learning.models import Enrolment, EnrolmentStatus
from kapabel.learning.views._common import back_url, post_action, request_user


def _version(request: HttpRequest) -> int | None:
    """The version the page showed (optimistic locking); None when the form did not send one."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _cohort_url(enrolment: Enrolment) -> str:
    return reverse("learning:cohort_detail", kwargs={"cohort_id": enrolment.cohort_id})


def _approved(enrolment: Enrolment) -> str:
    name = enrolment.employee.name
    if enrolment.status == EnrolmentStatus.AWAITING_HR:
        return _("Approved. The request of %(name)s now awaits HR's approval.") % {"name": name}
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        return _("Approved. The cohort is full, so %(name)s is on the waiting list.") % {"name": name}
    return _("Approved. %(name)s is booked.") % {"name": name}


@login_required
def enrolment_approve(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    user = request_user(request)
    enrolment = permissions.get_enrolment_for_user(user, enrolment_id)
    require_post(request)
    return post_action(
        request,
        lambda: services.enrolment_approve(enrolment=enrolment, actor=user, version=_version(request)),
        success=_approved,
        back=reverse("learning:approvals"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_decline(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Decline a request (or take back a place) with a reason the person sees."""
    user = request_user(request)
    enrolment = permissions.get_enrolment_for_user(user, enrolment_id)
    if not (selectors_pages.can_decide(user, enrolment) or permissions.can_act_for(user, enrolment.employee)):
        raise PermissionDenied
    form = DeclineForm(request.POST or None)
    back = back_url(request, reverse("learning:approvals"))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.enrolment_decline(
                    enrolment=enrolment,
                    actor=user,
                    version=_version(request),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request,
                    _("Declined. %(name)s sees your reason with the decision.")
                    % {"name": enrolment.employee.name},
                )
                return redirect(back)
        status = 422
    return render(
        request,
        "learning/enrolment_decline.html",
        {"enrolment": enrolment, "form": form, "back": back},
        status=status,
    )


@login_required
def enrolment_cancel(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """The person withdraws (or their manager or HR for them); a freed place goes to the waiting list."""
    user = request_user(request)
    enrolment = permissions.get_enrolment_for_user(user, enrolment_id)
    require_post(request)
    return post_action(
        request,
        lambda: services.enrolment_cancel(
            enrolment=enrolment,
            actor=user,
            version=_version(request),
            reason=request.POST.get("reason", "")[:1000],
        ),
        success=_("The enrolment on %(cohort)s was cancelled.") % {"cohort": enrolment.cohort.display_title},
        back=_cohort_url(enrolment),
    )


@login_required
def enrolment_complete(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Completed, with the ECTS earned (empty: the offer's); creates evidence to confirm."""
    user = request_user(request)
    enrolment = permissions.get_enrolment_for_user(user, enrolment_id)
    require_post(request)
    typed = request.POST.get("ects_earned", "").strip()
    ects = parse_ects(typed)
    if typed and ects is None:
        messages.error(request, _("ECTS must be a number of zero or more, such as 5 or 7,5."))
        return redirect(back_url(request, _cohort_url(enrolment)))
    return post_action(
        request,
        lambda: services.enrolment_complete(
            enrolment=enrolment, actor=user, ects_earned=ects, version=_version(request)
        ),
        success=_("%(name)s completed %(cohort)s.")
        % {"name": enrolment.employee.name, "cohort": enrolment.cohort.display_title},
        back=_cohort_url(enrolment),
    )


@login_required
def enrolment_fail(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    user = request_user(request)
    enrolment = permissions.get_enrolment_for_user(user, enrolment_id)
    require_post(request)
    return post_action(
        request,
        lambda: services.enrolment_fail(
            enrolment=enrolment,
            actor=user,
            reason=request.POST.get("reason", "")[:1000],
            version=_version(request),
        ),
        success=_("%(name)s did not pass %(cohort)s.")
        % {"name": enrolment.employee.name, "cohort": enrolment.cohort.display_title},
        back=_cohort_url(enrolment),
    )
