"""The change announcements from lower apps reach the apps that keep derived data (here: gaps)."""

import pytest

from kapabel.core import announce
from kapabel.gaps import upkeep


def test_the_gap_upkeep_listens_for_changes():
    assert upkeep in announce.listeners()


def test_a_change_announced_with_no_listener_is_an_error(monkeypatch):
    """A derived view that silently stops following its inputs is the failure this guards against."""
    monkeypatch.setattr(announce, "_listeners", [])
    with pytest.raises(announce.NoListener):
        announce.employees_changed([1])
    with pytest.raises(announce.NoListener), announce.suspended():
        pass


def test_announcements_reach_every_listener_in_order(monkeypatch):
    heard = []

    class Listener:
        def __init__(self, name):
            self.name = name

        def employees_changed(self, ids):
            heard.append((self.name, ids))

    monkeypatch.setattr(announce, "_listeners", [Listener("a"), Listener("b")])
    announce.employees_changed(iter([3, 4]))
    assert heard == [("a", [3, 4]), ("b", [3, 4])]
