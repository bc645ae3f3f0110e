"""Comparing a course list with the catalogue (the plan, with its problems) and writing the plan.

An offer is found by `Ekstern id`, else by provider and title (case and spacing aside; an offer that
has another external id is not taken over by a row with a different one). What the file leaves out is
left alone: a column it does not have, an empty `Udbyder` or `Ekstern id` on an offer that exists, an
empty `Type` (a new offer is a course). An empty `Kategori`, `Niveau`, `ECTS`, `Undervisningsdage`,
`Beskrivelse` or `Kompetencer` empties the value. Providers and categories that do not exist yet are
created. The plan is written in bulk (a few queries for any number of rows) by `apply`, inside the
caller's transaction, and the search index is updated for every offer written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kapabel.competences.models import Competence, Status
from kapabel.core.models import Municipality
from kapabel.learning.catalogue_import.reading import (
    COMPETENCES,
    EXTERNAL_ID,
    PROVIDER,
    TITLE,
    CatalogueProblem,
    Row,
    echo,
    key,
    problem,
)
from kapabel.learning.models import QF_LEVELS, Category, Offer, OfferCompetence, OfferKind, Provider
from kapabel.learning.search import index as search_index

SAMPLE_SIZE = 20
COMPARED = (
    "title",
    "provider",
    "kind",
    "category",
    "level",
    "ects",
    "teaching_days",
    "price_per_participant",
    "description",
    "external_id",
)


def title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


class Competences:
    """The competences of the published frameworks a municipality uses (its own, shared with it,
    national), found by code or by name (Danish or English), case and spacing aside."""

    def __init__(self, municipality: Municipality):
        frameworks = (
            Q(version__framework__municipality=municipality)
            | Q(version__framework__municipality__isnull=True)
            | Q(version__framework__shared_with=municipality)
        )
        rows = (
            Competence.objects.filter(frameworks, version__status=Status.PUBLISHED)
            .values_list("pk", "code", "name_da", "name_en", "version__framework__name")
            .distinct()
        )
        self.by_code: dict[str, set[int]] = defaultdict(set)
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.labels: dict[int, str] = {}
        for pk, code, name_da, name_en, framework in rows:
            if code:
                self.by_code[title_key(code)].add(pk)
            for name in (name_da, name_en):
                if name:
                    self.by_name[title_key(name)].add(pk)
            self.labels[pk] = f"{code} {name_da or name_en} ({framework})".strip()

    def resolve(self, name: str, line: int, problems: list[CatalogueProblem]) -> int | None:
        found = self.by_code.get(title_key(name)) or self.by_name.get(title_key(name)) or set()
        if len(found) == 1:
            return next(iter(found))
        if not found:
            problems.append(problem("unknown_competence", line, COMPETENCES, value=echo(name)))
        else:
            matches = "; ".join(sorted(self.labels[pk] for pk in found))
            problems.append(
                problem("ambiguous_competence", line, COMPETENCES, value=echo(name), matches=matches)
            )
        return None


@dataclass
class Existing:
    """What the municipality's catalogue holds now (read once, a handful of queries)."""

    municipality: Municipality
    offers: dict[int, dict[str, Any]]
    by_external: dict[str, int]
    by_name: dict[tuple[str, str], list[int]]
    providers: dict[str, Provider]
    categories: dict[str, Category]
    links: dict[int, dict[int, int]]  # offer → {competence: link id}
    competences: Competences | None

    @classmethod
    def load(cls, municipality: Municipality, *, with_competences: bool) -> Existing:
        providers = {key(p.name): p for p in Provider.objects.filter(municipality=municipality)}
        categories: dict[str, Category] = {}
        for category in Category.objects.filter(municipality=municipality).order_by("-position", "-id"):
            categories[key(category.name)] = category
        offers: dict[int, dict[str, Any]] = {}
        by_external: dict[str, int] = {}
        by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
        own = [name for name in COMPARED if name not in ("provider", "category")]
        rows = Offer.objects.filter(municipality=municipality).values(
            "pk", "qf_level", "provider__name", "category__name", *own
        )
        for row in rows.order_by("pk"):
            row["provider"] = row.pop("provider__name")
            row["category"] = row.pop("category__name")
            offers[row["pk"]] = row
            if row["external_id"]:
                by_external[row["external_id"]] = row["pk"]
            by_name[(key(row["provider"]), title_key(row["title"]))].append(row["pk"])
        links: dict[int, dict[int, int]] = defaultdict(dict)
        if with_competences:
            for link_id, offer_id, competence_id in OfferCompetence.objects.filter(
                offer__municipality=municipality
            ).values_list("pk", "offer_id", "competence_id"):
                links[offer_id][competence_id] = link_id
        return cls(
            municipality,
            offers,
            by_external,
            by_name,
            providers,
            categories,
            links,
            Competences(municipality) if with_competences else None,
        )


@dataclass
class Planned:
    """One row's effect: a new offer (`pk` None) or changes to one, with the competences it develops."""

    line: int
    pk: int | None
    values: dict[str, Any]  # the offer's fields to write (provider/category as names)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    competences: set[int] | None = None
    links_added: set[int] = field(default_factory=set)
    links_removed: set[int] = field(default_factory=set)  # link ids


@dataclass
class Plan:
    offers: list[Planned] = field(default_factory=list)
    unchanged: int = 0
    new_providers: dict[str, str] = field(default_factory=dict)  # key → name
    new_categories: dict[str, str] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        created = sum(1 for p in self.offers if p.pk is None)
        counts = {
            "offers_created": created,
            "offers_updated": len(self.offers) - created,
            "offers_unchanged": self.unchanged,
            "providers_created": len(self.new_providers),
            "categories_created": len(self.new_categories),
            "competence_links": sum(len(p.links_added) + len(p.links_removed) for p in self.offers),
        }
        counts["changes"] = len(self.offers) + len(self.new_providers) + len(self.new_categories)
        return counts

    @property
    def sample(self) -> list[dict[str, Any]]:
        return [
            {
                "line": planned.line,
                "action": "create" if planned.pk is None else "update",
                "title": planned.values.get("title", ""),
                "provider": planned.values.get("provider", ""),
                "changes": planned.changes,
            }
            for planned in self.offers[:SAMPLE_SIZE]
        ]


def _qf_level(level: str, current: int | None) -> int | None:
    span = QF_LEVELS.get(level)
    if span is None:
        return None
    if current is not None and span[0] <= current <= span[1]:
        return current
    return span[0] if span[0] == span[1] else None


def _match(row: Row, existing: Existing, problems: list[CatalogueProblem]) -> int | None:
    external_id = row.get("external_id") or ""
    if external_id and external_id in existing.by_external:
        return existing.by_external[external_id]
    provider, title = row.get("provider") or "", row.get("title") or ""
    if not provider:
        return None
    found = existing.by_name.get((key(provider), title_key(title)), [])
    if external_id:
        found = [pk for pk in found if not existing.offers[pk]["external_id"]]
    if len(found) > 1:
        problems.append(
            problem(
                "ambiguous_offer",
                row.line,
                TITLE,
                count=len(found),
                title=echo(title),
                provider=echo(provider),
            )
        )
    return found[0] if found else None


def _name_of(kind: str, name: str, existing: Existing, plan: Plan) -> str:
    """The name a provider or category will have: an existing one's, or the first spelling in the file."""
    known = existing.providers if kind == "provider" else existing.categories
    new = plan.new_providers if kind == "provider" else plan.new_categories
    if key(name) in known:
        return known[key(name)].name
    return new.setdefault(key(name), name)


def _plan_row(row: Row, pk: int | None, existing: Existing, plan: Plan) -> Planned:
    values = {name: value for name, value in row.values.items() if name in COMPARED}
    if not values.get("provider"):
        values.pop("provider", None)
    if not values.get("external_id") and pk is not None:
        values.pop("external_id", None)
    if "provider" in values:
        values["provider"] = _name_of("provider", values["provider"], existing, plan)
    if values.get("category"):
        values["category"] = _name_of("category", values["category"], existing, plan)
    elif "category" in values:
        values["category"] = None
    if pk is None:
        values.setdefault("kind", OfferKind.COURSE)
        return Planned(row.line, None, values, changes={k: [None, _plain(v)] for k, v in values.items()})
    current = existing.offers[pk]
    changes = {
        name: [_plain(current[name]), _plain(value)]
        for name, value in values.items()
        if current[name] != value
    }
    if "level" in changes:
        values["qf_level"] = _qf_level(values["level"], current["qf_level"])
    return Planned(row.line, pk, values, changes=changes)


def build_plan(rows: list[Row], existing: Existing, problems: list[CatalogueProblem]) -> Plan:
    """What the rows would change, and every problem that stops it (added to `problems`)."""
    plan = Plan()
    first_line: dict[Any, int] = {}
    for row in rows:
        if "title" not in row.values:
            continue  # its problem is reported already
        external_id = row.get("external_id") or ""
        if external_id:
            if external_id in first_line:
                problems.append(
                    problem(
                        "duplicate",
                        row.line,
                        EXTERNAL_ID,
                        value=echo(external_id),
                        first=first_line[external_id],
                    )
                )
                continue
            first_line[external_id] = row.line
        pk = _match(row, existing, problems)
        title, provider = row.values["title"], row.get("provider") or ""
        identity: tuple[str, ...] = ("offer", str(pk)) if pk else ()
        if pk is None and not external_id:
            identity = ("new", key(provider), title_key(title))
        if identity and identity in first_line:
            code = "same_offer" if pk else "duplicate_offer"
            first = first_line[identity]
            problems.append(
                problem(code, row.line, TITLE, title=echo(title), provider=echo(provider), first=first)
            )
            continue
        if identity:
            first_line[identity] = row.line
        if pk is None and not provider:
            problems.append(problem("provider_for_new", row.line, PROVIDER, title=echo(title)))
            continue
        planned = _plan_row(row, pk, existing, plan)
        if row.competences is not None and existing.competences is not None:
            resolved = [existing.competences.resolve(name, row.line, problems) for name in row.competences]
            wanted = {pk_ for pk_ in resolved if pk_ is not None}
            current = existing.links.get(pk, {}) if pk else {}
            planned.competences = wanted
            planned.links_added = wanted - set(current)
            planned.links_removed = {link for competence, link in current.items() if competence not in wanted}
            if planned.links_added or planned.links_removed:
                labels = existing.competences.labels
                planned.changes["competences"] = [
                    sorted(labels[c] for c in current),
                    sorted(labels[c] for c in wanted),
                ]
        if planned.pk is None or planned.changes:
            plan.offers.append(planned)
        else:
            plan.unchanged += 1
    return plan


def apply(plan: Plan, existing: Existing) -> list[int]:
    """Write the plan (call inside a transaction); returns the ids of the offers written."""
    municipality = existing.municipality
    providers = dict(existing.providers)
    created = Provider.objects.bulk_create(
        [Provider(municipality=municipality, name=name) for name in plan.new_providers.values()]
    )
    providers.update({key(p.name): p for p in created})
    categories = dict(existing.categories)
    created_categories = Category.objects.bulk_create(
        [
            Category(municipality=municipality, name=name, position=100)
            for name in plan.new_categories.values()
        ]
    )
    categories.update({key(c.name): c for c in created_categories})

    def resolve(values: dict[str, Any]) -> dict[str, Any]:
        result = dict(values)
        if "provider" in result:
            result["provider"] = providers[key(result["provider"])]
        if result.get("category") is not None:
            result["category"] = categories[key(result["category"])]
        return result

    new = [item for item in plan.offers if item.pk is None]
    updates = [item for item in plan.offers if item.pk is not None and set(item.changes) - {"competences"}]
    offers = [Offer(municipality=municipality, **resolve(item.values)) for item in new]
    for offer in offers:
        offer.qf_level = _qf_level(offer.level, None)
    Offer.objects.bulk_create(offers, batch_size=500)
    for item, offer in zip(new, offers, strict=True):
        item.pk = offer.pk

    if updates:
        changed_fields: set[str] = set()
        instances = Offer.objects.in_bulk([item.pk for item in updates])
        now = timezone.now()
        for item in updates:
            offer = instances[item.pk]
            for name, value in resolve(item.values).items():
                if name in item.changes or name == "qf_level":
                    setattr(offer, name, value)
                    changed_fields.add(name)
            offer.updated_at = now
        fields = [*sorted(changed_fields), "updated_at"]
        Offer.objects.bulk_update(list(instances.values()), fields, batch_size=500)

    removed = [link for item in plan.offers for link in item.links_removed]
    if removed:
        OfferCompetence.objects.filter(pk__in=removed).delete()
    written = [item.pk for item in plan.offers if item.pk is not None]
    OfferCompetence.objects.bulk_create(
        [
            OfferCompetence(offer_id=pk, competence_id=competence, expected_gain=1)
            for item, pk in zip(plan.offers, written, strict=True)
            for competence in sorted(item.links_added)
        ],
        batch_size=500,
    )
    search_index.index_offers(written)
    return written
