"""The learning pages in Chromium: an employee requests a place and their manager approves it, at
1280 px and at 390 px, with no horizontal scrolling; axe (WCAG 2.1 A and AA) on every learning page
each persona reaches from the menu, including the forms' error states. With KAPABEL_SCREENSHOTS set
to a directory, screenshots of the catalogue, a cohort page and "Min læring" are written there."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import expect

from kapabel.learning.models import Enrolment, EnrolmentStatus
from tests.browser.test_accessibility import check_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "phone": 390}
LEARNING_MENU = ("/learning/catalogue/", "/learning/mine/", "/learning/team/", "/learning/cohorts/")


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def overflowing(page) -> list[str]:
    """The elements wider than the window (for a useful failure message)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )


def assert_fits(page, where: str) -> None:
    assert no_horizontal_overflow(page), f"{where} scrolls sideways: {overflowing(page)}"


def log_out(page) -> None:
    """Forget the session (the header's log-out button sits in the menu drawer on a phone)."""
    page.context.clear_cookies()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_request_then_manager_approves(world, live_server, browser, size):
    context = browser.new_context(locale="da-DK", viewport={"width": WIDTHS[size], "height": 900})
    page = context.new_page()
    base = live_server.url
    problems: list[str] = []
    log_in(page, base, "employee")
    page.goto(urljoin(base, "/learning/catalogue/"))
    assert_fits(page, "catalogue")
    # Search as you type (HTMX): the results follow.
    page.fill("#id_q", "kommunikation med borgere")
    expect(page.locator(".learning-offer")).to_have_count(1)
    assert_fits(page, "catalogue (searched)")
    problems += check_page(page, "catalogue (searched)")
    page.click(".learning-offer a")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Kommunikation med borgere"
    assert_fits(page, "offer page")
    page.click("main table a[href*='/catalogue/cohorts/']")
    page.wait_for_selector("#my-place")
    assert_fits(page, "cohort page")
    page.fill("#request-note", "Jeg skriver mange breve til borgerne.")
    page.click("section[aria-labelledby=my-place] button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "sendt til din leder" in page.locator(".alert-success").inner_text()
    problems += check_page(page, "cohort page (requested)")
    enrolment = Enrolment.objects.get(cohort=world.learning_pages.lw.cohort, employee=world.employee)
    assert enrolment.status == EnrolmentStatus.AWAITING_MANAGER
    log_out(page)

    log_in(page, base, "manager")
    page.goto(urljoin(base, "/learning/team/"))
    assert_fits(page, "approvals")
    problems += check_page(page, "approvals")
    row = page.locator("#approval-queue tbody tr", has_text="Kommunikation med borgere")
    row.locator("button", has_text="Godkend").click()
    page.wait_for_selector(".alert-success")
    assert "Emma Employee er tilmeldt" in page.locator(".alert-success").inner_text()
    assert_fits(page, "approvals (approved)")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.BOOKED
    page.goto(urljoin(base, "/learning/team/calendar/"))
    assert "Emma Employee" in page.locator("main").inner_text()
    assert_fits(page, "team calendar")
    log_out(page)

    log_in(page, base, "employee")
    page.goto(urljoin(base, "/learning/mine/"))
    assert "Kommunikation med borgere" in page.locator("section[aria-labelledby=bookings]").inner_text()
    assert_fits(page, "Min læring")
    context.close()
    assert not problems, "\n".join(problems)


def crawl_learning(page, base: str) -> tuple[list[str], list[str]]:
    """Breadth-first over the learning pages reachable from the learning menu entries; axe on each.
    Two pages of each shape (the same path but for its ids) are enough: one cohort page stands for
    all cohort pages."""
    queue, seen, problems = list(LEARNING_MENU), set(), []
    shapes: dict[str, int] = {}
    while queue and len(seen) < 40:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path.split("?")[0])
        if path in seen or shapes.get(shape, 0) >= 2:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = page.goto(urljoin(base, path))
        assert response is not None and response.status < 500, (
            f"{path} answered {response and response.status}"
        )
        if response.status >= 400:
            continue  # a menu entry this persona does not have
        problems += check_page(page, path)
        for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlparse(urljoin(base + path, href))
            if target.netloc != urlparse(base).netloc or not target.path.startswith("/learning/"):
                continue
            if target.path.endswith(".ics"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen and "page=" not in link:
                queue.append(link)
    return sorted(seen), problems


@pytest.mark.parametrize("persona", ["employee", "manager", "hr", "admin", "other_municipality_admin"])
def test_learning_pages_have_no_wcag_violations(world, live_server, page, persona):
    log_in(page, live_server.url, world.user(persona).username)
    visited, problems = crawl_learning(page, live_server.url)
    assert any(p.startswith("/learning/catalogue/") for p in visited), visited
    assert not problems, "\n".join(problems)


def test_learning_pages_reached_with_data(world, live_server, page):
    """HR reaches the deep pages: cohort, attendance, edit, cancel confirmation, bulk booking."""
    log_in(page, live_server.url, "hr")
    visited, problems = crawl_learning(page, live_server.url)
    for part in ("/catalogue/cohorts/", "/attendance/", "/edit/", "/cancel/", "/book/", "/catalogue/offers/"):
        assert any(part in p for p in visited), (part, visited)
    assert not problems, "\n".join(problems)


def test_learning_forms_with_errors_are_accessible(world, live_server, page):
    log_in(page, live_server.url, "hr")
    page.goto(urljoin(live_server.url, "/learning/cohorts/new/"))
    page.fill("#id_capacity", "")
    page.click("main button[type=submit]")
    page.wait_for_selector(".form-error-message")
    problems = check_page(page, "new cohort (invalid)")
    log_out(page)
    log_in(page, live_server.url, "manager")
    page.goto(urljoin(live_server.url, "/learning/team/"))
    page.locator("#approval-queue a", has_text="Afvis").first.click()
    page.click("main button[type=submit]")
    page.wait_for_selector(".form-error-message")
    problems += check_page(page, "decline (no reason)")
    assert not problems, "\n".join(problems)


SHOTS = os.environ.get("KAPABEL_SCREENSHOTS", "")


@pytest.mark.skipif(not SHOTS, reason="set KAPABEL_SCREENSHOTS to a directory to write the screenshots")
@pytest.mark.parametrize("size", list(WIDTHS))
def test_screenshots(world, live_server, browser, size):
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    data = world.learning_pages
    shots = [
        ("employee", "/learning/catalogue/", "catalogue"),
        ("employee", f"/learning/catalogue/cohorts/{data.economy_cohort.pk}/", "cohort"),
        ("hr", f"/learning/catalogue/cohorts/{data.holiday.pk}/", "cohort-hr"),
        ("employee", "/learning/mine/", "min-laering"),
    ]
    context = browser.new_context(locale="da-DK", viewport={"width": WIDTHS[size], "height": 900})
    page = context.new_page()
    who = None
    for persona, path, name in shots:
        if persona != who:
            if who is not None:
                log_out(page)
            log_in(page, live_server.url, persona)
            who = persona
        page.goto(urljoin(live_server.url, path))
        page.screenshot(path=str(out / f"{name}-{WIDTHS[size]}.png"), full_page=True)
        assert_fits(page, name)
    context.close()
