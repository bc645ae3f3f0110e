"""HR's cohort administration: the list of cohorts with their fill, creating and editing a cohort with
its sessions, opening/closing and cancelling it, attendance per session, and booking many people at
once. Every page checks `can_administer_learning` for the cohort's municipality (403 otherwise);
bulk booking is for anyone who may book others (a manager books their own people)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kapabel.core.web import form_errors_from, require_post
from kapabel.learning import permissions, selectors_admin, selectors_pages, services
from kapabel.learning.forms import BookPeopleForm, CancelCohortForm, CohortForm, SessionFormSet
from kapabel.learning.models import Attendance, Cohort, Session
from kapabel.learning.services.schedule import SessionChange, cohort_save_schedule
from kapabel.learning.views._common import municipality, post_action, request_user

PAGE_SIZE = 25


def _cohort_url(cohort: Cohort) -> str:
    return reverse("learning:cohort_detail", kwargs={"cohort_id": cohort.pk})


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    place = municipality(request)
    permissions.require_administer_learning(user, place.pk)
    status = request.GET.get("status", "current")
    search = request.GET.get("q", "")[:200]
    cohorts = selectors_admin.cohorts_admin(user, place.pk, status=status, search=search)
    page = Paginator(cohorts, PAGE_SIZE).get_page(request.GET.get("page"))
    fills = selectors_pages.cohort_fills(list(page.object_list))
    return render(
        request,
        "learning/cohort_list.html",
        {
            "page": page,
            "rows": [{"cohort": c, "fill": fills[c.pk]} for c in page.object_list],
            "status": status,
            "search": search,
            "statuses": [("current", _("Current")), ("", _("All")), *Cohort.Status.choices],
            "query_base": urlencode({"status": status, "q": search}),
        },
    )


def _session_initial(cohort: Cohort) -> list[dict[str, Any]]:
    return [
        {
            "session_id": s.pk,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "place": s.place,
            "room": s.room_id,
            "online": s.online,
            "online_url": s.online_url,
        }
        for s in cohort.sessions.order_by("starts_at", "id")
    ]


def _formset(request: HttpRequest, rooms: Any, initial: list[dict[str, Any]] | None = None) -> Any:
    return SessionFormSet(
        request.POST or None, prefix="sessions", initial=initial, form_kwargs={"rooms": rooms}
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    place = municipality(request)
    permissions.require_administer_learning(user, place.pk)
    offers = selectors_admin.offers_for_cohorts(user, place.pk)
    chosen = request.GET.get("offer", "")
    initial = {"offer": int(chosen)} if chosen.isdigit() else {}
    form = CohortForm(request.POST or None, offers=offers, initial=initial)
    sessions = _formset(request, selectors_admin.rooms(user, place.pk))
    status = 200
    if request.method == "POST":
        if form.is_valid() and sessions.is_valid():
            specs = [f.spec() for f in sessions.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
            try:
                cohort = services.cohort_create(
                    offer=form.cleaned_data["offer"],
                    actor=user,
                    status=form.cleaned_data["status"],
                    sessions=specs,
                    **form.details(),
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request, _("The cohort %(cohort)s was created.") % {"cohort": cohort.display_title}
                )
                return redirect(_cohort_url(cohort))
        status = 422
    return render(
        request,
        "learning/cohort_form.html",
        {
            "form": form,
            "sessions": sessions,
            "title": _("New cohort"),
            "cancel_url": reverse("learning:cohort_list"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user = request_user(request)
    cohort = permissions.get_cohort_for_user(user, cohort_id)
    municipality_id = cohort.offer.municipality_id
    permissions.require_administer_learning(user, municipality_id)
    form = CohortForm(request.POST or None, editing=True, initial=_cohort_initial(cohort))
    existing = {s.pk: s for s in cohort.sessions.select_related("cohort__offer")}
    sessions = _formset(request, selectors_admin.rooms(user, municipality_id), _session_initial(cohort))
    status = 200
    if request.method == "POST":
        if form.is_valid() and sessions.is_valid():
            try:
                cohort_save_schedule(
                    cohort=cohort, actor=user, details=form.details(), sessions=_changes(sessions, existing)
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The cohort was saved."))
                return redirect(_cohort_url(cohort))
        status = 422
    return render(
        request,
        "learning/cohort_form.html",
        {
            "form": form,
            "sessions": sessions,
            "cohort": cohort,
            "title": _("Edit %(cohort)s") % {"cohort": cohort.display_title},
            "cancel_url": _cohort_url(cohort),
        },
        status=status,
    )


def _cohort_initial(cohort: Cohort) -> dict[str, Any]:
    fields = ("code", "title", "capacity", "min_size", "registration_opens", "registration_closes")
    return {**{f: getattr(cohort, f) for f in fields}, "cancellation_cutoff": cohort.cancellation_cutoff}


def _changes(formset: Any, existing: dict[int, Session]) -> list[SessionChange]:
    """The formset as session changes: a row with an id of this cohort changes or removes that session;
    a filled-in row without one adds a session. Ids of other cohorts' sessions are ignored."""
    changes = []
    for form in formset.forms:
        session = existing.get(form.cleaned_data.get("session_id") or 0)
        deleted = bool(form.cleaned_data.get("DELETE"))
        if session is not None:
            changes.append(SessionChange(session, None if deleted else form.spec()))
        elif form.has_changed() and not deleted:
            changes.append(SessionChange(None, form.spec()))
    return changes


@login_required
@require_http_methods(["GET", "POST"])
def cohort_cancel(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Confirm, then cancel: everyone enrolled is told, and the history stays."""
    user = request_user(request)
    cohort = permissions.get_cohort_for_user(user, cohort_id)
    permissions.require_administer_learning(user, cohort.offer.municipality_id)
    form = CancelCohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_cancel(cohort=cohort, actor=user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The cohort %(cohort)s was cancelled and its participants are told.")
                % {"cohort": cohort.display_title},
            )
        return redirect(_cohort_url(cohort))
    return render(
        request,
        "learning/cohort_cancel.html",
        {"cohort": cohort, "form": form, "fill": selectors_pages.cohort_fills([cohort])[cohort.pk]},
    )


@login_required
def cohort_status(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Open or close registration, mark running or completed."""
    user = request_user(request)
    cohort = permissions.get_cohort_for_user(user, cohort_id)
    require_post(request)
    target = request.POST.get("status", "")
    return post_action(
        request,
        lambda: services.cohort_set_status(cohort=cohort, status=target, actor=user),
        success=lambda result: (
            _("%(cohort)s is now “%(status)s”.")
            % {"cohort": result.display_title, "status": result.get_status_display()}
        ),
        back=_cohort_url(cohort),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """Attendance for one session: a grid of participants × present / partly / absent."""
    user = request_user(request)
    session = permissions.get_session_for_user(user, session_id)
    cohort = session.cohort
    permissions.require_administer_learning(user, cohort.offer.municipality_id)
    rows = selectors_pages.attendance_rows(user, session)
    if request.method == "POST":
        marks = {
            row.enrolment.pk: request.POST[f"mark_{row.enrolment.pk}"]
            for row in rows
            if request.POST.get(f"mark_{row.enrolment.pk}") in Attendance.Status.values
        }
        try:
            services.attendance_record(session=session, marks=marks, actor=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Attendance was recorded for %(count)d participants.") % {"count": len(marks)}
            )
            return redirect(_cohort_url(cohort))
        return redirect(request.path)
    sessions = list(cohort.sessions.order_by("starts_at", "id"))
    return render(
        request,
        "learning/attendance.html",
        {
            "session": session,
            "cohort": cohort,
            "rows": rows,
            "choices": Attendance.Status.choices,
            "number": sessions.index(session) + 1 if session in sessions else None,
            "session_count": len(sessions),
            "not_started": not selectors_pages.has_started_session(session),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_book(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Book many people in one action: filter by unit or name, tick, book. Free places go in the
    order of the list, the rest to the waiting list; the service refuses the whole group if anyone
    cannot be booked (and says who and why)."""
    user = request_user(request)
    cohort = permissions.get_cohort_for_user(user, cohort_id)
    municipality_id = cohort.offer.municipality_id
    if not permissions.can_book_others(user, municipality_id):
        raise PermissionDenied
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("employees") if pk.isdigit()]
        people = list(selectors_admin.visible_people(user, municipality_id, ids))
        if not ids:
            messages.error(request, _("Choose the people to book."))
            return redirect(request.get_full_path())
        if len(people) != len(set(ids)):
            raise PermissionDenied
        order = {pk: i for i, pk in enumerate(ids)}
        people.sort(key=lambda p: order[p.pk])
        return post_action(
            request,
            lambda: services.enrolments_bulk_book(cohort=cohort, employees=people, actor=user),
            success=_bulk_message,
            back=_cohort_url(cohort),
        )
    units = selectors_admin.units_for_booking(user, municipality_id)
    form = BookPeopleForm(request.GET or None, units=units)
    unit = None
    search = ""
    if form.is_valid():
        unit = units.filter(pk=form.cleaned_data["unit"]).first() if form.cleaned_data["unit"] else None
        search = form.cleaned_data["q"]
    candidates, total = selectors_admin.bulk_candidates(
        user, municipality_id, cohort, unit=unit, search=search
    )
    return render(
        request,
        "learning/cohort_book.html",
        {
            "cohort": cohort,
            "form": form,
            "candidates": candidates,
            "total": total,
            "fill": selectors_pages.cohort_fills([cohort])[cohort.pk],
            "bookable": sum(1 for c in candidates if c.can_book and not c.status),
        },
    )


def _bulk_message(result: services.BulkResult) -> str:
    return _(
        "Booked: %(booked)d. On the waiting list: %(waitlisted)d. Awaiting HR approval: %(hr)d. "
        "Already enrolled, left as they were: %(skipped)d."
    ) % {
        "booked": len(result.booked),
        "waitlisted": len(result.waitlisted),
        "hr": len(result.awaiting_hr),
        "skipped": len(result.skipped),
    }
