"""The access walk again, with gap-analysis data present, so every gap page and API route has
figures and names to leak if it were scoped wrongly."""

from __future__ import annotations

import pytest

from tests.core import test_access_walk as walk


@pytest.mark.parametrize("persona", walk.PERSONAS)
def test_gap_pages_and_api_are_scoped_with_data(world, gaps, client, persona):
    walk.test_every_url_pattern_is_scoped(world, client, persona)
    walk.test_every_api_route_is_scoped(world, client, persona)
