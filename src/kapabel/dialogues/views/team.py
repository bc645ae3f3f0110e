"""The manager's and HR's pages: cycles, one cycle's people with their status, booking from there,
team dialogues, creating a cycle, and the overview export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kapabel.core import exports as core_exports
from kapabel.core.access import scope_for
from kapabel.core.web import form_errors_from, require_post
from kapabel.dialogues import exports, permissions, selectors, services
from kapabel.dialogues.forms import BookingForm, CycleForm, GroupRecordForm
from kapabel.dialogues.models import Cycle
from kapabel.dialogues.views._common import post_action, request_user
from kapabel.organisation import selectors as org_selectors

PAGE_SIZE = 100


def _require_lead(request: HttpRequest) -> None:
    if not permissions.leads_dialogues_anywhere(scope_for(request.user)):
        raise PermissionDenied


@login_required
def team(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    user = request_user(request)
    return render(
        request,
        "dialogues/team.html",
        {
            "cycles": list(selectors.cycles_for_user(user)[:50]),
            "requests": selectors.open_requests(user),
            "can_create": permissions.manages_cycles_anywhere(scope_for(user)),
        },
    )


@login_required
def cycle_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not permissions.manages_cycles_anywhere(scope_for(user)):
        raise PermissionDenied
    units = org_selectors.units_for_user(user).order_by("path")
    form = CycleForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if not permissions.can_manage_cycles(user, data["unit"]):
                raise ValidationError({"unit": _("You cannot create cycles for this unit.")})
            cycle = services.cycle_create(
                unit=data["unit"],
                name=data["name"],
                kind=data["kind"],
                schedule=data["schedule"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                include_subtree=data["include_subtree"],
                window_days=data["window_days"],
                follow_up_months=data["follow_up_months"],
                questions=form.questions(),
                actor=user,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("The cycle is created with %(count)d people.") % {"count": cycle.dialogue_count}
            )
            return redirect(reverse("dialogues:cycle", kwargs={"cycle_id": cycle.pk}))
    return render(request, "dialogues/cycle_form.html", {"form": form})


@login_required
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    user = request_user(request)
    cycle = permissions.get_cycle_for_user(user, cycle_id)
    fmt = exports.export_format(request.GET.get("format"))
    if fmt is not None:
        rows = selectors.cycle_rows(user, cycle)
        return core_exports.response(
            [exports.cycle_sheet(cycle, rows)], filename=f"dialogues-{cycle.pk}", fmt=fmt
        )
    page = Paginator(selectors.cycle_dialogues(user, cycle), PAGE_SIZE).get_page(request.GET.get("page"))
    group_cycle = cycle.kind == Cycle.Kind.GROUP
    return render(
        request,
        "dialogues/cycle.html",
        {
            "cycle": cycle,
            "page": page,
            "rows": selectors.cycle_rows(user, cycle, page.object_list),
            "counts": selectors.status_summary(selectors.cycle_status_counts(user, cycle)),
            "groups": list(cycle.groups.select_related("unit").order_by("title")) if group_cycle else [],
            "units": list(org_selectors.units_for_user(user).order_by("path")[:300]) if group_cycle else [],
            "can_manage": permissions.can_manage_cycles(user, cycle.unit),
        },
    )


@login_required
def cycle_close(request: HttpRequest, cycle_id: int) -> HttpResponse:
    user = request_user(request)
    cycle = permissions.get_cycle_for_user(user, cycle_id)
    if not permissions.can_manage_cycles(user, cycle.unit):
        raise PermissionDenied
    require_post(request)
    return post_action(
        request,
        lambda: services.cycle_close(cycle=cycle, actor=user),
        success=_("The cycle is closed."),
        back=reverse("dialogues:cycle", kwargs={"cycle_id": cycle.pk}),
    )


@login_required
def group_create(request: HttpRequest, cycle_id: int) -> HttpResponse:
    user = request_user(request)
    cycle = permissions.get_cycle_for_user(user, cycle_id)
    require_post(request)
    unit = get_object_or_404(org_selectors.units_for_user(user), pk=request.POST.get("unit") or 0)
    if not permissions.can_lead_group(user, unit):
        raise PermissionDenied
    try:
        group = services.group_create(cycle=cycle, unit=unit, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("dialogues:cycle", kwargs={"cycle_id": cycle.pk}))
    return redirect(reverse("dialogues:group", kwargs={"group_id": group.pk}))


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    user = request_user(request)
    group = permissions.get_group_for_user(user, group_id)
    members = selectors.group_members(group)
    goals_visible = permissions.can_read_group_goals(user, group)
    leads = permissions.leads_unit(user, group.unit)
    can_book = permissions.can_lead_group(user, group.unit)
    booking = BookingForm(
        request.POST if request.POST.get("action") == "book" else None,
        initial={
            "starts_at": group.starts_at,
            "ends_at": group.ends_at,
            "place": group.place,
            "version": group.version,
        },
        prefix="book",
    )
    record = GroupRecordForm(
        request.POST if request.POST.get("action") == "record" else None,
        initial={"shared_goals": group.shared_goals, "version": group.version}
        | {f"agreement_{m.pk}": m.agreements for m in members},
        members=members,
        prefix="record",
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "book" and can_book and booking.is_valid():
                services.group_book(
                    group=group,
                    starts_at=booking.cleaned_data["starts_at"],
                    ends_at=booking.cleaned_data["ends_at"],
                    place=booking.cleaned_data["place"],
                    version=booking.cleaned_data["version"],
                    actor=user,
                )
                messages.success(request, _("The team dialogue is booked; the invitations have been sent."))
                return redirect(reverse("dialogues:group", kwargs={"group_id": group.pk}))
            if request.POST.get("action") == "record" and leads and record.is_valid():
                services.group_record(
                    group=group,
                    shared_goals=record.cleaned_data["shared_goals"],
                    agreements=record.agreements(),
                    version=record.cleaned_data["version"],
                    actor=user,
                )
                messages.success(request, _("The team dialogue is recorded as held."))
                return redirect(reverse("dialogues:group", kwargs={"group_id": group.pk}))
            if request.POST.get("action") not in ("book", "record") or not (can_book or leads):
                raise PermissionDenied
        except ValidationError as exc:
            form_errors_from(exc, booking if request.POST.get("action") == "book" else record)
    return render(
        request,
        "dialogues/group.html",
        {
            "group": group,
            "members": members,
            "goals_visible": goals_visible,
            "leads": leads,
            "can_book": can_book,
            "booking": booking,
            "record": record,
        },
    )
