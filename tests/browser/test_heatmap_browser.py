"""The heatmap in Chromium: the page stays within the viewport at 1280 and 390 px (the table
scrolls inside its own frame), the unit column and the header stay in view while it scrolls,
competences are grouped by framework with the version, and small screens get one card per unit."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from kapabel.competences.models import Profile, ProfileTarget, Status
from tests.browser.layout import WIDTHS, at_width, page_overflow
from tests.browser.test_accessibility import check_page, log_in
from tests.gaps import writers
from tests.gaps.data import make_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECOND = [f"Kompetence med et langt navn nummer {n}" for n in range(1, 9)]


@pytest.fixture
def wide(world):
    """A second framework with eight more targeted competences: twelve columns in two groups."""
    version, competences = make_framework(world.a, "Digital omstilling", SECOND)
    profile = Profile.objects.create(
        municipality=world.a,
        framework_version=version,
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_a,
        name="Digital sagsbehandler",
        status=Status.DRAFT,
    )
    for competence in competences:
        ProfileTarget.objects.create(
            profile=profile, competence=competence, target_level=3, importance="important"
        )
    writers.publish_profile(profile=profile)
    for person in (world.employee, world.colleague, world.manager_employee, world.outsider):
        writers.record_rating(employee=person, competence=competences[0], source="agreed", level=2)
    return world


def open_heatmap(page, live_server, world) -> None:
    log_in(page, live_server.url, "admin")
    page.goto(urljoin(live_server.url, f"/gaps/units/{world.a_root.pk}/"))


def test_heatmap_fits_the_viewport_and_is_accessible(wide, live_server, page):
    open_heatmap(page, live_server, wide)
    problems = []
    for width in WIDTHS:
        at_width(page, width)
        page.reload()
        assert page_overflow(page) <= 0, f"the heatmap page overflows at {width} px"
        problems += check_page(page, f"heatmap at {width}")
    assert not problems, "\n".join(problems)


def test_competences_are_grouped_by_framework_with_the_version(wide, live_server, page):
    open_heatmap(page, live_server, wide)
    groups = page.locator("#gap-heatmap thead th[scope=colgroup]")
    expect(groups).to_have_count(2)
    expect(groups.nth(0)).to_contain_text("Fremtidens administrative medarbejder version 1")
    expect(groups.nth(1)).to_contain_text("Digital omstilling version 1")
    assert groups.nth(1).get_attribute("colspan") == "8"
    expect(page.locator(".gap-cards")).to_be_hidden()


def test_unit_column_and_header_stay_in_view_while_the_table_scrolls(wide, live_server, page):
    page.set_viewport_size({"width": 1280, "height": 560})
    open_heatmap(page, live_server, wide)
    frame = page.locator(".gap-scroll")
    sizes = frame.evaluate("el => [el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]")
    assert sizes[0] > sizes[1] and sizes[2] > sizes[3], f"the table should scroll both ways: {sizes}"
    frame.evaluate("el => { el.scrollLeft = 600; el.scrollTop = 150; }")
    box = frame.bounding_box()
    unit = page.locator("#gap-heatmap tbody th[scope=row]").last.bounding_box()
    corner = page.locator("#gap-heatmap .gap-corner").bounding_box()
    header = page.locator("#gap-heatmap thead").bounding_box()
    assert abs(unit["x"] - box["x"]) <= 2, (unit, box)  # the unit names stay at the left edge
    assert abs(header["y"] - box["y"]) <= 2, (header, box)  # the header stays at the top
    assert abs(corner["x"] - box["x"]) <= 2 and abs(corner["y"] - box["y"]) <= 2
    expect(page.locator("#gap-heatmap tbody th[scope=row]").last).to_be_visible()


def test_small_screens_get_a_card_per_unit(wide, live_server, page):
    at_width(page, 390)
    open_heatmap(page, live_server, wide)
    expect(page.locator(".gap-table-view")).to_be_hidden()
    cards = page.locator(".gap-card")
    expect(cards).to_have_count(3)  # the municipality (total) and its two departments
    first = cards.nth(0)
    expect(first).to_have_attribute("open", "")
    expect(first).to_contain_text("Digital omstilling · version 1")
    expect(first).to_contain_text(SECOND[0])
    second = cards.nth(1)
    second.locator("summary").click()
    expect(
        second.get_by_role("link", name="Gap-analyse for Forvaltning Et og enhederne under")
    ).to_be_visible()


def test_expanding_a_unit_adds_its_rows(wide, live_server, page):
    open_heatmap(page, live_server, wide)
    page.get_by_role("button", name="Vis enhederne under Forvaltning Et").click()
    expect(page.locator("#gap-heatmap tbody th[scope=row]", has_text="Center Et")).to_be_visible()
    expect(page.get_by_role("button", name="Vis enhederne under Forvaltning Et")).to_have_attribute(
        "aria-expanded", "true"
    )
