"""What an identity provider told us about a person, once its message has been verified: the
protocol modules (`saml`, `oidc`) turn a response into an `Identity`, and `services.sso_login`
turns an Identity into a logged-in user with role grants. The shape is the same for both protocols."""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from kapabel.sso.errors import LOW_ASSURANCE, SsoRefused
from kapabel.sso.models import ASSURANCE_ORDER, NSIS_LOA_CLASS_PREFIX, AssuranceLevel, IdentityProvider


@dataclass(frozen=True)
class RoleClaim:
    """One role value from the provider. `units` are the external ids of the organisation units the
    provider limits it to, or None when it names no units."""

    value: str
    units: tuple[str, ...] | None = None


@dataclass
class Identity:
    subject: str
    name: str = ""
    email: str = ""
    assurance: str | None = None  # an AssuranceLevel value, None when the provider named none
    roles: list[RoleClaim] = field(default_factory=list)
    message_id: str = ""  # the assertion's (or ID token's) id, for the replay check
    expires_at: datetime.datetime | None = None
    # SAML only: for single logout.
    name_id: str = ""
    name_id_code: str = ""
    session_index: str = ""


def first(values: Any) -> str:
    """The first value of an attribute (SAML gives lists, OpenID Connect plain values or lists)."""
    if isinstance(values, list | tuple):
        values = values[0] if values else ""
    return "" if values is None else str(values).strip()


def as_list(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, list | tuple):
        return [str(value).strip() for value in values if str(value).strip()]
    return [str(values).strip()] if str(values).strip() else []


def assurance_level(value: str) -> str | None:
    """An NSIS level from an attribute or claim value: "Substantial", or the OIOSAML 3 URI
    https://data.gov.dk/concept/core/nsis/loa/Substantial. None for anything else."""
    value = value.strip()
    if value.startswith(NSIS_LOA_CLASS_PREFIX):
        value = value[len(NSIS_LOA_CLASS_PREFIX) :]
    lowered = value.lower()
    return lowered if lowered in {level.value for level in AssuranceLevel} else None


def check_assurance(provider: IdentityProvider, identity: Identity) -> None:
    if not provider.min_assurance:
        return
    if identity.assurance is None:
        raise SsoRefused("assurance level missing", LOW_ASSURANCE)
    if ASSURANCE_ORDER.index(AssuranceLevel(identity.assurance)) < ASSURANCE_ORDER.index(
        AssuranceLevel(provider.min_assurance)
    ):
        raise SsoRefused(
            f"assurance level {identity.assurance} below {provider.min_assurance}", LOW_ASSURANCE
        )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def privileges_from_bpp(encoded: str, *, constraint: str, cvr: str) -> list[RoleClaim]:
    """OIOSAML's basic privilege profile: base64 of a PrivilegeList XML with PrivilegeGroups, each
    holding Privilege values and Constraints (e.g. the organisation units it is limited to).
    Groups scoped to another organisation's CVR number are left out."""
    try:
        document = ElementTree.fromstring(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError, ElementTree.ParseError, DefusedXmlException) as exc:
        raise SsoRefused(f"malformed privilege list: {type(exc).__name__}") from exc
    claims: list[RoleClaim] = []
    for group in document.iter():
        if _local(group.tag) != "PrivilegeGroup":
            continue
        scope = group.get("Scope", "")
        if cvr and scope and scope.rsplit(":", 1)[-1] != cvr:
            continue
        children = list(group)
        units = [
            (child.text or "").strip()
            for child in children
            if _local(child.tag) == "Constraint" and child.get("Name") == constraint
        ]
        for child in children:
            if _local(child.tag) == "Privilege" and (child.text or "").strip():
                claims.append(
                    RoleClaim((child.text or "").strip(), tuple(u for u in units if u) if units else None)
                )
    return claims


def identity_from_attributes(
    provider: IdentityProvider, attributes: Mapping[str, Sequence[Any] | Any], *, class_ref: str = ""
) -> Identity:
    """The Identity in a verified set of attributes (SAML) or claims (OpenID Connect)."""
    subject = first(attributes.get(provider.match_attribute))
    if not subject:
        raise SsoRefused(f"identifying attribute {provider.match_attribute!r} missing")
    assurance = None
    if provider.assurance_attribute:
        assurance = assurance_level(first(attributes.get(provider.assurance_attribute)))
    if assurance is None and class_ref:
        assurance = assurance_level(class_ref)
    roles: list[RoleClaim] = []
    if provider.roles_attribute:
        raw = as_list(attributes.get(provider.roles_attribute))
        if provider.roles_format == IdentityProvider.RolesFormat.OIOSAML_BPP:
            for encoded in raw:
                roles += privileges_from_bpp(
                    encoded, constraint=provider.unit_constraint, cvr=provider.municipality.cvr
                )
        else:
            roles = [RoleClaim(value) for value in raw]
    return Identity(
        subject=subject[:300],
        name=first(attributes.get(provider.name_attribute))[:300] if provider.name_attribute else "",
        email=first(attributes.get(provider.email_attribute))[:254] if provider.email_attribute else "",
        assurance=assurance,
        roles=roles,
    )
