"""The main menu marks exactly one entry as the current section."""

from __future__ import annotations

import pytest

from kapabel.core.access import scope_for
from kapabel.core.navigation import menu_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/gaps/priorities/", "/gaps/priorities/"),
        ("/gaps/units/3/", "/gaps/"),
        ("/frameworks/consultations/", "/frameworks/consultations/"),
        ("/frameworks/consultations/7/", "/frameworks/consultations/"),
        ("/frameworks/3/", "/frameworks/"),
    ],
)
def test_one_menu_entry_is_current(world, path, expected):
    menu = menu_for(scope_for(world.user("admin")), path)
    assert [entry["href"] for entry in menu if entry["current"]] == [expected]


def test_the_start_page_marks_only_the_start_entry_if_there_is_one(world):
    menu = menu_for(scope_for(world.user("admin")), "/")
    assert [entry["href"] for entry in menu if entry["current"]] in ([], ["/"])
