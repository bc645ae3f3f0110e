"""The competence tree editor in Chromium: compact actions named in full for screen readers,
keyboard and drag-and-drop reordering, inline edit and add, a confirmation before removing; axe
and no horizontal page overflow at 1280 and 390 px."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from kapabel.competences.models import Competence
from tests.browser.layout import WIDTHS, at_width, page_overflow
from tests.browser.test_accessibility import check_page, log_in
from tests.competences.factories import make_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def order(area) -> list[int]:
    return list(
        Competence.objects.filter(parent=area).order_by("position", "id").values_list("pk", flat=True)
    )


@pytest.fixture
def draft(world):
    framework, version, area, items = make_framework(world.a, competences=3)
    return framework, version, area, items


def open_editor(page, live_server, framework) -> None:
    log_in(page, live_server.url, "admin")
    page.goto(urljoin(live_server.url, f"/frameworks/{framework.pk}/"))


def test_editor_is_compact_accessible_and_fits(world, live_server, page, draft):
    framework, _version, _area, items = draft
    open_editor(page, live_server, framework)
    # The visible text is short; the full name is there for screen readers only.
    visible = page.eval_on_selector(
        f"#edit-{items[0].pk}",
        "el => Array.from(el.children).filter(c => !c.classList.contains('sr-only'))"
        ".map(c => c.textContent).join('').trim()",
    )
    assert visible == "Rediger"
    expect(page.get_by_role("link", name=f"Rediger {items[0].name_da}")).to_have_count(1)
    expect(page.get_by_role("button", name=f"Flyt {items[1].name_da} op")).to_have_count(1)
    problems = []
    for width in WIDTHS:
        at_width(page, width)
        page.reload()
        problems += check_page(page, f"editor at {width}")
        assert page_overflow(page) <= 0, f"page overflows at {width} px"
        page.click(f"#edit-{items[1].pk}")
        expect(page.locator(f"#panel-{items[1].pk} form")).to_be_visible()
        problems += check_page(page, f"inline edit at {width}")
        assert page_overflow(page) <= 0, f"inline form overflows at {width} px"
        page.click(f"#delete-{items[1].pk}")
        expect(page.locator(f"#panel-{items[1].pk} .ctree-confirm")).to_be_visible()
        problems += check_page(page, f"remove confirmation at {width}")
    assert not problems, "\n".join(problems)


def test_keyboard_reorder_keeps_focus_and_announces(world, live_server, page, draft):
    framework, _version, area, items = draft
    open_editor(page, live_server, framework)
    page.focus(f"#up-{items[2].pk}")
    page.keyboard.press("Enter")
    expect(page.locator("#competence-tree-status")).to_contain_text(f"{items[2].name_da} blev flyttet op")
    assert order(area) == [items[0].pk, items[2].pk, items[1].pk]
    expect(page.locator(f"#up-{items[2].pk}")).to_be_focused()
    page.keyboard.press("Enter")  # again, without hunting for the button
    expect(page.locator(f"#up-{items[2].pk}")).to_be_disabled()
    assert order(area) == [items[2].pk, items[0].pk, items[1].pk]
    # At the top the up button is disabled, so focus moves to its down button.
    expect(page.locator(f"#down-{items[2].pk}")).to_be_focused()


def test_drag_and_drop_reorders_siblings(world, live_server, page, draft):
    framework, _version, area, items = draft
    open_editor(page, live_server, framework)
    target = page.locator(f"#competence-{items[2].pk} > .ctree-row")
    box = target.bounding_box()
    page.drag_and_drop(
        f"#competence-{items[0].pk} > .ctree-row .ctree-handle",
        f"#competence-{items[2].pk} > .ctree-row",
        target_position={"x": 20, "y": box["height"] - 4},  # lower half: after it
    )
    expect(page.locator("#competence-tree-status")).to_contain_text(f"{items[0].name_da} blev flyttet")
    assert order(area) == [items[1].pk, items[2].pk, items[0].pk]
    titles = page.locator(f"#competence-{area.pk} .ctree .ctree-title strong").all_inner_texts()
    assert titles == [items[1].name_da, items[2].name_da, items[0].name_da]


def test_inline_edit_add_and_confirmed_remove(world, live_server, page, draft):
    framework, _version, area, items = draft
    open_editor(page, live_server, framework)
    # Edit inline: the panel opens with focus on its heading; saving swaps the tree.
    page.click(f"#edit-{items[0].pk}")
    expect(page.locator(f"#panel-{items[0].pk}-title")).to_be_focused()
    page.fill(f"#panel-{items[0].pk} #id_name_da", "Omdøbt kompetence")
    page.click(f"#panel-{items[0].pk} button[type=submit]")
    expect(page.locator("#competence-tree-status")).to_contain_text("Omdøbt kompetence blev gemt")
    assert Competence.objects.get(pk=items[0].pk).name_da == "Omdøbt kompetence"
    expect(page.locator(f"#edit-{items[0].pk}")).to_be_focused()
    # An invalid save keeps the panel open with the error.
    page.click(f"#add-{area.pk}")
    page.click(f"#panel-{area.pk} button[type=submit]")
    expect(page.locator(f"#panel-{area.pk} .form-error-message")).to_be_visible()
    page.fill(f"#panel-{area.pk} #id_name_da", "Ny underkompetence")
    page.click(f"#panel-{area.pk} button[type=submit]")
    expect(page.locator("#competence-tree-status")).to_contain_text("Ny underkompetence blev tilføjet")
    new = Competence.objects.get(name_da="Ny underkompetence")
    assert new.parent_id == area.pk and order(area)[-1] == new.pk
    # Removing asks first; cancel closes the panel and returns focus to the opener.
    page.click(f"#delete-{items[1].pk}")
    page.click(f"#panel-{items[1].pk} [data-panel-cancel]")
    expect(page.locator(f"#panel-{items[1].pk}")).to_be_empty()
    expect(page.locator(f"#delete-{items[1].pk}")).to_be_focused()
    assert Competence.objects.filter(pk=items[1].pk).exists()
    page.click(f"#delete-{items[1].pk}")
    page.click(f"#confirm-delete-{items[1].pk}")
    expect(page.locator("#competence-tree-status")).to_contain_text(f"{items[1].name_da} blev fjernet")
    assert not Competence.objects.filter(pk=items[1].pk).exists()
    expect(page.locator(f"#competence-{items[1].pk}")).to_have_count(0)


def test_profile_page_has_an_edit_button(world, live_server, page):
    from kapabel.competences import services

    _framework, version, _area, items = make_framework(world.a, publish=True)
    profile = services.profile_create(
        municipality=world.a, framework_version=version, name="Ideal", actor="t"
    )
    log_in(page, live_server.url, "admin")
    page.goto(urljoin(live_server.url, f"/frameworks/profiles/{profile.pk}/"))
    page.get_by_role("link", name="Rediger profil").click()
    page.fill("#id_name", "Ideal 2026")
    page.select_option(f"#t-{profile.pk}-{items[0].pk}", "3")
    problems = check_page(page, "profile edit")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Ideal 2026")
    profile.refresh_from_db()
    assert profile.name == "Ideal 2026" and profile.targets.get().target_level == 3
    for width in WIDTHS:
        at_width(page, width)
        page.goto(urljoin(live_server.url, f"/frameworks/profiles/{profile.pk}/edit/"))
        assert page_overflow(page) <= 0, f"profile edit overflows at {width} px"
    assert not problems, "\n".join(problems)
