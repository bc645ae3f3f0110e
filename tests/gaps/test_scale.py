"""The gap analysis at scale: the bulk rebuild, the kept campaign levels and trend totals and the kept
priority groups give exactly what the definitions give, on seeded random data.

`_reference_trend` and `_reference_levels_at` are the trend as it was computed before the snapshots
(from the rating history on every request), kept verbatim as the definition the fast trend must
match; `_reference_groups` is the priorities' former GROUP BY over the facts.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db.models import Count, Sum

from kapabel.assessments import services as assessment_services
from kapabel.assessments.models import DEFAULT_LEVEL_ORDER, AssessmentSettings, Campaign, Rating
from kapabel.competences.models import Profile, ProfileTarget, Status
from kapabel.core.access import scope_for
from kapabel.gaps import selectors, upkeep
from kapabel.gaps.definition import equivalents, gap, settings_for
from kapabel.gaps.models import (
    GapAggregate,
    GapCampaignLevels,
    GapFact,
    GapPriorityGroup,
    GapTrendAggregate,
)
from kapabel.gaps.permissions import can_view_everyone_in as sees_everyone_in
from kapabel.gaps.selectors import suppress_group
from kapabel.gaps.selectors.figures import competences_in_order as _competences
from kapabel.gaps.selectors.trend import _fold
from kapabel.gaps.versions import same_heads
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation import services
from kapabel.organisation.models import Employee, OrgUnit
from tests.conftest import make_employee, make_user
from tests.gaps import writers
from tests.gaps.data import add_second_version, make_campaign

TABLES = (GapFact, GapAggregate, GapPriorityGroup, GapCampaignLevels, GapTrendAggregate)


# --- The former trend, verbatim: the reference ---------------------------------------------------


def _reference_levels_at(
    unit: OrgUnit, eq: dict[int, list[int]], *, campaign: Campaign | None, date: datetime.date | None
) -> dict[tuple[int, int], int]:
    order = (
        AssessmentSettings.objects.filter(municipality_id=unit.municipality_id)
        .values_list("current_level_order", flat=True)
        .first()
        or DEFAULT_LEVEL_ORDER
    ).split(",")
    reverse: dict[int, list[int]] = defaultdict(list)
    for target, group in eq.items():
        for c in group:
            reverse[c].append(target)
    ratings = Rating.objects.filter(
        unit__isnull=True,
        superseded_by__isnull=True,
        competence_id__in=list(reverse),
    ).filter(unit.subtree_q("employee__unit__path"))
    if campaign is not None:
        ratings = ratings.filter(campaign=campaign)
    if date is not None:
        end = datetime.datetime.combine(
            date + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
        )
        ratings = ratings.filter(rated_at__lt=end)
    latest: dict[tuple[int, int, str], tuple[Any, int, int | None]] = {}
    for employee_id, competence_id, source, level, rated_at, pk in ratings.values_list(
        "employee_id", "competence_id", "source", "level", "rated_at", "id"
    ).iterator(chunk_size=20000):
        for target in reverse[competence_id]:
            key = (employee_id, target, source)
            if key not in latest or (rated_at, pk) > latest[key][:2]:
                latest[key] = (rated_at, pk, level)
    result: dict[tuple[int, int], int] = {}
    people = {(e, t) for e, t, _ in latest}
    for employee_id, target in people:
        for source in order:
            found = latest.get((employee_id, target, source.strip()))
            if found is not None and found[2] is not None:
                result[(employee_id, target)] = found[2]
                break
    return result


def _reference_trend(
    user: Any,
    unit: OrgUnit,
    *,
    a: Campaign | None = None,
    b: Campaign | None = None,
    date_a: datetime.date | None = None,
    date_b: datetime.date | None = None,
) -> dict[str, Any]:
    full = sees_everyone_in(user, unit)
    minimum = settings_for(unit.municipality_id).min_group_size
    facts = list(
        GapFact.objects.filter(scope_for(user).employees_q("employee__"))
        .filter(unit.subtree_q("unit__path"))
        .values_list("employee_id", "competence_id", "target_level", "unit__path")
    )
    eq = equivalents({f[1] for f in facts})
    first = _reference_levels_at(unit, eq, campaign=a, date=date_a)
    second = _reference_levels_at(unit, eq, campaign=b, date=date_b)
    children = list(org_selectors.units_for_user(user).filter(parent=unit).order_by("name"))
    per_comp: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # people, gap a, gap b
    per_unit: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for employee_id, competence_id, target, path in facts:
        la, lb = first.get((employee_id, competence_id)), second.get((employee_id, competence_id))
        ga, gb = gap(target, la), gap(target, lb)
        if ga is None or gb is None:
            continue
        for bucket in [per_comp[competence_id]] + [
            per_unit[(child.pk, competence_id)] for child in children if path.startswith(child.path)
        ]:
            bucket[0] += 1
            bucket[1] += ga
            bucket[2] += gb
    # Versions of one competence count under the newest shown one (display folding, gaps.versions).
    heads = same_heads(_competences(set(per_comp)))
    per_comp, per_unit = _fold(per_comp, heads), _fold(per_unit, heads)
    competences = _competences(set(per_comp))

    def summary(values: list[int]) -> dict[str, Any]:
        n, ga, gb = values
        hidden = not full and 0 < n < minimum
        if hidden or n == 0:
            return {"people": n, "suppressed": hidden, "mean_a": None, "mean_b": None, "closed": None}
        return {"people": n, "suppressed": False, "mean_a": ga / n, "mean_b": gb / n, "closed": (ga - gb) / n}

    comp_rows = [{"competence": c, **summary(per_comp[c.pk])} for c in competences]
    unit_rows: list[dict[str, Any]] = [
        {"unit": child, "cells": [summary(per_unit[(child.pk, c.pk)]) for c in competences]}
        for child in children
    ]
    if not full:
        for i, c in enumerate(competences):
            _, hidden = suppress_group(
                per_comp[c.pk][0],
                {r["unit"].pk: per_unit[(r["unit"].pk, c.pk)][0] for r in unit_rows},
                minimum,
            )
            for r in unit_rows:
                if r["unit"].pk in hidden:
                    r["cells"][i] = {
                        **r["cells"][i],
                        "suppressed": True,
                        "mean_a": None,
                        "mean_b": None,
                        "closed": None,
                    }
    return {
        "competences": competences,
        "rows": comp_rows,
        "unit_rows": unit_rows,
        "full_view": full,
        "minimum": minimum,
    }


def _reference_groups(user: Any, unit: OrgUnit) -> list[dict[str, Any]]:
    """The priorities' groups as the former GROUP BY over the facts computed them (a full view)."""
    rows = (
        GapFact.objects.filter(scope_for(user).employees_q("employee__"))
        .filter(unit.subtree_q("unit__path"), gap__gt=0)
        .values("job_role_id", "job_role__title", "unit_id", "unit__name", "competence_id")
        .annotate(weighted=Sum("weighted_gap"), people=Count("id"), gap_total=Sum("gap"))
        .order_by("-weighted", "-people", "unit__name", "competence_id")
    )
    return [dict(row) for row in rows]


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "competences": [c.pk for c in result["competences"]],
        "rows": [{**row, "competence": row["competence"].pk} for row in result["rows"]],
        "unit_rows": [{"unit": row["unit"].pk, "cells": row["cells"]} for row in result["unit_rows"]],
        "full_view": result["full_view"],
        "minimum": result["minimum"],
    }


# --- Random data through the real services -------------------------------------------------------


def _rate(
    rng: random.Random, people: list[Employee], competences: list[Any], campaign: Any, when: Any
) -> None:
    """One submission per source: a random part of the people, a random part of the competences,
    some "don't know", all at the same time (ties are broken by id)."""
    for source in rng.sample(["self", "manager", "agreed"], rng.randint(1, 3)):
        entries = [
            assessment_services.RatingEntry(
                competence_id=competence.pk,
                level=rng.choice([None, 1, 2, 3, 4, 4]),
                employee_id=person.pk,
            )
            for person in people
            if rng.random() < 0.7
            for competence in competences
            if rng.random() < 0.8
        ]
        assessment_services.ratings_record(
            municipality_id=people[0].municipality_id,
            source=source,
            entries=entries,
            actor="tests",
            campaign=campaign,
            rated_at=when,
        )


def random_data(world: Any, gaps: Any, seed: int) -> dict[str, Any]:
    """People in random units and roles, a mapped second framework version with a profile on it,
    a nested unit profile, individual targets, three campaigns of ratings (repeated submissions,
    "don't know", corrections), moves of people and a unit, deactivations."""
    rng = random.Random(seed)
    units = list(OrgUnit.objects.filter(municipality=world.a).order_by("pk"))
    roles = [world.role_a, services.jobrole_create(municipality=world.a, title="Pædagog", actor="t"), None]
    people = [world.employee, world.colleague, world.manager_employee, world.outsider]
    people += [
        make_employee(world.a, rng.choice(units), f"R{i}", f"Random {i:02d}", rng.choice(roles))
        for i in range(22)
    ]
    v2, copies = add_second_version(gaps)
    if rng.random() < 0.7:  # the role profile moves to version 2: its targets map from version 1
        draft = writers.new_profile_version(profile=gaps.role_profile, framework_version=v2)
        writers.publish_profile(profile=draft)
    first, second = gaps.campaigns
    third = make_campaign(world.a, v2, "Afklaring 2027", 20)
    day = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    for n, (campaign, competences) in enumerate(
        [(first, gaps.competences), (second, gaps.competences), (third, copies), (second, gaps.competences)]
    ):
        _rate(rng, people, competences, campaign, day + datetime.timedelta(days=n // 2))
    for person in rng.sample(people, 5):  # ratings outside any campaign
        writers.record_rating(
            employee=person, competence=rng.choice(gaps.competences), source="self", level=rng.randint(1, 4)
        )
    current = list(Rating.objects.filter(campaign__isnull=False, superseded_by__isnull=True).order_by("pk"))
    for rating in rng.sample(current, min(6, len(current))):
        writers.correct_rating(rating=rating, level=rng.choice([None, 1, 4]))
    for person in rng.sample(people, 4):
        writers.set_individual_target(
            employee=person, competence=rng.choice(gaps.competences + copies), level=rng.randint(1, 4)
        )
    unit_profile = Profile.objects.create(  # a second unit profile, nested inside Forvaltning 1
        municipality=world.a,
        framework_version=gaps.version,
        kind=Profile.Kind.UNIT,
        unit=world.centre1,
        name="Center Et",
        status=Status.DRAFT,
    )
    for competence in gaps.competences[1:3]:
        ProfileTarget.objects.create(
            profile=unit_profile, competence=competence, target_level=4, importance="nice_to_have"
        )
    writers.publish_profile(profile=unit_profile)
    for person in rng.sample(people[4:], 4):
        services.employee_update(
            employee=Employee.objects.get(pk=person.pk), unit=rng.choice(units), actor="t"
        )
    for person in rng.sample(people[4:], 2):
        services.employee_update(employee=Employee.objects.get(pk=person.pk), active=False, actor="t")
    if rng.random() < 0.5:
        services.orgunit_update(
            unit=OrgUnit.objects.get(pk=world.team2.pk),
            parent=OrgUnit.objects.get(pk=world.forvaltning2.pk),
            actor="t",
        )
    # A viewer who may see only part of the unit they are placed in: placed in Forvaltning 1,
    # manager of Team Alfa.
    viewer_employee = make_employee(world.a, world.forvaltning1, "V1", "Vera Viewer", world.role_a)
    services.orgunit_set_managers(
        unit=OrgUnit.objects.get(pk=world.team1.pk), managers=[viewer_employee], actor="t"
    )
    viewer = make_user("viewer")
    services.employee_link_user(employee=viewer_employee, user=viewer, actor="t")
    return {"campaigns": [first, second, third], "viewer": viewer}


def _ids() -> dict[str, set[int]]:
    return {model.__name__: set(model.objects.values_list("pk", flat=True)) for model in TABLES}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rebuild_equals_the_reference_and_the_upkeep(world, gaps, seed):
    random_data(world, gaps, seed)
    assert GapTrendAggregate.objects.filter(municipality=world.a).exists()
    assert GapCampaignLevels.objects.filter(municipality=world.a).exists()
    assert GapPriorityGroup.objects.filter(municipality=world.a).exists()
    assert upkeep.verify(world.a) == []  # kept person by person
    before = _ids()
    upkeep.rebuild(world.a)
    assert upkeep.verify(world.a) == []
    assert _ids() == before  # nothing differed, so nothing was written
    for model in TABLES:
        model.objects.filter(municipality=world.a).delete()
    assert upkeep.rebuild(world.a) == GapFact.objects.filter(municipality=world.a).count()
    assert upkeep.verify(world.a) == []
    assessment_services.assessment_settings_update(
        municipality=world.a, current_level_order="self,agreed", actor="t"
    )  # a new source order: a rebuild
    assert upkeep.verify(world.a) == []


def test_rebuild_in_chunks_and_after_new_weights(world, gaps, monkeypatch):
    from kapabel.gaps import rebuild
    from kapabel.gaps.services import gap_settings_update

    random_data(world, gaps, 7)
    monkeypatch.setattr(rebuild, "CHUNK", 3)
    monkeypatch.setattr(rebuild, "ID_BATCH", 2)
    for model in TABLES:
        model.objects.filter(
            municipality=world.a, pk__in=model.objects.order_by("pk")[:5].values("pk")
        ).delete()
    GapPriorityGroup.objects.filter(municipality=world.a).update(people=99)
    upkeep.rebuild(world.a)
    assert upkeep.verify(world.a) == []
    gap_settings_update(municipality=world.a, actor="t", weight_essential=7, weight_nice_to_have=2)
    assert upkeep.verify(world.a) == []


@pytest.mark.parametrize("seed", [4, 5])
def test_fast_trend_equals_the_reference(world, gaps, seed):
    data = random_data(world, gaps, seed)
    first, second, third = data["campaigns"]
    pairs = [(first, second), (second, first), (first, first), (first, third), (third, second)]
    users = [world.user(p) for p in ("coordinator", "hr", "manager", "employee")] + [data["viewer"]]
    compared = 0
    for user in users:
        for unit in org_selectors.units_for_user(user).filter(municipality=world.a).order_by("pk"):
            for a, b in pairs:
                expected = _comparable(_reference_trend(user, unit, a=a, b=b))
                assert _comparable(selectors.trend(user, unit, a=a, b=b)) == expected, (user, unit, a, b)
                compared += bool(expected["rows"])
    assert compared > 20  # the data gives trends to compare
    # Dates still read the history: the same as before.
    coordinator = world.user("coordinator")
    dates = {"date_a": datetime.date(2026, 3, 1), "date_b": datetime.date(2026, 12, 31)}
    assert _comparable(selectors.trend(coordinator, world.a_root, **dates)) == _comparable(
        _reference_trend(coordinator, world.a_root, **dates)
    )


@pytest.mark.parametrize(("seed", "rank_page"), [(6, 500), (8, 500), (6, 1), (8, 2)])
def test_kept_priority_groups_equal_the_reference(world, gaps, seed, rank_page, monkeypatch):
    """Also with tiny pages of the rank order, so the walk reads several pages (`groups.RANK_PAGE`)."""
    from kapabel.gaps import groups

    monkeypatch.setattr(groups, "RANK_PAGE", rank_page)
    random_data(world, gaps, seed)
    for persona in ("coordinator", "hr", "manager"):
        user = world.user(persona)
        for unit in org_selectors.units_for_user(user).filter(municipality=world.a):
            if not sees_everyone_in(user, unit):
                continue
            expected = _reference_groups(user, unit)
            for limit in (1, 3, 15, 1000):
                got = selectors.priorities(user, unit, groups=limit)["groups"]
                key = ("weighted", "people", "unit__name", "competence_id")
                assert [tuple(g[k] for k in key) for g in got] == [
                    tuple(g[k] for k in key) for g in expected[:limit]
                ]
            got = selectors.priorities(user, unit, groups=1000)["groups"]
            assert sorted(
                ({k: v for k, v in g.items() if k != "competence"} for g in got), key=repr
            ) == sorted(expected, key=repr)


def test_rebuild_command(world, gaps):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    GapTrendAggregate.objects.filter(municipality=world.a).delete()  # e.g. tables new after an upgrade
    out = StringIO()
    call_command("gap-rebuild", "--municipality", world.a.kommunekode, stdout=out)
    assert "gap facts" in out.getvalue()
    assert upkeep.verify(world.a) == []
    with pytest.raises(CommandError):
        call_command("gap-rebuild", "--municipality", "999")


def test_rebuild_without_campaign_levels(world, gaps):
    """Bby: a rating outside any campaign, then one in a campaign of a competence nobody targets."""
    upkeep.rebuild(world.b)
    assert upkeep.verify(world.b) == []
    assert not GapCampaignLevels.objects.filter(municipality=world.b).exists()
    version = gaps.b_competence.version
    other = version.competences.create(
        position=1, identifier="K1", code="K1", name_da="Andet", name_en="Other"
    )
    campaign = make_campaign(world.b, version, "Bby 2026", 3)
    writers.record_rating(
        employee=world.b_employee, competence=other, source="self", level=2, campaign=campaign
    )
    upkeep.rebuild(world.b)
    assert upkeep.verify(world.b) == []
    assert not GapCampaignLevels.objects.filter(municipality=world.b).exists()
