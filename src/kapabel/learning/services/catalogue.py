"""The catalogue: settings, providers, categories, offers with their competences, prerequisites and
education modules, and merit towards an education."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.competences.models import Competence
from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.learning import permissions
from kapabel.learning.models import (
    QF_LEVELS,
    SEED_CATEGORIES,
    Category,
    EducationModule,
    LearningSettings,
    Level,
    Merit,
    Offer,
    OfferCompetence,
    OfferKind,
    Provider,
)
from kapabel.learning.search import index as search_index
from kapabel.organisation.models import Employee

_UNSET: Any = object()

OFFER_FIELDS = (
    "provider",
    "title",
    "kind",
    "category",
    "level",
    "qf_level",
    "ects",
    "teaching_days",
    "hours",
    "weeks_full_time",
    "price_per_participant",
    "description",
    "external_id",
    "eligible_schemes",
    "requires_hr_approval",
    "merit_limit_ects",
    "completion_years",
    "active",
)


def _require_admin(actor: Actor, municipality_id: int) -> None:
    if isinstance(actor, User):
        permissions.require_administer_learning(actor, municipality_id)


@transaction.atomic
def learning_setup(*, municipality: Municipality, actor: Actor) -> LearningSettings:
    """Make sure a municipality has its learning settings and the standard categories (idempotent)."""
    settings, created = LearningSettings.objects.get_or_create(municipality=municipality)
    existing = set(Category.objects.filter(municipality=municipality).values_list("code", flat=True))
    names = set(Category.objects.filter(municipality=municipality).values_list("name", flat=True))
    new = [
        Category(municipality=municipality, code=code, name=name, position=position)
        for position, (code, name) in enumerate(SEED_CATEGORIES)
        if code not in existing and name not in names
    ]
    Category.objects.bulk_create(new)
    if created or new:
        audit.record(
            "learning.setup",
            actor=actor,
            obj=settings,
            municipality_id=municipality.pk,
            changes={"categories": [c.code for c in new]},
        )
    return settings


@transaction.atomic
def learning_settings_update(
    *,
    municipality: Municipality,
    actor: Actor,
    hr_approval_price_threshold: Decimal | None = _UNSET,
    reminder_days_before: int = _UNSET,
    max_mentees: int = _UNSET,
    hour_value: Decimal = _UNSET,
) -> LearningSettings:
    _require_admin(actor, municipality.pk)
    settings = learning_setup(municipality=municipality, actor=actor)
    values = {
        k: v
        for k, v in {
            "hr_approval_price_threshold": hr_approval_price_threshold,
            "reminder_days_before": reminder_days_before,
            "max_mentees": max_mentees,
            "hour_value": hour_value,
        }.items()
        if v is not _UNSET
    }
    audit.update_audited(
        settings,
        fields=("hr_approval_price_threshold", "reminder_days_before", "max_mentees", "hour_value"),
        values=values,
        action="learning.settings.changed",
        actor=actor,
        municipality_id=municipality.pk,
    )
    return settings


@transaction.atomic
def provider_create(
    *,
    municipality: Municipality,
    name: str,
    actor: Actor,
    kind: str = Provider.Kind.EXTERNAL,
    external_id: str = "",
) -> Provider:
    _require_admin(actor, municipality.pk)
    provider = Provider(municipality=municipality, name=name.strip(), kind=kind, external_id=external_id)
    audit.create_audited(
        provider, fields=("name", "kind", "external_id"), action="learning.provider.created", actor=actor
    )
    return provider


@transaction.atomic
def provider_update(
    *, provider: Provider, actor: Actor, name: str = _UNSET, kind: str = _UNSET, external_id: str = _UNSET
) -> Provider:
    _require_admin(actor, provider.municipality_id)
    values = {
        k: v for k, v in {"name": name, "kind": kind, "external_id": external_id}.items() if v is not _UNSET
    }
    changes = audit.update_audited(
        provider,
        fields=("name", "kind", "external_id"),
        values=values,
        action="learning.provider.changed",
        actor=actor,
    )
    if "name" in changes:
        search_index.index_offers_of(provider_id=provider.pk)
    return provider


@transaction.atomic
def category_create(*, municipality: Municipality, name: str, actor: Actor, position: int = 100) -> Category:
    _require_admin(actor, municipality.pk)
    category = Category(municipality=municipality, name=name.strip(), position=position)
    audit.create_audited(
        category, fields=("name", "position"), action="learning.category.created", actor=actor
    )
    return category


@transaction.atomic
def category_update(
    *, category: Category, actor: Actor, name: str = _UNSET, position: int = _UNSET
) -> Category:
    _require_admin(actor, category.municipality_id)
    values = {k: v for k, v in {"name": name, "position": position}.items() if v is not _UNSET}
    changes = audit.update_audited(
        category, fields=("name", "position"), values=values, action="learning.category.changed", actor=actor
    )
    if "name" in changes:
        search_index.index_offers_of(category_id=category.pk)
    return category


@transaction.atomic
def category_delete(*, category: Category, actor: Actor) -> None:
    """Remove a category; its offers keep existing without one."""
    _require_admin(actor, category.municipality_id)
    audit.record("learning.category.deleted", actor=actor, obj=category)
    offer_ids = list(category.offers.values_list("pk", flat=True))
    category.delete()
    search_index.index_offers(offer_ids)


def _check_offer(offer: Offer) -> None:
    if offer.provider.municipality_id != offer.municipality_id:
        raise ValidationError({"provider": _("The provider belongs to another municipality.")})
    if offer.category is not None and offer.category.municipality_id != offer.municipality_id:
        raise ValidationError({"category": _("The category belongs to another municipality.")})
    span = QF_LEVELS.get(offer.level)
    if span is None:
        offer.qf_level = None
    elif offer.qf_level is None:
        offer.qf_level = span[0] if span[0] == span[1] else None
    elif not span[0] <= offer.qf_level <= span[1]:
        raise ValidationError(
            {
                "qf_level": _("%(level)s is at qualifications-framework level %(low)d to %(high)d.")
                % {"level": Level(offer.level).label, "low": span[0], "high": span[1]}
            }
        )
    if not isinstance(offer.eligible_schemes, list) or not all(
        isinstance(s, str) for s in offer.eligible_schemes
    ):
        raise ValidationError({"eligible_schemes": _("Give the funding schemes as a list of codes.")})


@transaction.atomic
def offer_create(
    *,
    municipality: Municipality,
    provider: Provider,
    title: str,
    actor: Actor,
    kind: str = OfferKind.COURSE,
    category: Category | None = None,
    level: str = Level.NONE,
    qf_level: int | None = None,
    ects: Decimal | None = None,
    teaching_days: Decimal | None = None,
    hours: Decimal | None = None,
    weeks_full_time: Decimal | None = None,
    price_per_participant: Decimal = Decimal("0"),
    description: str = "",
    external_id: str = "",
    eligible_schemes: list[str] | None = None,
    requires_hr_approval: bool = False,
    competences: dict[Competence, int] | None = None,
    prerequisites: Iterable[Offer] = (),
) -> Offer:
    """Add an offer; `competences` maps each competence developed to its expected gain in levels."""
    _require_admin(actor, municipality.pk)
    offer = Offer(
        municipality=municipality,
        provider=provider,
        title=title.strip(),
        kind=kind,
        category=category,
        level=level,
        qf_level=qf_level,
        ects=ects,
        teaching_days=teaching_days,
        hours=hours,
        weeks_full_time=weeks_full_time,
        price_per_participant=price_per_participant,
        description=description,
        external_id=external_id,
        eligible_schemes=list(eligible_schemes or []),
        requires_hr_approval=requires_hr_approval,
    )
    _check_offer(offer)
    audit.create_audited(offer, fields=OFFER_FIELDS, action="learning.offer.created", actor=actor)
    if competences:
        offer_set_competences(offer=offer, competences=competences, actor=actor)
    prerequisites = list(prerequisites)
    if prerequisites:
        offer_set_prerequisites(offer=offer, prerequisites=prerequisites, actor=actor)
    search_index.index_offers([offer.pk])
    return offer


@transaction.atomic
def offer_update(
    *,
    offer: Offer,
    actor: Actor,
    provider: Provider = _UNSET,
    title: str = _UNSET,
    kind: str = _UNSET,
    category: Category | None = _UNSET,
    level: str = _UNSET,
    qf_level: int | None = _UNSET,
    ects: Decimal | None = _UNSET,
    teaching_days: Decimal | None = _UNSET,
    hours: Decimal | None = _UNSET,
    weeks_full_time: Decimal | None = _UNSET,
    price_per_participant: Decimal = _UNSET,
    description: str = _UNSET,
    external_id: str = _UNSET,
    eligible_schemes: list[str] = _UNSET,
    requires_hr_approval: bool = _UNSET,
    merit_limit_ects: Decimal = _UNSET,
    completion_years: int = _UNSET,
    active: bool = _UNSET,
) -> dict[str, list[Any]]:
    """Change an offer; only the arguments given change. Returns the changes."""
    _require_admin(actor, offer.municipality_id)
    given = {
        "provider": provider,
        "title": title,
        "kind": kind,
        "category": category,
        "level": level,
        "qf_level": qf_level,
        "ects": ects,
        "teaching_days": teaching_days,
        "hours": hours,
        "weeks_full_time": weeks_full_time,
        "price_per_participant": price_per_participant,
        "description": description,
        "external_id": external_id,
        "eligible_schemes": eligible_schemes,
        "requires_hr_approval": requires_hr_approval,
        "merit_limit_ects": merit_limit_ects,
        "completion_years": completion_years,
        "active": active,
    }
    values = {k: v for k, v in given.items() if v is not _UNSET}
    changes = audit.update_audited(
        offer,
        fields=OFFER_FIELDS,
        values=values,
        action="learning.offer.changed",
        actor=actor,
        check=_check_offer,
    )
    if changes:
        search_index.index_offers([offer.pk])
    return changes


@transaction.atomic
def offer_set_competences(*, offer: Offer, competences: dict[Competence, int], actor: Actor) -> None:
    """Replace the competences an offer develops: {competence: expected gain in levels}."""
    _require_admin(actor, offer.municipality_id)
    if any(gain < 1 for gain in competences.values()):
        raise ValidationError(_("The expected gain is at least one level."))
    OfferCompetence.objects.filter(offer=offer).exclude(competence__in=list(competences)).delete()
    current = {oc.competence_id: oc for oc in OfferCompetence.objects.filter(offer=offer)}
    for competence, gain in competences.items():
        row = current.get(competence.pk)
        if row is None:
            OfferCompetence.objects.create(offer=offer, competence=competence, expected_gain=gain)
        elif row.expected_gain != gain:
            row.expected_gain = gain
            row.save(update_fields=["expected_gain"])
    audit.record(
        "learning.offer.competences",
        actor=actor,
        obj=offer,
        changes={"competences": {str(c.pk): g for c, g in competences.items()}},
    )
    search_index.index_offers([offer.pk])


@transaction.atomic
def offer_set_prerequisites(*, offer: Offer, prerequisites: Iterable[Offer], actor: Actor) -> None:
    _require_admin(actor, offer.municipality_id)
    required = list(prerequisites)
    if any(o.pk == offer.pk for o in required):
        raise ValidationError(_("An offer cannot be its own prerequisite."))
    if any(o.municipality_id != offer.municipality_id for o in required):
        raise ValidationError(_("A prerequisite belongs to another municipality."))
    offer.prerequisites.set(required)
    audit.record(
        "learning.offer.prerequisites",
        actor=actor,
        obj=offer,
        changes={"prerequisites": [o.pk for o in required]},
    )


@transaction.atomic
def education_module_set(
    *, education: Offer, module: Offer, actor: Actor, obligatory: bool = True, position: int = 0
) -> EducationModule:
    """Add (or change) a module of a full education."""
    _require_admin(actor, education.municipality_id)
    if education.kind != OfferKind.EDUCATION:
        raise ValidationError(_("Modules belong to a full education."))
    if module.municipality_id != education.municipality_id or module.pk == education.pk:
        raise ValidationError(_("Choose a module of the same municipality."))
    row, _created = EducationModule.objects.update_or_create(
        education=education, module=module, defaults={"obligatory": obligatory, "position": position}
    )
    audit.record(
        "learning.education.module",
        actor=actor,
        obj=education,
        changes={"module": [None, module.pk], "obligatory": [None, obligatory]},
    )
    return row


@transaction.atomic
def merit_grant(
    *,
    employee: Employee,
    education: Offer,
    ects: Decimal,
    actor: Actor,
    module: Offer | None = None,
    note: str = "",
) -> Merit:
    """Credit towards a full education for learning taken elsewhere, up to the education's merit limit."""
    _require_admin(actor, education.municipality_id)
    if employee.municipality_id != education.municipality_id:
        raise ValidationError(_("The person belongs to another municipality."))
    used = sum(
        Merit.objects.filter(employee=employee, education=education).values_list("ects", flat=True),
        Decimal(0),
    )
    if used + ects > education.merit_limit_ects:
        raise ValidationError(
            _("Merit is limited to %(limit)s ECTS for this education; %(used)s ECTS are already given.")
            % {"limit": education.merit_limit_ects, "used": used}
        )
    merit = Merit(
        employee=employee,
        education=education,
        module=module,
        ects=ects,
        note=note,
        granted_by=actor if isinstance(actor, User) else None,
    )
    audit.create_audited(
        merit,
        fields=("employee", "education", "module", "ects", "note"),
        action="learning.merit.granted",
        actor=actor,
        municipality_id=education.municipality_id,
    )
    return merit
