"""axe-core in Chromium on every page reachable from the navigation, as every persona: no
violation of the WCAG 2.1 A and AA rules, and no page wider than the viewport at 1280 and 390 px.
A failure names the rule and the elements."""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.layout import WIDTHS, at_width, page_overflow, settled
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SKIP_PREFIXES = ("/account/logout", "/i18n/", "/api/", "/static/")
FILES = (".ics", ".xlsx", ".csv", ".json", ".pdf", ".zip")  # downloads, not pages
MAX_PAGES = 40
axe = Axe()


def check_page(page, url: str) -> list[str]:
    results = settled(page, lambda: axe.run(page, options=WCAG_21_AA))
    problems = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        problems.append(f"{url}: {violation['id']} ({violation['help']}) at {targets}")
    return problems


def overflow_problems(page, path: str) -> list[str]:
    """The page fits the viewport at each width (WCAG 1.4.10): content scrolls in its own box."""
    problems = []
    for width in WIDTHS:
        at_width(page, width)
        if (overflow := page_overflow(page)) > 0:
            problems.append(f"{path}: {overflow} px wider than the viewport at {width} px")
    at_width(page, WIDTHS[0])
    return problems


def crawl(page, base: str, start: str = "/") -> tuple[list[str], list[str]]:
    """Breadth-first over same-site links from the start page; axe on each page."""
    queue, seen, problems = [start], set(), []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(urljoin(base, path))
        assert response is not None and response.status < 500, (
            f"{path} answered {response and response.status}"
        )
        problems += check_page(page, path)
        problems += overflow_problems(page, path)
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
        ):
            target = urlparse(urljoin(base + path, href))
            if (
                target.netloc != urlparse(base).netloc
                or target.path.startswith(SKIP_PREFIXES)
                or target.path.endswith(FILES)
                or "export=" in target.query
            ):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen and "page=" not in link:
                queue.append(link)
    return sorted(seen), problems


def log_in(page, base: str, username: str) -> None:
    page.goto(urljoin(base, "/account/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(urljoin(base, "/"))


@pytest.mark.parametrize(
    "persona",
    ["employee", "manager", "hr", "coordinator", "admin", "platform_admin", "other_municipality_admin"],
)
def test_every_page_has_no_wcag_violations(world, live_server, page, persona):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, live_server.url, world.user(persona).username)
    visited, problems = crawl(page, live_server.url)
    assert len(visited) >= 2, visited
    assert not problems, "\n".join(problems)
    # Everything the pages load comes from Kapabel itself: no CDN, no third party.
    foreign = {url for url in requested if not url.startswith((live_server.url, "data:"))}
    assert not foreign, foreign


def test_public_pages_have_no_wcag_violations(world, live_server, page):
    problems = []
    for path in ["/account/login/", "/tilgaengelighed/", "/findes-ikke/"]:
        page.goto(urljoin(live_server.url, path))
        problems += check_page(page, path)
    assert not problems, "\n".join(problems)


def test_forms_with_errors_have_no_wcag_violations(world, live_server, page):
    """Error states matter as much as the happy path: a failed login and an invalid form."""
    page.goto(urljoin(live_server.url, "/account/login/"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", "wrong password")
    page.click("main button[type=submit]")
    expect(page.locator("main .alert-error")).to_be_visible()  # the refused login has come back
    problems = check_page(page, "/account/login/ (failed)")
    log_in(page, live_server.url, "admin")
    page.goto(urljoin(live_server.url, f"/organisation/units/{world.team1.pk}/edit/"))
    page.fill("#id_name", "")
    page.click("main button[type=submit]")
    expect(page.locator(".form-error-message").first).to_be_attached()
    problems += check_page(page, "unit edit (invalid)")
    assert not problems, "\n".join(problems)


def test_shell_has_skip_link_language_switch_and_statement_link(world, live_server, page):
    log_in(page, live_server.url, "employee")
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.locator("a.skipnav").get_attribute("href") == "#main-content"
    assert page.locator("footer a[href='/tilgaengelighed/']").count() == 1
    page.click("footer button[name=language][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the click is still navigating
    expect(page.locator("h2#my-tasks")).to_have_text("My tasks")


def test_axe_reports_a_real_violation(page):
    """Guards the guard: the axe check above must be able to fail."""
    page.set_content(
        '<html lang="da"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>'
    )
    problems = check_page(page, "probe")
    assert any("image-alt" in problem for problem in problems), problems


def test_settled_reads_again_when_a_navigation_replaces_the_document(live_server, page):
    """Guards the guard: a read that loses its document to a navigation is done again on the new
    page; any other error is raised at once, so a real failure is never retried away."""
    page.goto(urljoin(live_server.url, "/account/login/"))
    calls: list[int] = []

    def read():
        calls.append(1)
        if len(calls) == 1:  # the document goes away while the script waits (10 s at most)
            return page.evaluate(
                "() => { location.reload();"
                " return new Promise(done => setTimeout(() => done('old'), 10000)); }"
            )
        return page.evaluate("document.documentElement.lang")

    assert settled(page, read) == "da" and len(calls) == 2

    def broken():
        calls.append(1)
        return page.evaluate("() => { throw new Error('a real failure'); }")

    calls.clear()
    with pytest.raises(PlaywrightError, match="a real failure"):
        settled(page, broken)
    assert len(calls) == 1
