"""One dialogue: what each reader may see of it, the own preparation, booking and recording."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kapabel.core.web import form_errors_from, require_post
from kapabel.dialogues import calendar, permissions, selectors, services
from kapabel.dialogues.forms import BookingForm, PreparationForm, RecordForm
from kapabel.dialogues.models import Dialogue
from kapabel.dialogues.privacy import audit_read
from kapabel.dialogues.views._common import post_action, request_user


def _url(dialogue: Dialogue) -> str:
    return reverse("dialogues:dialogue", kwargs={"dialogue_id": dialogue.pk})


def _preparation_form(view: selectors.DialogueView, data: dict | None = None) -> PreparationForm:
    own = view.own_preparation
    initial = {"notes": own.notes, "shared": own.shared, **own.answers} if own else {}
    return PreparationForm(data, initial=initial, questions=view.questions, prefix="prep")


@login_required
def dialogue_detail(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    user = request_user(request)
    dialogue = permissions.get_dialogue_for_user(user, dialogue_id)
    view = selectors.dialogue_view(user, dialogue)
    audit_read(
        user,
        dialogue,
        employee_id=dialogue.employee_id,
        municipality_id=dialogue.municipality_id,
        what="page",
    )
    return render(
        request,
        "dialogues/dialogue.html",
        {
            "view": view,
            "d": dialogue,
            "material": selectors.preparation_material(dialogue) if view.content else None,
            "preparation_form": _preparation_form(view) if view.side else None,
            "can_book": permissions.can_book(user, dialogue.employee),
        },
    )


@login_required
def preparation(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    user = request_user(request)
    dialogue = permissions.get_dialogue_for_user(user, dialogue_id)
    if permissions.side_of(user, dialogue) is None:
        raise Http404
    require_post(request)
    view = selectors.dialogue_view(user, dialogue)
    form = _preparation_form(view, request.POST)
    if not form.is_valid():
        messages.error(request, _("The preparation was not saved: check the fields."))
        return redirect(_url(dialogue))
    return post_action(
        request,
        lambda: services.preparation_save(
            dialogue=dialogue,
            actor=user,
            notes=form.cleaned_data["notes"],
            shared=form.cleaned_data["shared"],
            answers=form.answers(),
        ),
        success=_("Your preparation is saved."),
        back=_url(dialogue),
    )


@login_required
def book(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    user = request_user(request)
    dialogue = permissions.get_dialogue_for_user(user, dialogue_id)
    if not permissions.can_book(user, dialogue.employee):
        raise PermissionDenied
    initial = {"starts_at": dialogue.starts_at, "ends_at": dialogue.ends_at, "place": dialogue.place}
    form = BookingForm(request.POST or None, initial={**initial, "version": dialogue.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.dialogue_book(
                dialogue=dialogue,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                place=form.cleaned_data["place"],
                version=form.cleaned_data["version"],
                actor=user,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The dialogue is booked; the invitation has been sent."))
            return redirect(_url(dialogue))
    return render(request, "dialogues/book.html", {"d": dialogue, "form": form})


@login_required
def cancel_booking(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    user = request_user(request)
    dialogue = permissions.get_dialogue_for_user(user, dialogue_id)
    if not permissions.can_book(user, dialogue.employee):
        raise PermissionDenied
    require_post(request)
    return post_action(
        request,
        lambda: services.dialogue_cancel_booking(
            dialogue=dialogue, actor=user, version=int(request.POST.get("version") or dialogue.version)
        ),
        success=_("The booking is cancelled; the cancellation has been sent."),
        back=_url(dialogue),
    )


@login_required
def record(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    user = request_user(request)
    dialogue = permissions.get_dialogue_for_user(user, dialogue_id)
    if permissions.side_of(user, dialogue) != "manager":
        raise PermissionDenied
    audit_read(
        user,
        dialogue,
        employee_id=dialogue.employee_id,
        municipality_id=dialogue.municipality_id,
        what="page",
    )
    form = RecordForm(
        request.POST or None,
        initial={"notes": dialogue.notes, "agreements": dialogue.agreements, "version": dialogue.version},
        competences=selectors.record_competences(dialogue.employee),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dialogue_record(
                dialogue=dialogue,
                notes=form.cleaned_data["notes"],
                agreements=form.cleaned_data["agreements"],
                levels=form.levels(),
                version=form.cleaned_data["version"],
                actor=user,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The dialogue is recorded as held."))
            return redirect(_url(dialogue))
    return render(request, "dialogues/record.html", {"d": dialogue, "form": form})


@login_required
def invitation(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """The booking as an .ics file (time, place and names; nothing of the dialogue's content)."""
    user = request_user(request)
    dialogue = permissions.get_dialogue_for_user(user, dialogue_id)
    if dialogue.starts_at is None or dialogue.ends_at is None:
        raise Http404
    response = HttpResponse(calendar.dialogue_ics(dialogue), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dialogue-{dialogue.pk}.ics"'
    return response
