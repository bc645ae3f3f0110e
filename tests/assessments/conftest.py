import pytest

from tests.assessments.factories import build_assessment_world


@pytest.fixture
def aw(world):
    """The assessment world on top of the organisation world."""
    return build_assessment_world(world)
