"""The dialogue pages in Chromium: the employee prepares privately, the manager books and records a
dialogue and confirms the plan, at 1280 px and 390 px with no sideways scrolling; axe (WCAG 2.1 A and
AA) on every dialogue page each persona reaches, including a form's error state. With
KAPABEL_SCREENSHOTS set to a directory, screenshots are written there."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from kapabel.dialogues.models import Dialogue, Plan
from tests.browser.test_accessibility import check_page, log_in
from tests.browser.test_learning_browser import WIDTHS, assert_fits, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENU = ("/dialogues/", "/dialogues/team/", "/dialogues/coverage/")


def crawl_dialogues(page, base: str, extra: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """The dialogue pages reachable from the dialogue menu entries and `extra` (two of each shape),
    with axe and the overflow check at the page's width."""
    queue, seen, problems = [*extra, *MENU], set(), []
    shapes: dict[str, int] = {}
    while queue and len(seen) < 30:
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
            continue
        problems += check_page(page, path)
        assert_fits(page, path)
        for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlparse(urljoin(base + path, href))
            if target.netloc != urlparse(base).netloc or not target.path.startswith("/dialogues/"):
                continue
            if target.path.endswith(".ics") or "format=" in target.query or "print=" in target.query:
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen:
                queue.append(link)
    return sorted(seen), problems


@pytest.mark.parametrize("persona", ["employee", "manager", "hr", "admin"])
@pytest.mark.parametrize("size", list(WIDTHS))
def test_dialogue_pages_are_accessible_and_fit(world, live_server, browser, persona, size):
    context = browser.new_context(locale="da-DK", viewport={"width": WIDTHS[size], "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, world.user(persona).username)
    data = world.dialogue_pages
    # The deep pages a manager reaches (a plan, a team dialogue), and which others must not.
    extra = (f"/dialogues/plans/{data.plan.pk}/", f"/dialogues/groups/{data.group.pk}/")
    visited, problems = crawl_dialogues(page, live_server.url, extra)
    context.close()
    if persona in ("manager", "hr"):
        for part in ("/dialogues/cycles/", "/dialogues/coverage/"):
            assert any(part in p for p in visited), (part, visited)
    if persona == "manager":
        assert any("/dialogues/plans/" in p for p in visited), visited
        assert any("/dialogues/groups/" in p for p in visited), visited
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", list(WIDTHS))
def test_prepare_book_record_and_confirm(world, live_server, browser, size):
    data = world.dialogue_pages
    context = browser.new_context(locale="da-DK", viewport={"width": WIDTHS[size], "height": 900})
    page = context.new_page()
    base = live_server.url
    problems: list[str] = []
    # The employee prepares; the text stays private.
    log_in(page, base, "employee")
    page.goto(urljoin(base, "/dialogues/"))
    assert_fits(page, "my dialogue")
    page.click("main table a[href*='/dialogues/']")
    page.wait_for_selector("#prep-heading")
    page.fill("#id_prep-notes", "Jeg vil gerne arbejde med klarsprog.")
    page.click("section[aria-labelledby=prep-heading] button[type=submit]")
    page.wait_for_selector(".alert-success")
    problems += check_page(page, "dialogue (prepared)")
    assert_fits(page, "dialogue (prepared)")
    log_out(page)
    # The manager books the colleague of another team... first a clash: the employee's time is taken.
    log_in(page, base, "manager")
    page.goto(urljoin(base, f"/dialogues/{data.dw.manager_dialogue.pk}/"))
    assert "klarsprog" not in page.content()
    page.goto(urljoin(base, f"/dialogues/{data.dw.dialogue.pk}/"))
    assert "klarsprog" not in page.content()
    page.goto(urljoin(base, f"/dialogues/{data.dw.dialogue.pk}/book/"))
    page.fill("#id_starts_at", "2000-01-01T10:00")
    page.fill("#id_ends_at", "2000-01-01T11:00")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".alert-error, .form-error-message")
    assert "vindue" in page.content()
    problems += check_page(page, "booking (outside the window)")
    assert_fits(page, "booking (outside the window)")
    # Record the employee's dialogue (booked) as held with an agreed level.
    page.goto(urljoin(base, f"/dialogues/{data.dw.dialogue.pk}/record/"))
    page.fill("#id_notes", "Vi talte om klarsprog og borgerbreve.")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert Dialogue.objects.get(pk=data.dw.dialogue.pk).state == "held"
    page.click("text=Start udviklingsplanen")
    page.wait_for_selector("#goals-heading")
    page.fill("#id_goal-title", "Skrive klart til borgerne")
    page.click("section[aria-labelledby=add-goal-heading] button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert_fits(page, "plan")
    problems += check_page(page, "plan")
    page.click("main form[action*='/confirm/'] button[type=submit]")
    page.wait_for_selector(".alert-success")
    plan = Plan.objects.get(dialogue=data.dw.dialogue)
    assert plan.manager_confirmed_version == plan.content_version
    context.close()
    assert not problems, "\n".join(problems)


SHOTS = os.environ.get("KAPABEL_SCREENSHOTS", "")


@pytest.mark.skipif(not SHOTS, reason="set KAPABEL_SCREENSHOTS to a directory to write the screenshots")
@pytest.mark.parametrize("size", list(WIDTHS))
def test_screenshots(world, live_server, browser, size):
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    data = world.dialogue_pages
    shots = [
        ("employee", "/dialogues/", "min-samtale"),
        ("employee", f"/dialogues/{data.dw.dialogue.pk}/", "samtale-medarbejder"),
        ("manager", f"/dialogues/cycles/{data.dw.cycle.pk}/", "samtalerunde-leder"),
        ("manager", f"/dialogues/plans/{data.plan.pk}/", "udviklingsplan"),
        ("hr", f"/dialogues/coverage/?unit={world.forvaltning1.pk}", "daekning"),
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
    # The printed plan, as its manager sees it.
    log_out(page)
    log_in(page, live_server.url, "manager")
    page.emulate_media(media="print")
    page.goto(urljoin(live_server.url, f"/dialogues/plans/{data.plan.pk}/"))
    page.screenshot(path=str(out / f"udviklingsplan-print-{WIDTHS[size]}.png"), full_page=True)
    context.close()
