import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions on error texts read the English source strings."""
    with translation.override("en"):
        yield
