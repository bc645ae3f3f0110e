"""Platform administrators configure single sign-on on Kapabel's own pages; nobody else may."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError

from kapabel.core.models import AuditEvent
from kapabel.sso import services
from kapabel.sso.claims import privileges_from_bpp
from kapabel.sso.errors import SsoRefused
from kapabel.sso.models import IdentityProvider, LoginPolicy, RoleMapping
from tests.sso.saml_idp import HR_PRIVILEGE, privileges

pytestmark = pytest.mark.django_db


def saml_form(world, metadata, **extra):
    return {
        "municipality": world.a.pk,
        "name": "Aby KOMBIT",
        "slug": "aby-kombit",
        "active": "on",
        "saml_metadata": metadata,
        "saml_require_encryption": "on",
        "min_assurance": "substantial",
        "assurance_attribute": "https://data.gov.dk/concept/core/nsis/loa",
        "match_attribute": "https://data.gov.dk/model/core/eid/email",
        "match_field": "email",
        "roles_attribute": "https://data.gov.dk/model/core/eid/privilegesIntermediate",
        "roles_format": "bpp",
        "unit_constraint": "http://sts.kombit.dk/constraints/orgenhed/1",
        **extra,
    }


def test_platform_administrator_adds_a_saml_provider_and_its_role_mappings(world, login, saml_idp):
    client = login(world.user("platform_admin"))
    listing = client.get("/sso/providers/")
    assert listing.status_code == 200 and b"/sso/saml/metadata/" in listing.content
    response = client.post("/sso/providers/new/saml/", saml_form(world, saml_idp.metadata))
    provider = IdentityProvider.objects.get(slug="aby-kombit")
    assert response.status_code == 302 and response["Location"] == f"/sso/providers/{provider.pk}/"
    assert provider.saml_entity_id == saml_idp.entity_id
    detail = client.get(f"/sso/providers/{provider.pk}/")
    assert detail.status_code == 200 and saml_idp.entity_id.encode() in detail.content
    added = client.post(
        f"/sso/providers/{provider.pk}/", {"value": HR_PRIVILEGE, "role": "hr", "unit": world.forvaltning1.pk}
    )
    assert added.status_code == 302
    mapping = RoleMapping.objects.get(provider=provider)
    assert (mapping.role, mapping.unit) == ("hr", world.forvaltning1)
    # A unit of another municipality is not offered, and is refused.
    foreign = client.post(
        f"/sso/providers/{provider.pk}/", {"value": "x", "role": "hr", "unit": world.b_team.pk}
    )
    assert foreign.status_code == 200 and RoleMapping.objects.count() == 1
    assert client.get(f"/sso/providers/{provider.pk}/mappings/{mapping.pk}/remove/").status_code == 405
    assert client.post(f"/sso/providers/{provider.pk}/mappings/{mapping.pk}/remove/").status_code == 302
    assert not RoleMapping.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"sso.provider.created", "sso.role_mapping.created", "sso.role_mapping.removed"} <= actions


def test_edit_keeps_the_secret_out_of_the_audit_log(world, login, oidc_op):
    client = login(world.user("platform_admin"))
    data = {
        "municipality": world.a.pk,
        "name": "Aby Entra",
        "slug": "aby-entra",
        "active": "on",
        "oidc_issuer": oidc_op.issuer,
        "oidc_client_id": "kapabel",
        "oidc_client_secret": "very-secret-value",
        "oidc_scopes": "openid email",
        "min_assurance": "",
        "assurance_attribute": "acr",
        "match_attribute": "email",
        "match_field": "email",
        "roles_format": "values",
    }
    assert client.post("/sso/providers/new/oidc/", data).status_code == 302
    provider = IdentityProvider.objects.get(slug="aby-entra")
    edit = client.post(
        f"/sso/providers/{provider.pk}/edit/", {**data, "oidc_client_secret": "rotated-secret"}
    )
    assert edit.status_code == 302
    provider.refresh_from_db()
    assert provider.oidc_client_secret == "rotated-secret"
    logged = str(
        list(AuditEvent.objects.filter(object_type="sso.identityprovider").values_list("changes", flat=True))
    )
    assert "very-secret-value" not in logged and "rotated-secret" not in logged
    assert AuditEvent.objects.filter(action="sso.provider.updated").exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"match_attribute": "dk:gov:saml:attribute:CprNumberIdentifier"}, "match_attribute"),
        ({"saml_metadata": "<not-xml"}, "saml_metadata"),
        (
            {"saml_metadata": '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>'},
            "saml_metadata",
        ),
        ({"min_assurance": ""}, "min_assurance"),
        ({"slug": "Aby Kombit"}, "slug"),
    ],
)
def test_provider_settings_are_checked(world, login, saml_idp, change, field):
    client = login(world.user("platform_admin"))
    response = client.post("/sso/providers/new/saml/", saml_form(world, saml_idp.metadata, **change))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not IdentityProvider.objects.exists()


def test_cpr_is_refused_by_the_service_too(world, saml_idp):
    with pytest.raises(ValidationError) as raised:
        services.provider_create(
            actor="tests",
            municipality=world.a,
            name="x",
            slug="x",
            protocol="saml",
            saml_metadata=saml_idp.metadata,
            match_attribute="https://data.gov.dk/model/core/eid/cprNumber",
        )
    assert "match_attribute" in raised.value.message_dict


@pytest.mark.parametrize("persona", ["admin", "other_municipality_admin", "hr", "employee"])
def test_only_platform_administrators_configure_sso(world, login, saml_provider, persona):
    client = login(world.user(persona))
    assert client.get("/sso/providers/").status_code == 403
    assert client.get(f"/sso/providers/{saml_provider.pk}/").status_code == 403
    assert client.post(f"/sso/providers/{saml_provider.pk}/edit/", {"name": "x"}).status_code == 403
    assert client.post(f"/sso/login-policy/{world.a.pk}/", {}).status_code == 403
    assert not LoginPolicy.objects.exists()


def test_login_policy_switch(world, login):
    client = login(world.user("platform_admin"))
    assert client.post(f"/sso/login-policy/{world.b.pk}/", {}).status_code == 302
    assert LoginPolicy.objects.get(municipality=world.b).local_login is False
    assert client.post(f"/sso/login-policy/{world.b.pk}/", {"local_login": "on"}).status_code == 302
    assert LoginPolicy.objects.get(municipality=world.b).local_login is True
    assert client.post("/sso/login-policy/999999/", {}).status_code == 404


def test_privilege_profile_parsing():
    encoded = privileges((HR_PRIVILEGE, ["u1", "u2"]), ("http://x/none", []))
    claims = privileges_from_bpp(encoded, constraint="http://sts.kombit.dk/constraints/orgenhed/1", cvr="")
    assert [(c.value, c.units) for c in claims] == [(HR_PRIVILEGE, ("u1", "u2")), ("http://x/none", None)]
    for bad in (
        "not base64!",
        base64.b64encode(b"<broken").decode(),
        base64.b64encode(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>').decode(),
    ):
        with pytest.raises(SsoRefused, match="malformed privilege list"):
            privileges_from_bpp(bad, constraint="c", cvr="")
