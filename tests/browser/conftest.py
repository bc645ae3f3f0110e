"""Data for the browser crawls. Chromium itself (`browser`, `page`) comes from tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clarification_data(request):
    """Open campaigns (with a submitted self-assessment to review) so the crawl reaches the
    clarification pages with data."""
    if "world" not in request.fixturenames:
        return
    from kapabel.assessments import selectors, services
    from tests.assessments.factories import build_assessment_world

    world = request.getfixturevalue("world")
    aw = build_assessment_world(world, competences=3)
    answers = {i.competence.pk: {"level": 2} for i in selectors.campaign_competences(aw.campaign_a)}
    services.assessment_save_self(
        assessment=aw.colleague_assessment, version=0, answers=answers, submit=True, actor="tests"
    )


@pytest.fixture(autouse=True)
def _learning_data(request):
    """A catalogue, requests, a past cohort with attendance to record, a holiday flag, an education
    and evidence, so the crawl reaches the learning pages with data."""
    if "world" not in request.fixturenames:
        return
    from tests.learning.pages_data import build_learning_pages_data

    build_learning_pages_data(request.getfixturevalue("world"))


@pytest.fixture(autouse=True)
def _dialogue_data(request):
    """Cycles, a booked dialogue with private preparations, a held one with a plan and a team
    dialogue, so the crawl reaches the dialogue pages with data."""
    if "world" not in request.fixturenames:
        return
    from tests.dialogues.pages_data import build_dialogue_pages_data

    build_dialogue_pages_data(request.getfixturevalue("world"))


@pytest.fixture(autouse=True)
def _programme_data(request):
    """A programme with phases, a substitute's placements, an application and a steering group, so the
    crawl reaches the programme pages with data."""
    if "world" not in request.fixturenames:
        return
    from tests.programmes.factories import build_programme_pages_data

    build_programme_pages_data(request.getfixturevalue("world"))


@pytest.fixture
def world(world):
    """The shared world plus gap-analysis data (framework, profiles, ratings), so the crawl renders
    heatmaps, profiles and priorities with real figures."""
    from tests.gaps.data import build_gap_data

    build_gap_data(world)
    return world
