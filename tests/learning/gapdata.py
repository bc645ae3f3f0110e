"""A small, hand-computable gap picture for the suggestion and recommendation tests.

Framework in Aby with two competences on a 1–4 scale; the job role profile (role_a) asks for
"Økonomi og budget" at 4 (essential, weight 3) and "Kommunikation" at 2 (important, weight 2).
Team Alfa (team1): Emma Employee and two more at level 1 in both (gaps 3 and 1), and Mads Mentor at
4 and 2 (no gaps). Elsewhere: Carl Colleague (team2) 4/2, Mette Manager (centre1) 4/2, Oskar
Outsider (team3, another forvaltning) 4/2, Lise Low (team2) 2/1, Bo Busy (team2) 4/2."""

from __future__ import annotations

from types import SimpleNamespace

from kapabel.competences.models import Profile, ProfileTarget, Status
from tests.conftest import make_employee
from tests.gaps import writers
from tests.gaps.data import make_framework


def build(world) -> SimpleNamespace:
    version, (economy, communication) = make_framework(
        world.a, "Administrativ kerne", ["Økonomi og budget", "Kommunikation"]
    )
    profile = Profile.objects.create(
        municipality=world.a,
        framework_version=version,
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_a,
        name="Sagsbehandler",
        status=Status.DRAFT,
    )
    ProfileTarget.objects.create(profile=profile, competence=economy, target_level=4, importance="essential")
    ProfileTarget.objects.create(
        profile=profile, competence=communication, target_level=2, importance="important"
    )
    writers.publish_profile(profile=profile)
    new = {
        "second": make_employee(world.a, world.team1, "L2", "Lone Learner", world.role_a),
        "third": make_employee(world.a, world.team1, "L3", "Lars Learner", world.role_a),
        "mentor": make_employee(world.a, world.team1, "M1", "Mads Mentor", world.role_a),
        "low": make_employee(world.a, world.team2, "M2", "Lise Low", world.role_a),
        "busy": make_employee(world.a, world.team2, "M3", "Bo Busy", world.role_a),
    }
    levels = {
        world.employee: (1, 1),
        new["second"]: (1, 1),
        new["third"]: (1, 1),
        new["mentor"]: (4, 2),
        new["low"]: (2, 1),
        new["busy"]: (4, 2),
        world.colleague: (4, 2),
        world.manager_employee: (4, 2),
        world.outsider: (4, 2),
    }
    for person, (economy_level, communication_level) in levels.items():
        writers.record_rating(employee=person, competence=economy, source="agreed", level=economy_level)
        writers.record_rating(
            employee=person, competence=communication, source="agreed", level=communication_level
        )
    return SimpleNamespace(version=version, economy=economy, communication=communication, **new)
