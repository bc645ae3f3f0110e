"""Pages with tables at 390 px: a wide table scrolls inside its own box, the page itself never
scrolls sideways (WCAG 1.4.10 reflow). Issue 11 item 8 found Mine kompetencer, the person profile
and the framework pages too wide."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest

from kapabel.competences.models import Framework, Profile
from tests.browser.layout import WIDTHS, at_width, page_overflow
from tests.browser.test_accessibility import check_page, log_in

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def overflowing_pages(page, base: str, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(urljoin(base, path))
        assert response is not None and response.status == 200, path
        for width in WIDTHS:
            at_width(page, width)
            overflow = page_overflow(page)
            if overflow > 0:
                problems.append(f"{path} at {width} px: {overflow} px too wide: {page.evaluate(WIDEST)}")
            problems.extend(check_page(page, f"{path} at {width} px"))
        at_width(page, 1280)
    return problems


def test_the_employees_own_pages_fit_a_phone(world, live_server, page):
    log_in(page, live_server.url, "employee")
    problems = overflowing_pages(page, live_server.url, ["/clarification/mine/", "/gaps/me/"])
    assert not problems, "\n".join(problems)


def test_a_person_profile_fits_a_phone(world, live_server, page):
    log_in(page, live_server.url, "manager")
    paths = [f"/gaps/people/{world.employee.pk}/", f"/clarification/people/{world.employee.pk}/history/"]
    problems = overflowing_pages(page, live_server.url, paths)
    assert not problems, "\n".join(problems)


def test_the_framework_pages_fit_a_phone(world, live_server, page):
    log_in(page, live_server.url, "admin")
    framework = Framework.objects.filter(municipality=world.a).order_by("pk").first()
    assert framework is not None
    version = framework.versions.order_by("-pk").first()
    profile = Profile.objects.filter(framework_version=version).order_by("pk").first()
    paths = ["/frameworks/", f"/frameworks/{framework.pk}/", f"/frameworks/versions/{version.pk}/profiles/"]
    if profile is not None:
        paths.append(f"/frameworks/profiles/{profile.pk}/")
    problems = overflowing_pages(page, live_server.url, paths)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", ["employee", "platform_admin"])
def test_on_a_phone_the_menu_drawer_has_the_log_out_button(world, live_server, page, persona):
    """At 390 px the header's user block is hidden; the drawer shows who is logged in and logs out
    (also for a user whose menu is empty)."""
    log_in(page, live_server.url, persona)
    at_width(page, 390)
    assert not page.locator("header .portal-user").is_visible()
    page.click("header .js-menu-open")
    drawer = page.locator("header .mobile-drawer")
    drawer.locator(".portal-info-mobile button[type=submit]").wait_for(state="visible")
    assert persona.title() in drawer.inner_text()
    assert not check_page(page, f"the menu drawer of {persona} at 390 px")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"menu-drawer-{persona}-390.png"))
    drawer.locator(".portal-info-mobile button[type=submit]").click()
    page.wait_for_url(urljoin(live_server.url, "/account/login/*"))
    assert "Log ind" in page.locator("main").inner_text()
