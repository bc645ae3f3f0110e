"""The audit log and the data protection pages in Chromium at 1280 and 390 px: axe (WCAG 2.1 A and AA),
no horizontal page overflow (WCAG 1.4.10), the details toggle works, and screenshots for a human to
look at in docs/screenshots/."""

from __future__ import annotations

import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kapabel.core import audit
from kapabel.organisation import services as org
from kapabel.privacy import services as privacy
from tests.browser.test_accessibility import check_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": 1280, "mobile": 390}


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def look(page, name: str, width: str) -> list[str]:
    problems = check_page(page, f"{name} ({width})")
    extra = overflow(page)
    if extra > 0:
        problems.append(f"{name} ({width}): the page is {extra}px wider than the viewport")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The whole page, up to a height a person can take in (the log itself goes on for 50 entries).
    height = min(page.evaluate("document.documentElement.scrollHeight"), 2400)
    size = page.viewport_size or {"width": WIDTHS[width]}
    clip = {"x": 0, "y": 0, "width": size["width"], "height": height}
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True, clip=clip)
    return problems


@pytest.fixture
def history(world):
    """Some life in the log: a change with before → after, a read, a person who left long ago."""
    admin = world.user("admin")
    org.employee_update(employee=world.employee, name="Emma Hansen", unit=world.team2, actor=admin)
    audit.audit_read(world.user("manager"), world.employee, action="gaps.person.viewed")
    long_ago = timezone.localdate().replace(year=timezone.localdate().year - 7)
    org.employee_update(employee=world.outsider, active=False, employment_end=long_ago, actor=admin)
    privacy.retention_rule_create(
        municipality=world.a,
        years=5,
        valid_from=timezone.localdate() - datetime.timedelta(days=1),
        source="Byrådets beslutning af 12. marts 2026, sag 26/1234",
        actor=admin,
    )
    return world


@pytest.mark.parametrize("width", WIDTHS)
def test_audit_log_page(history, live_server, browser, width):
    context = browser.new_context(locale="da-DK", viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        log_in(page, live_server.url, "admin")
        page.goto(urljoin(live_server.url, "/audit/"))
        first = page.locator("details.audit-log__details").first
        assert not first.locator("dd").first.is_visible()
        first.locator("summary").click()
        expect(first.locator("code").first).to_be_visible()
        problems = look(page, "audit-log", width)
        page.goto(urljoin(live_server.url, "/audit/?person=Emma&kind=read"))
        assert "Åbnede en persons kompetenceprofil" in page.locator("main").inner_text()
        page.goto(urljoin(live_server.url, "/audit/?date_from=2030-01-02&date_to=2030-01-01"))
        problems += check_page(page, f"audit log, invalid search ({width})")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_data_protection_pages(history, live_server, browser, width):
    context = browser.new_context(locale="da-DK", viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        log_in(page, live_server.url, "admin")
        page.goto(urljoin(live_server.url, "/privacy/?q=Emma"))
        problems = look(page, "privacy-search", width)
        page.click("main table a")
        page.wait_for_url("**/privacy/people/**")
        problems += look(page, "privacy-person", width)
        with page.expect_download() as download:
            page.click("text=Hent som regneark (XLSX)")
        assert download.value.suggested_filename.endswith(".xlsx")
        page.goto(urljoin(live_server.url, f"/privacy/people/{history.outsider.pk}/anonymise/"))
        page.click("main form[method=post] button[type=submit]")  # without confirming: an error
        page.wait_for_selector(".form-error-message")
        assert page.locator(".form-error-message").count() == 1
        problems += look(page, "privacy-anonymise", width)
        page.goto(urljoin(live_server.url, "/privacy/retention/"))
        assert "Oskar Outsider" in page.locator("main").inner_text()
        problems += look(page, "privacy-retention", width)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
