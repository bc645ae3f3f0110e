"""A small programme through the services, and its report computed by hand."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kapabel.programmes import services
from kapabel.programmes.models import Programme, SchemeKind, Substitute
from kapabel.programmes.selectors.report import programme_report

from .factories import SYSTEM, scheme
from .factories import build_small_programme as build

d = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages below are asserted in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


def rows_of(report, who):
    return [
        (r["week_start"], r["training_hours"], r["substitute_hours"], r["rate"], r["ydelse"])
        for r in report["placements"]
        if r["substitute"] == who
    ]


def test_weekly_ydelse_hour_for_hour_at_the_2015_rate(world):
    report = programme_report(build(world), names=True)
    assert rows_of(report, "Vikar Anna") == [
        ("2015-03-02", 37.0, 30.0, 178.84, 5365.20),  # 30 × 178.84: fewer substitute than training hours
        ("2015-03-09", 18.0, 30.0, 178.84, 3219.12),  # 18 × 178.84: fewer training than substitute hours
    ]
    assert rows_of(report, "Vikar Bo") == [("2015-03-02", 37.0, 12.0, 178.84, 2146.08)]
    assert report["ydelse_total"] == pytest.approx(5365.20 + 3219.12 + 2146.08)
    # Substitute cost: Anna 60 h × 200 kr.; fees 2 × 5,000.
    assert report["money"]["substitute_cost"] == 12000.0
    assert report["money"]["fees"] == 10000.0


def test_warnings_name_the_broken_rules(world):
    warnings = programme_report(build(world), names=True)["warnings"]
    joined = "\n".join(warnings)
    assert (
        "Vikar Bo is placed 12.00 hours in the week of 2 March 2015, more than the 10.00 contracted hours."
        in warnings
    )
    assert "Vikar Bo was unemployed for 2.0 months" in joined
    assert "Vikar Anna" not in joined  # Anna meets every condition


def test_steering_group_sees_no_names(world):
    report = programme_report(build(world), names=False)
    text = json.dumps(report, ensure_ascii=False)
    assert "Vikar Anna" not in text and "Emma" not in text
    # Two participants, minimum group 5: the funnel counts are hidden.
    assert report["phases"][0]["funnel"]["enrolled"] is None
    assert programme_report(Programme.objects.get(), names=True)["phases"][0]["funnel"]["enrolled"] == 2


def test_coverage_with_no_absence_and_overlap(world):
    prog = build(world)
    anna = Substitute.objects.get(name="Vikar Anna")
    emma = prog.participants.get(employee=world.employee)
    # A second placement for Emma in the week of 9 March, and a week with no training (16 March).
    services.placement_create(
        substitute=anna,
        participants=[emma],
        starts_on=d(2015, 3, 9),
        ends_on=d(2015, 3, 20),
        hours_per_week=D(5),
        actor=SYSTEM,
    )
    warnings = programme_report(prog, names=True)["warnings"]
    assert any("covers in the week of 16 March 2015, but nobody they cover is away" in w for w in warnings)
    assert any(
        "Emma Employee is covered by 2 placements at once in the week of 9 March 2015" in w for w in warnings
    )


def test_veu_for_the_same_hours_earns_no_ydelse(world):
    prog = build(world)
    carl = prog.participants.get(employee=world.colleague)
    services.scheme_parameter_create(
        scheme=scheme(SchemeKind.VEU),
        key="weekly_rate",
        value=D(4000),
        valid_from=d(2015, 1, 1),
        valid_to=d(2015, 12, 31),
        source="test",
        actor=SYSTEM,
    )
    services.application_create(
        programme=prog,
        scheme=scheme(SchemeKind.VEU),
        title="AMU",
        participant=carl,
        education_starts_on=d(2015, 3, 2),
        education_ends_on=d(2015, 3, 6),
        eligible_costs=D(0),
        actor=SYSTEM,
    )
    report = programme_report(prog, names=True)
    assert rows_of(report, "Vikar Bo") == [("2015-03-02", 37.0, 12.0, 178.84, 0.0)]
    assert any("Carl Colleague has VEU-godtgørelse for the same hours" in w for w in report["warnings"])


def test_fund_applications_capped_in_a_rolling_year(world):
    prog = build(world)
    emma = prog.participants.get(employee=world.employee)
    fund = scheme(SchemeKind.KOMPETENCEFOND)
    for title, start, costs in (("Diplom 1", d(2027, 3, 1), D(40000)), ("Diplom 2", d(2027, 6, 1), D(20000))):
        services.application_create(
            programme=prog,
            scheme=fund,
            title=title,
            participant=emma,
            education_starts_on=start,
            eligible_costs=costs,
            actor=SYSTEM,
        )
    apps = {a["title"]: a for a in programme_report(prog, names=True)["applications"]}
    assert apps["Diplom 1"]["grant"] == 30000.0  # 80 % of 40,000 = 32,000, capped at 30,000
    assert apps["Diplom 2"]["grant"] == 0.0  # the cap is used up within 12 months
    assert apps["Diplom 1"]["deadline"] == "2027-02-28" and apps["Diplom 1"]["window_opens"] == "2026-06-01"
    assert any(
        "Diplom 2" in w and "cap is used up" in w for w in programme_report(prog, names=True)["warnings"]
    )


def test_phase_relying_on_jobrotation_after_the_closure_warns(world):
    prog = build(world)
    jr = scheme(SchemeKind.JOBROTATION)
    services.phase_create(
        programme=prog,
        name="Før",
        starts_on=d(2026, 1, 31),
        ends_on=d(2026, 6, 30),
        funding_scheme=jr,
        actor=SYSTEM,
    )
    services.phase_create(
        programme=prog,
        name="KAMBU 2.0",
        starts_on=d(2026, 9, 1),
        ends_on=d(2026, 12, 1),
        funding_scheme=jr,
        actor=SYSTEM,
    )
    warnings = programme_report(prog, names=True)["warnings"]
    assert any(
        "“KAMBU 2.0” relies on Jobrotation, which is closed to new forløb on 1 September 2026" in w
        for w in warnings
    )
    assert not any("“Før”" in w and "closed" in w for w in warnings)


def test_command_json_and_list(world, tmp_path):
    prog = build(world)
    out = io.StringIO()
    call_command("programme-report", str(prog.pk), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["programme"] == "KAMBU"
    assert {"week_start", "training_hours", "substitute_hours", "rate", "ydelse"} <= set(
        data["placements"][0]
    )
    assert set(data) >= {"programme", "placements", "ydelse_total", "applications", "warnings"}
    out = io.StringIO()
    call_command("programme-report", "--list", stdout=out)
    assert out.getvalue() == f"{prog.pk}\tKAMBU\n"
    target = tmp_path / "r.xlsx"
    call_command("programme-report", str(prog.pk), "--format", "xlsx", "--output", str(target))
    assert target.read_bytes()[:2] == b"PK"


def test_warning_dates_in_the_users_language_and_json_stays_strings(world, login):
    prog = build(world)
    services.phase_create(
        programme=prog,
        name="KAMBU 2.0",
        starts_on=d(2026, 9, 1),
        ends_on=d(2026, 12, 1),
        funding_scheme=scheme(SchemeKind.JOBROTATION),
        actor=SYSTEM,
    )
    with translation.override("da"):
        warnings = programme_report(prog, names=True)["warnings"]
    assert any("lukket for nye forløb" in w and "1. september 2026" in w for w in warnings), warnings
    assert not any("2026-09-01" in w for w in warnings)
    client = login(world.user("coordinator"))
    page = client.get(reverse("programmes:overview", args=[prog.pk]), HTTP_ACCEPT_LANGUAGE="da").content
    assert "1. september 2026" in page.decode() and "2026-09-01" not in page.decode()
    out = io.StringIO()
    call_command("programme-report", str(prog.pk), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert isinstance(data["warnings"], list) and all(isinstance(w, str) for w in data["warnings"])
    assert any("2026" in w for w in data["warnings"])
