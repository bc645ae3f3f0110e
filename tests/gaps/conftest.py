import pytest

from tests.gaps.data import build_gap_data


@pytest.fixture
def gaps(world):
    return build_gap_data(world)
