"""The programme pages in Chromium at 1280 px and 390 px: axe (WCAG 2.1 A and AA) on every programme
page each persona reaches, no sideways scrolling, the steering group's overview without names, and a
form's error state. With KAPABEL_SCREENSHOTS set to a directory, screenshots are written there."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.browser.test_accessibility import check_page, log_in
from tests.browser.test_learning_browser import WIDTHS, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("KAPABEL_SCREENSHOTS", "")


def pages_for(programme, manages: bool) -> list[str]:
    programme_id = programme.pk
    paths = ["/programmes/", f"/programmes/{programme_id}/", "/programmes/schemes/"]
    if manages:
        phase = programme.phases.order_by("pk").first()
        application = programme.applications.order_by("pk").first()
        paths += [
            f"/programmes/{programme_id}/substitutes/",
            f"/programmes/{programme_id}/applications/",
            # The forms (issue #13): create and edit, target group, phases, participants, hourly
            # costs and an application's documents.
            "/programmes/new/",
            "/programmes/hourly-costs/",
            f"/programmes/{programme_id}/edit/",
            f"/programmes/{programme_id}/target-group/",
            f"/programmes/{programme_id}/phases/new/",
            f"/programmes/{programme_id}/phases/{phase.pk}/",
            f"/programmes/{programme_id}/participants/",
            f"/programmes/{programme_id}/applications/{application.pk}/documents/",
        ]
    return paths


@pytest.mark.parametrize("persona", ["coordinator", "manager", "platform_admin"])
@pytest.mark.parametrize("size", list(WIDTHS))
def test_programme_pages_are_accessible_and_fit(world, live_server, browser, persona, size):
    programme = world.programme_pages
    context = browser.new_context(locale="da-DK", viewport={"width": WIDTHS[size], "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, world.user(persona).username)
    problems = []
    for path in pages_for(programme, persona == "coordinator"):
        response = page.goto(urljoin(live_server.url, path))
        assert response is not None and response.status == 200, (path, response and response.status)
        problems += check_page(page, path)
        assert_fits(page, path)
        body = page.content()
        if persona == "manager" and path == f"/programmes/{programme.pk}/":
            assert "Vikar Anna" not in body and "Emma Employee" not in body
            assert "Du ser tal, ikke navne" in body
        if persona == "coordinator" and path.endswith("/substitutes/"):
            assert "Vikar Anna" in body
        if SHOTS:
            name = path.strip("/").replace("/", "-") or "root"
            page.screenshot(path=str(Path(SHOTS) / f"programmes-{persona}-{name}-{size}.png"), full_page=True)
    # A form's error state: a placement outside the substitute's employment.
    if persona == "coordinator":
        page.goto(urljoin(live_server.url, f"/programmes/{programme.pk}/substitutes/"))
        page.select_option("#id_substitute", index=1)
        page.select_option("#id_participants", index=0)
        page.fill("#id_starts_on", "2015-07-01")
        page.fill("#id_ends_on", "2015-07-31")
        page.fill("#id_hours_per_week", "20")
        page.click("form[action$='/placements/'] button[type=submit]")
        assert "uden for vikarens ansættelse" in page.content()
        problems += check_page(page, "placement form with errors")
        # The programme form's error state: an end before the start, shown on the field.
        page.goto(urljoin(live_server.url, "/programmes/new/"))
        page.fill("#id_name", "Baglæns")
        page.fill("#id_starts_on", "2027-02-01")
        page.fill("#id_ends_on", "2027-01-01")
        page.click("main form button[type=submit]")
        assert page.locator("#id_ends_on_error").count() == 1
        problems += check_page(page, "programme form with errors")
        assert_fits(page, "programme form with errors")
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"programmes-form-errors-{size}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)
