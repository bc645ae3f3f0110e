"""axe on the framework browser, tree editor, profile matrix and comment threads with real content."""

from __future__ import annotations

import pytest

from kapabel.competences import services, starter
from tests.browser.test_accessibility import crawl, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_competence_pages_have_no_wcag_violations(world, live_server, page):
    frameworks = starter.install(municipality=world.a, actor="t", job_roles={"Jobkonsulent": world.role_a})
    draft = services.version_create_draft(framework=frameworks[1], actor="t")
    profile = services.profile_create(
        municipality=world.a, framework_version=frameworks[0].versions.get(), name="Ideal", actor="t"
    )
    consultation = services.consultation_open(actor="t", profile=profile, participants=[world.employee])
    services.comment_add(
        consultation=consultation,
        author=world.user("employee"),
        body="Godt",
        competence=profile.framework_version.competences.first(),
        proposed_target_level=3,
    )
    log_in(page, live_server.url, "admin")
    visited, problems = crawl(page, live_server.url, f"/frameworks/{draft.framework_id}/")
    assert any("/profiles/" in v for v in visited) and any("/edit/" in v for v in visited), visited
    visited2, problems2 = crawl(page, live_server.url, f"/frameworks/consultations/{consultation.pk}/")
    assert not problems + problems2, "\n".join(problems + problems2)
