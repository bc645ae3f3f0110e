"""A development plan: goals, activities, versions, confirmation and follow-ups; printable."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kapabel.core.web import require_post
from kapabel.dialogues import permissions, selectors, services
from kapabel.dialogues.forms import ActivityForm, ConfirmForm, FollowUpForm, GoalForm, GoalStatusForm
from kapabel.dialogues.models import Plan
from kapabel.dialogues.privacy import audit_read
from kapabel.dialogues.views._common import post_action, request_user


def _url(plan: Plan) -> str:
    return reverse("dialogues:plan", kwargs={"plan_id": plan.pk})


def _forms(plan: Plan, data: dict | None = None, which: str = "") -> dict:
    return {
        "goal_form": GoalForm(
            data if which == "goal" else None,
            initial={"version": plan.version},
            competences=selectors.goal_competences(plan.employee),
            prefix="goal",
        ),
        "activity_form": ActivityForm(
            data if which == "activity" else None,
            initial={"version": plan.version},
            goals=plan.goals.all(),
            enrolments=selectors.plan_enrolments(plan.employee),
            prefix="activity",
        ),
    }


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = request_user(request)
    plan = permissions.get_plan_for_user(user, plan_id)
    audit_read(
        user,
        plan,
        employee_id=plan.employee_id,
        municipality_id=plan.municipality_id,
        what="print" if request.GET.get("print") else "page",
    )
    forms = _forms(plan)
    which = request.POST.get("form", "")
    if request.method == "POST" and which in ("goal", "activity"):
        forms = _forms(plan, request.POST, which)
        form = forms[f"{which}_form"]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "goal":
                    services.goal_add(
                        plan=plan,
                        title=data["title"],
                        competence=data["competence"],
                        target_level=data["target_level"],
                        due_on=data["due_on"],
                        version=data["version"],
                        actor=user,
                    )
                else:
                    services.activity_add(
                        plan=plan,
                        title=data["title"],
                        kind=data["kind"],
                        goal=data["goal"],
                        enrolment=data["enrolment"],
                        responsible=data["responsible"],
                        due_on=data["due_on"],
                        version=data["version"],
                        actor=user,
                    )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The plan is saved as a new version."))
                return redirect(_url(plan))
    side = permissions.side_of(user, plan)
    confirmed = plan.employee_confirmed_version if side == "employee" else plan.manager_confirmed_version
    return render(
        request,
        "dialogues/plan.html",
        {
            "detail": selectors.plan_detail(plan),
            "plan": plan,
            "side": side,
            "confirmed_by_me": confirmed == plan.content_version,
            "confirm_form": ConfirmForm(initial={"version": plan.version}),
            "follow_up_form": FollowUpForm(),
            "goal_status_form": GoalStatusForm,
            **forms,
        },
    )


@login_required
def plan_create(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    user = request_user(request)
    dialogue = permissions.get_dialogue_for_user(user, dialogue_id)
    if permissions.side_of(user, dialogue) is None:
        raise Http404
    require_post(request)
    try:
        plan = services.plan_create(employee=dialogue.employee, dialogue=dialogue, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("dialogues:dialogue", kwargs={"dialogue_id": dialogue.pk}))
    return redirect(_url(plan))


@login_required
def plan_confirm(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = request_user(request)
    plan = permissions.get_plan_for_user(user, plan_id)
    require_post(request)
    form = ConfirmForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    return post_action(
        request,
        lambda: services.plan_confirm(plan=plan, version=version, actor=user),
        success=_("You have confirmed the plan."),
        back=_url(plan),
    )


@login_required
def follow_up(request: HttpRequest, plan_id: int, follow_up_id: int) -> HttpResponse:
    user = request_user(request)
    plan = permissions.get_plan_for_user(user, plan_id)
    found = get_object_or_404(plan.follow_ups.all(), pk=follow_up_id)
    require_post(request)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what came of the follow-up."))
        return redirect(_url(plan))
    return post_action(
        request,
        lambda: services.follow_up_record(
            follow_up=found, note=form.cleaned_data["note"], next_on=form.cleaned_data["next_on"], actor=user
        ),
        success=_("The follow-up is recorded."),
        back=_url(plan),
    )


@login_required
def goal_status(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    user = request_user(request)
    plan = permissions.get_plan_for_user(user, plan_id)
    goal = get_object_or_404(plan.goals.all(), pk=goal_id)
    require_post(request)
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        return redirect(_url(plan))
    return post_action(
        request,
        lambda: services.goal_update(
            goal=goal, status=form.cleaned_data["status"], version=form.cleaned_data["version"], actor=user
        ),
        success=_("The plan is saved as a new version."),
        back=_url(plan),
    )
