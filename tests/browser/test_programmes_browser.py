"""The programme pages in Chromium at 1280 px and 390 px: axe (WCAG 2.1 A and AA) on every programme
page each persona reaches, no sideways scrolling, the steering group's overview without names, and a
form's error state. With KAPABEL_SCREENSHOTS set to a directory, screenshots are written there."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

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
        expect(page.locator("main")).to_contain_text("uden for vikarens ansættelse")
        problems += check_page(page, "placement form with errors")
        # The programme form's error state: an end before the start, shown on the field.
        page.goto(urljoin(live_server.url, "/programmes/new/"))
        page.fill("#id_name", "Baglæns")
        page.fill("#id_starts_on", "2027-02-01")
        page.fill("#id_ends_on", "2027-01-01")
        page.click("main form button.button-primary")
        expect(page.locator("#id_ends_on_error")).to_have_count(1)
        problems += check_page(page, "programme form with errors")
        assert_fits(page, "programme form with errors")
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"programmes-form-errors-{size}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


def test_target_group_and_participants_are_picked_with_the_pickers(world, live_server, page):
    """The target group's named people and the participants to add are searched, not listed: a
    search finds a person (only within what the field accepts), ticking moves them to the chosen
    list, and saving stores them."""
    programme = world.programme_pages
    log_in(page, live_server.url, "hr")  # HR for Forvaltning Et only
    page.goto(urljoin(live_server.url, f"/programmes/{programme.pk}/target-group/"))
    results = page.locator("#id_employees__results")
    page.fill("#id_employees__q", "oskar")  # Forvaltning To: not this user's
    expect(results).to_contain_text("Ingen passer på “oskar”")
    page.fill("#id_employees__q", "carl")
    expect(results).to_contain_text("1–1 af 1 personer")
    results.locator("label").first.click()
    expect(page.locator("#id_employees [data-chosen]")).to_contain_text("Carl Colleague")
    page.click("main form button.button-primary")
    expect(page.locator("h1")).to_contain_text(programme.name)
    assert programme.target_lines.filter(employee=world.colleague).exists()
    page.goto(urljoin(live_server.url, f"/programmes/{programme.pk}/participants/"))
    problems = check_page(page, "participants with the picker")
    results = page.locator("#id_employees__results")
    page.fill("#id_employees__q", "carl")  # a participant already: not offered
    expect(results).to_contain_text("Ingen passer på “carl”")
    page.fill("#id_employees__q", "mette")
    expect(results).to_contain_text("Mette Manager")
    results.locator("label").first.click()
    page.click("main form[method=post]:not([action]) button.button-primary")
    expect(page.locator(".alert-success").first).to_be_visible()
    assert programme.participants.filter(employee=world.manager_employee).exists()
    assert not problems, "\n".join(problems)
