"""The unit tree and people pickers on the campaign and consultation forms, in Chromium: axe, no
horizontal page overflow at 1280 and 390 px, keyboard use, and a search that never shows people
outside the acting user's scope."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from kapabel.assessments.models import Campaign
from tests.browser.layout import WIDTHS, at_width, page_overflow
from tests.browser.test_accessibility import check_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CREATE = "/clarification/campaigns/new/"


def test_campaign_form_pickers_are_accessible_and_fit(world, live_server, page):
    log_in(page, live_server.url, "admin")
    problems = []
    for width in WIDTHS:
        at_width(page, width)
        page.goto(urljoin(live_server.url, CREATE))
        problems += check_page(page, f"campaign form at {width}")
        assert page_overflow(page) <= 0, f"campaign form overflows at {width} px"
        page.fill("#id_employees__q", "a")
        expect(page.locator("#id_employees__results")).to_contain_text("af")
        page.locator("#id_employees__results label").first.click()
        expect(page.locator("[data-chosen-count]")).to_have_text("1")
        problems += check_page(page, f"campaign form with a choice at {width}")
        assert page_overflow(page) <= 0, f"campaign form with a choice overflows at {width} px"
    assert not problems, "\n".join(problems)


def test_people_search_stays_in_scope_and_saves_the_choice(world, live_server, page):
    log_in(page, live_server.url, "hr")  # HR for Forvaltning Et only
    page.goto(urljoin(live_server.url, CREATE))
    results = page.locator("#id_employees__results")
    expect(results).to_contain_text("Emma Employee")  # the first page, before any search
    expect(results).not_to_contain_text("Oskar Outsider")
    page.fill("#id_employees__q", "Oskar")
    expect(results).to_contain_text("Ingen passer på “Oskar”")
    page.fill("#id_employees__q", "Bente")  # another municipality
    expect(results).to_contain_text("Ingen passer på “Bente”")
    page.fill("#id_employees__q", "emma")
    expect(results).to_contain_text("1–1 af 1 personer")
    # Screen readers hear the count from the picker's own live region.
    expect(page.locator("[data-picker-announce]")).to_have_text("1–1 af 1 personer, der passer på “emma”")
    expect(results).to_contain_text("Sagsbehandler Aby")  # job title and unit tell namesakes apart
    expect(results).to_contain_text("Team Alfa")
    # Keyboard: from the search box to the result, Space ticks it and it moves to the chosen list.
    page.focus("#id_employees__q")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(f"#id_employees_{world.employee.pk}")).to_be_focused()
    page.keyboard.press("Space")
    chosen = page.locator("[data-chosen]")
    expect(chosen).to_contain_text("Emma Employee")
    expect(page.locator("[data-picker-announce]")).to_have_text("Emma Employee er valgt.")
    # A new search keeps the choice and does not offer Emma again.
    page.fill("#id_employees__q", "")
    expect(results).not_to_contain_text("Emma Employee")
    expect(chosen).to_contain_text("Emma Employee")
    # Enter in the search box searches; it does not submit the form.
    page.fill("#id_employees__q", "carl")
    page.keyboard.press("Enter")
    expect(results).to_contain_text("Carl Colleague")
    assert page.url.endswith(CREATE)
    page.fill("#id_name", "Med plukkede personer")
    page.select_option("#id_framework_version", index=1)
    page.fill("#id_closes_on", "2099-12-31")
    page.click("main form button.button-primary")
    expect(page.locator("h1")).to_have_text("Med plukkede personer")
    campaign = Campaign.objects.get(name="Med plukkede personer")
    assert campaign.participant_count == 1


def test_unit_tree_by_keyboard(world, live_server, page):
    log_in(page, live_server.url, "admin")
    page.goto(urljoin(live_server.url, CREATE))
    toggle = page.locator(f"[aria-controls=id_units__below_{world.forvaltning1.pk}]")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    centre = page.locator(f"#id_units_{world.centre1.pk}")
    expect(centre).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    centre.focus()
    page.keyboard.press("Space")
    summary = page.locator("[data-unit-summary]")
    expect(summary).to_have_text("Valgt: Center Et med underenheder")
    # Choosing a unit with the units below marks them as covered.
    page.locator(f"[aria-controls=id_units__below_{world.centre1.pk}]").click()
    covered = page.locator(f"[data-unit='{world.team1.pk}'] [data-unit-covered]")
    expect(covered).to_be_visible()
    centre.focus()
    page.keyboard.press("Tab")  # to "with the units below"
    expect(page.locator(f"#id_units_{world.centre1.pk}_subtree")).to_be_focused()
    page.keyboard.press("Space")
    expect(summary).to_have_text("Valgt: Center Et")
    expect(covered).to_be_hidden()


def test_consultation_form_picker(world, live_server, page):
    from kapabel.competences import services
    from tests.competences.factories import make_framework

    _framework, version, _area, _items = make_framework(world.a, publish=True)
    profile = services.profile_create(
        municipality=world.a, framework_version=version, name="Ideal", actor="t"
    )
    log_in(page, live_server.url, "hr")
    problems = []
    for width in WIDTHS:
        at_width(page, width)
        page.goto(urljoin(live_server.url, f"/frameworks/profiles/{profile.pk}/consult/"))
        problems += check_page(page, f"consultation form at {width}")
        assert page_overflow(page) <= 0, f"consultation form overflows at {width} px"
    page.fill("#id_participants__q", "oskar")
    expect(page.locator("#id_participants__results")).to_contain_text("Ingen passer")
    page.fill("#id_participants__q", "carl")
    page.locator("#id_participants__results label").first.click()
    page.click("main form button.button-primary")
    expect(page.locator("main")).to_contain_text("Udkastet er sendt i høring.")
    consultation = profile.consultations.get()
    assert list(consultation.participants.all()) == [world.colleague]
    assert not problems, "\n".join(problems)
