"""Layout checks shared by the browser tests: no horizontal page overflow (WCAG 1.4.10 reflow)."""

from __future__ import annotations

WIDTHS = (1280, 390)


def page_overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0 when it fits). Content may scroll
    inside its own container; the page itself must not."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def at_width(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
