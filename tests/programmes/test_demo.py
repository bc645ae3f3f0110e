"""The programmes demo step invents no national figures: every funding rule it leaves is a seeded,
sourced row, and the 2016 phases of KAMBU are reported as lacking a jobrotation rate."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from kapabel.programmes.models import Programme, SchemeParameter
from kapabel.programmes.seed import PARAMETERS
from kapabel.programmes.selectors.report import programme_report

pytestmark = pytest.mark.django_db


def test_demo_uses_only_sourced_national_rates():
    call_command("demo", employees=120, seed=1)
    stored = {
        (p.scheme.kind, p.key, p.valid_from.isoformat(), p.source)
        for p in SchemeParameter.objects.select_related("scheme")
    }
    seeded = {(kind, key, valid_from, source) for kind, key, _v, valid_from, _to, source in PARAMETERS}
    assert stored == seeded
    kambu = Programme.objects.get(name__startswith="KAMBU –")
    with translation.override("en"):
        warnings = programme_report(kambu, names=True)["warnings"]
    assert any("Jobrotation, which has no rules in force" in w and "2016" in w for w in warnings), warnings
