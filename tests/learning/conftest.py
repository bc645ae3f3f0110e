import pytest
from django.utils import translation

from tests.learning.factories import build_learning_world


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the Danish ones have their own tests."""
    with translation.override("en"):
        yield


@pytest.fixture
def lw(world):
    """The learning world on top of the organisation world."""
    return build_learning_world(world)
