import pytest

from tests.learning.factories import build_learning_world


@pytest.fixture
def lw(world):
    """The learning world on top of the organisation world."""
    return build_learning_world(world)
