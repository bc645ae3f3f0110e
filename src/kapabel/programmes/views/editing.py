"""The pages where coordinators and HR of a municipality create and edit programmes: the programme
with its partners and steering group, the target group, phases, participants and their status per
phase, hourly salary costs per job role, and documents on applications. Thin: forms parse, the
services decide and write (in one transaction each), selectors read."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kapabel.core.tenancy import current_municipality_id
from kapabel.core.web import form_errors_from, request_user, require_post
from kapabel.organisation.pickers import hold_errors, picker_action
from kapabel.programmes import services
from kapabel.programmes.forms import (
    DocumentForm,
    HourlyCostForm,
    ParticipantsAddForm,
    PartnerForm,
    PhaseForm,
    ProgrammeForm,
    SteeringMemberForm,
    TargetForm,
)
from kapabel.programmes.models import PhaseStatus, Programme
from kapabel.programmes.selectors import editing, pages
from kapabel.programmes.views.pages import _managed
from kapabel.programmes.views.pickers import search_at

# A service's refusal shown on the field it is about.
FIELD_OF_CODE = {"period": "ends_on", "hours": "hourly_cost", "size": "file", "type": "file"}


def _posted(request: HttpRequest) -> QueryDict | None:
    """The posted data (even when empty: an empty form is an attempt to save), None for a GET."""
    return request.POST if request.method == "POST" else None


def _errors(exc: ValidationError, form: forms.BaseForm) -> None:
    code = getattr(exc, "code", None)
    target = FIELD_OF_CODE.get(code or "")
    if target and target in form.fields:
        form.add_error(target, exc.messages)
    else:
        form_errors_from(exc, form)


def _saving(request: HttpRequest, form: forms.BaseForm) -> bool:
    """A POST that means "save": not a people picker's search or page button (without JavaScript),
    after which the form is shown again with the results and without errors."""
    if request.method != "POST":
        return False
    if picker_action(request.POST):
        hold_errors(form)
        return False
    return True


def _programme_form(
    request: HttpRequest, municipality_id: int, instance: Programme | None, *, bound: bool = True
) -> ProgrammeForm:
    user = request_user(request)
    form = ProgrammeForm(
        _posted(request) if bound else None,
        instance=instance,
        units=editing.units_for(user, municipality_id, keep=instance.owner_unit_id if instance else None),
        employees=editing.picker_people(user, municipality_id, instance, "owner"),
    )
    search_at(form.fields["owner"], instance, "owner")
    return form


def _member_form(
    request: HttpRequest, programme: Programme, data: QueryDict | None = None
) -> SteeringMemberForm:
    people = editing.picker_people(request_user(request), programme.municipality_id, programme, "steering")
    form = SteeringMemberForm(data, people=people)
    search_at(form.fields["person"], programme, "steering")
    return form


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    municipality = editing.managed_municipality(user, current_municipality_id(request))
    if municipality is None:
        raise PermissionDenied
    form = _programme_form(request, municipality.pk, None)
    if _saving(request, form) and form.is_valid():
        try:
            programme = services.programme_create(municipality=municipality, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(exc, form)
        else:
            messages.success(
                request, _("The programme was created. Add partners, the steering group and phases.")
            )
            return redirect("programmes:edit", programme_id=programme.pk)
    return render(
        request,
        "programmes/programme_form.html",
        {"form": form, "title": _("New programme"), "programme": None},
        status=400 if form.errors else 200,
    )


@login_required
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    user = request_user(request)
    form = _programme_form(request, programme.municipality_id, programme)
    if _saving(request, form) and form.is_valid():
        try:
            services.programme_update(programme=programme, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("The programme was saved."))
            return redirect("programmes:edit", programme_id=programme.pk)
    return _edit_page(request, programme, form=form)


def _edit_page(
    request: HttpRequest,
    programme: Programme,
    *,
    form: ProgrammeForm | None = None,
    partner_form: PartnerForm | None = None,
    member_form: SteeringMemberForm | None = None,
) -> HttpResponse:
    bad = any(f is not None and f.errors for f in (form, partner_form, member_form))
    return render(
        request,
        "programmes/programme_form.html",
        {
            "programme": programme,
            "title": _("Edit %(name)s") % {"name": programme.name},
            "form": form or _programme_form(request, programme.municipality_id, programme, bound=False),
            "partner_form": partner_form or PartnerForm(),
            "member_form": member_form or _member_form(request, programme),
            "partners": editing.partners_of(programme.pk),
            "members": editing.steering_of(programme.pk),
            "manages": True,
            "current": "edit",
        },
        status=400 if bad else 200,
    )


@login_required
def partner_add(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    require_post(request)
    form = PartnerForm(request.POST)
    if form.is_valid():
        services.partner_add(programme=programme, actor=request_user(request), **form.cleaned_data)
        messages.success(request, _("The partner was added."))
        return redirect("programmes:edit", programme_id=programme.pk)
    return _edit_page(request, programme, partner_form=form)


@login_required
def steering_member_add(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    require_post(request)
    form = _member_form(request, programme, request.POST)
    if _saving(request, form) and form.is_valid():
        person = form.cleaned_data["person"]
        if person is not None and person.user_id in {m.user_id for m in editing.steering_of(programme.pk)}:
            form.add_error("person", _("This person is already in the steering group."))
        else:
            services.steering_member_add(
                programme=programme,
                name=form.cleaned_data["name"],
                title=form.cleaned_data["title"],
                user=person.user if person is not None else None,
                actor=request_user(request),
            )
            messages.success(request, _("The member was added to the steering group."))
            return redirect("programmes:edit", programme_id=programme.pk)
    return _edit_page(request, programme, member_form=form)


@login_required
def partner_remove(request: HttpRequest, programme_id: int, partner_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    partner = editing.partner_of(programme, partner_id)
    if partner is None:
        raise Http404(_("No such partner."))
    require_post(request)
    services.partner_remove(partner=partner, actor=request_user(request))
    messages.success(request, _("The partner was removed."))
    return redirect("programmes:edit", programme_id=programme.pk)


@login_required
def steering_member_remove(request: HttpRequest, programme_id: int, member_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    member = editing.steering_member_of(programme, member_id)
    if member is None:
        raise Http404(_("No such member."))
    require_post(request)
    services.steering_member_remove(member=member, actor=request_user(request))
    messages.success(request, _("The member was removed from the steering group."))
    return redirect("programmes:edit", programme_id=programme.pk)


@login_required
def target(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    user = request_user(request)
    current = editing.target_of(user, programme.pk, programme.municipality_id)
    form = TargetForm(
        _posted(request),
        initial={"units": current.units, "job_roles": current.job_roles, "employees": current.employees},
        units=editing.units_for(user, programme.municipality_id),
        job_roles=editing.job_roles_of(programme.municipality_id),
        employees=editing.picker_people(user, programme.municipality_id, programme, "target"),
    )
    search_at(form.fields["employees"], programme, "target")
    if _saving(request, form) and form.is_valid():
        data = form.cleaned_data
        try:
            services.programme_set_target(
                programme=programme,
                actor=user,
                units=[*data["units"], *current.hidden_units],
                job_roles=list(data["job_roles"]),
                employees=[*data["employees"], *current.hidden_employees],
            )
        except ValidationError as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("The target group was saved."))
            return redirect("programmes:overview", programme_id=programme.pk)
    return render(
        request,
        "programmes/target.html",
        {
            "programme": programme,
            "form": form,
            "hidden": len(current.hidden_units) + len(current.hidden_employees),
            "manages": True,
            "current": "target",
        },
        status=400 if form.errors else 200,
    )


def _phase_form(request: HttpRequest, programme: Programme, instance: object = None) -> PhaseForm:
    return PhaseForm(
        _posted(request),
        instance=instance,
        campaigns=editing.campaigns_of(programme.municipality_id),
        cohorts=editing.cohorts_of(programme.municipality_id),
        schemes=pages.schemes(),
    )


@login_required
def phase_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    form = _phase_form(request, programme)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["cohorts"] = list(data["cohorts"])
        try:
            services.phase_create(programme=programme, actor=request_user(request), **data)
        except ValidationError as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("The phase was added."))
            return redirect("programmes:overview", programme_id=programme.pk)
    return render(
        request,
        "programmes/phase_form.html",
        {"programme": programme, "form": form, "title": _("New phase"), "manages": True},
        status=400 if form.errors else 200,
    )


@login_required
def phase_edit(request: HttpRequest, programme_id: int, phase_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    phase = editing.phase_for_edit(programme.pk, phase_id)
    if phase is None:
        raise Http404(_("No such phase."))
    form = _phase_form(request, programme, phase)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cohorts = list(data.pop("cohorts"))
        if data.get("position") is None:
            data["position"] = phase.position
        try:
            services.phase_update(phase=phase, actor=request_user(request), cohorts=cohorts, **data)
        except ValidationError as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("The phase was saved."))
            return redirect("programmes:overview", programme_id=programme.pk)
    return render(
        request,
        "programmes/phase_form.html",
        {
            "programme": programme,
            "form": form,
            "title": _("Edit the phase %(name)s") % {"name": phase.name},
            "manages": True,
        },
        status=400 if form.errors else 200,
    )


@login_required
def participants(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    user = request_user(request)
    phases = editing.phases_of(programme.pk)
    form = ParticipantsAddForm(
        _posted(request),
        candidates=editing.picker_people(user, programme.municipality_id, programme, "participants"),
        phases=pages.phases_of(programme),
    )
    search_at(form.fields["employees"], programme, "participants")
    if _saving(request, form) and form.is_valid():
        added = services.participants_add(
            programme=programme,
            employees=form.cleaned_data["employees"],
            phases=form.cleaned_data["phases"],
            actor=user,
        )
        messages.success(request, _("%(count)s people are in the programme now.") % {"count": len(added)})
        return redirect("programmes:participants", programme_id=programme.pk)
    people, statuses = editing.participants_with_statuses(user, programme.pk, programme.municipality_id)
    rows = [(p, [(ph, statuses.get((p.pk, ph.pk), "")) for ph in phases]) for p in people]
    return render(
        request,
        "programmes/participants.html",
        {
            "programme": programme,
            "form": form,
            "phases": phases,
            "rows": rows,
            "statuses": PhaseStatus.choices,
            "manages": True,
            "current": "participants",
        },
        status=400 if form.errors else 200,
    )


@login_required
def participant_statuses(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The status table: each select is named `status-<participant>-<phase>`; changed ones are saved."""
    programme = _managed(request, programme_id)
    require_post(request)
    user = request_user(request)
    phases = {ph.pk: ph for ph in editing.phases_of(programme.pk)}
    people, statuses = editing.participants_with_statuses(user, programme.pk, programme.municipality_id)
    changes = []
    for participant in people:
        for phase_id, phase in phases.items():
            value = request.POST.get(f"status-{participant.pk}-{phase_id}", "")
            if value and value != statuses.get((participant.pk, phase_id), ""):
                if value not in PhaseStatus.values:
                    messages.error(request, _("Unknown status."))
                    return redirect("programmes:participants", programme_id=programme.pk)
                participant.programme = programme
                changes.append((participant, phase, value))
    try:
        count = services.participant_statuses_set(programme=programme, changes=changes, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(count)s statuses were saved.") % {"count": count})
    return redirect("programmes:participants", programme_id=programme.pk)


@login_required
def hourly_costs(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    municipality = editing.managed_municipality(user, current_municipality_id(request))
    if municipality is None:
        raise PermissionDenied
    form = HourlyCostForm(_posted(request), job_roles=editing.job_roles_of(municipality.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.hourly_cost_set(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("The hourly salary cost was saved."))
            return redirect("programmes:hourly_costs")
    return render(
        request,
        "programmes/hourly_costs.html",
        {"form": form, "rows": editing.hourly_costs_of(municipality.pk), "municipality": municipality},
        status=400 if form.errors else 200,
    )


@login_required
def documents(request: HttpRequest, programme_id: int, application_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    application = pages.application_of(programme, application_id)
    if application is None:
        raise Http404(_("No such application."))
    form = DocumentForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                application=application, upload=form.cleaned_data["file"], actor=request_user(request)
            )
        except ValidationError as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect("programmes:documents", programme_id=programme.pk, application_id=application.pk)
    return render(
        request,
        "programmes/documents.html",
        {
            "programme": programme,
            "application": application,
            "documents": editing.documents_of(application),
            "form": form,
            "manages": True,
            "current": "applications",
        },
        status=400 if form.errors else 200,
    )


@login_required
def document_download(
    request: HttpRequest, programme_id: int, application_id: int, document_id: int
) -> FileResponse:
    programme = _managed(request, programme_id)
    application = pages.application_of(programme, application_id)
    document = editing.document_of(application, document_id) if application is not None else None
    if document is None:
        raise Http404(_("No such document."))
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
