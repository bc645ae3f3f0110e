"""The person's page: my dialogues (preparation, booking), asking for a dialogue, my plan and my
choice about a new manager."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kapabel.core.access import scope_for
from kapabel.core.web import post_only
from kapabel.dialogues import permissions, selectors, services
from kapabel.dialogues.forms import RequestForm
from kapabel.dialogues.views._common import post_action, request_user


def _employee_id(request: HttpRequest) -> int:
    employee_id = scope_for(request_user(request)).employee_id
    if employee_id is None:
        raise PermissionDenied
    return employee_id


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    employee_id = _employee_id(request)
    user = request_user(request)
    views = [selectors.dialogue_view(user, d) for d in selectors.my_dialogues(employee_id)]
    return render(
        request,
        "dialogues/mine.html",
        {
            "views": views,
            "plan": selectors.current_plan(employee_id),
            "plans": list(selectors.plans_for_user(user, employee_id=employee_id)[:10]),
            "request_form": RequestForm(),
            "consent": selectors.consent_for(employee_id),
        },
    )


@login_required
@post_only
def request_dialogue(request: HttpRequest) -> HttpResponse:
    employee_id = _employee_id(request)
    user = request_user(request)
    employee = permissions.get_dialogue_employee(user, employee_id)
    form = RequestForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        dialogue = services.dialogue_request(employee=employee, actor=user, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dialogues:mine")
    messages.success(request, _("You have asked for a dialogue. Your manager will book a time."))
    return redirect(reverse("dialogues:dialogue", kwargs={"dialogue_id": dialogue.pk}))


@login_required
@post_only
def consent(request: HttpRequest) -> HttpResponse:
    employee_id = _employee_id(request)
    user = request_user(request)
    employee = permissions.get_dialogue_employee(user, employee_id)
    allow = request.POST.get("allow") == "1"
    return post_action(
        request,
        lambda: services.consent_set(employee=employee, actor=user, allow=allow),
        success=_("Your choice is saved."),
        back=reverse("dialogues:mine"),
    )
