import pytest
from django.utils import translation

from tests.dialogues.factories import build_dialogue_world


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the Danish catalogue has its own test."""
    with translation.override("en"):
        yield


@pytest.fixture
def dw(world):
    return build_dialogue_world(world)
