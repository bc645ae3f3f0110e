"""Platform administrators' pages for single sign-on: the identity providers of each municipality,
their role mappings, and each municipality's local-login switch. Thin: permission check, form,
service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kapabel.core.web import form_errors_from, request_user, require_post
from kapabel.sso import permissions, saml, selectors, services
from kapabel.sso.forms import LoginPolicyForm, ProviderForm, RoleMappingForm
from kapabel.sso.models import IdentityProvider


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    permissions.require_manage_sso(user)
    return render(
        request,
        "sso/provider_list.html",
        {
            "providers": selectors.providers(),
            "policies": selectors.municipalities_with_policy(),
            "metadata_url": saml.base_url(request) + reverse("sso:saml_metadata"),
            "entity_id": saml.entity_id(saml.base_url(request)),
            "acs_url": saml.base_url(request) + reverse("sso:saml_acs"),
            "sls_url": saml.base_url(request) + reverse("sso:saml_sls"),
            "redirect_uri": saml.base_url(request) + reverse("sso:oidc_callback"),
        },
    )


@login_required
def provider_create(request: HttpRequest, protocol: str) -> HttpResponse:
    user = request_user(request)
    permissions.require_manage_sso(user)
    if protocol not in IdentityProvider.Protocol.values:
        raise Http404
    initial = {"assurance_attribute": "acr", "min_assurance": ""} if protocol == "oidc" else {}
    form = ProviderForm(request.POST or None, protocol=protocol, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_create(actor=user, protocol=protocol, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The identity provider was added."))
            return redirect("sso:provider_detail", provider_pk=provider.pk)
    title = _("New SAML identity provider") if protocol == "saml" else _("New OpenID Connect provider")
    return render(
        request, "sso/form.html", {"form": form, "title": title, "cancel_url": reverse("sso:provider_list")}
    )


@login_required
def provider_detail(request: HttpRequest, provider_pk: int) -> HttpResponse:
    user = request_user(request)
    provider = permissions.get_provider_for_user(user, provider_pk)
    form = RoleMappingForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_mapping_add(provider=provider, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The role mapping was added."))
            return redirect("sso:provider_detail", provider_pk=provider.pk)
    return render(
        request,
        "sso/provider_detail.html",
        {"provider": provider, "mappings": selectors.role_mappings(provider), "form": form},
    )


@login_required
def provider_edit(request: HttpRequest, provider_pk: int) -> HttpResponse:
    user = request_user(request)
    provider = permissions.get_provider_for_user(user, provider_pk)
    # The form writes its values into the instance it is given; the service must see the saved values
    # (to record before → after), so the form gets its own copy.
    shown = permissions.get_provider_for_user(user, provider_pk)
    form = ProviderForm(request.POST or None, instance=shown, protocol=provider.protocol)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_update(provider=provider, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The identity provider was saved."))
            return redirect("sso:provider_detail", provider_pk=provider.pk)
    cancel = reverse("sso:provider_detail", args=[provider.pk])
    title = _("Edit %(name)s") % {"name": provider.name}
    return render(request, "sso/form.html", {"form": form, "title": title, "cancel_url": cancel})


@login_required
def role_mapping_remove(request: HttpRequest, provider_pk: int, mapping_pk: int) -> HttpResponse:
    user = request_user(request)
    provider = permissions.get_provider_for_user(user, provider_pk)
    mapping = permissions.get_role_mapping_for_user(user, provider, mapping_pk)
    require_post(request)
    services.role_mapping_remove(mapping=mapping, actor=user)
    messages.success(request, _("The role mapping was removed."))
    return redirect("sso:provider_detail", provider_pk=provider.pk)


@login_required
def login_policy(request: HttpRequest, municipality_pk: int) -> HttpResponse:
    user = request_user(request)
    municipality = permissions.get_municipality_for_user(user, municipality_pk)
    require_post(request)
    form = LoginPolicyForm(request.POST)
    form.is_valid()
    local_login = bool(form.cleaned_data.get("local_login"))
    services.login_policy_set(municipality=municipality, local_login=local_login, actor=user)
    if local_login:
        messages.success(request, _("%(name)s: local passwords are allowed.") % {"name": municipality})
    else:
        messages.success(request, _("%(name)s: login only through single sign-on.") % {"name": municipality})
    return redirect("sso:provider_list")
