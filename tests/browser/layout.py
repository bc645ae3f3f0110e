"""Layout checks shared by the browser tests: no horizontal page overflow (WCAG 1.4.10 reflow)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from playwright.sync_api import Error as PlaywrightError

WIDTHS = (1280, 390)
# What Chromium says when a script reads a document that a navigation is replacing.
NAVIGATING = ("Execution context was destroyed", "reading 'documentElement'", "Cannot find context")
T = TypeVar("T")


def settled(page, read: Callable[[], T]) -> T:
    """`read()` (axe, a measurement) on the page's loaded document. A click just before may still be
    navigating, so the document can vanish under the script (on a busy machine): that read is done
    again once the new page has loaded, up to three times. Any other error is raised at once."""
    for attempt in range(3):
        page.wait_for_load_state()
        try:
            return read()
        except PlaywrightError as exc:
            if attempt == 2 or not any(sign in str(exc) for sign in NAVIGATING):
                raise
            page.wait_for_timeout(200)
    raise AssertionError("unreachable")


def page_overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0 when it fits). Content may scroll
    inside its own container; the page itself must not."""
    return settled(page, lambda: page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def at_width(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
