"""Issue 10 #9a: a campaign whose open date is after its close date is refused with a message on the
close-date field (service, HTML form and API), not a raw constraint error attached to no field."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kapabel.assessments import services
from kapabel.assessments.models import Campaign

pytestmark = pytest.mark.django_db


def dates():
    today = timezone.localdate()
    return today + datetime.timedelta(days=10), today + datetime.timedelta(days=3)


def test_service_names_the_close_date(world, aw):
    opens, closes = dates()
    with pytest.raises(ValidationError) as info:
        services.campaign_create(
            municipality=world.a,
            name="Baglæns",
            kind=Campaign.Kind.INDIVIDUAL,
            framework_version=aw.version_a,
            opens_on=opens,
            closes_on=closes,
            scope=services.Scope(units=[(world.team1, True)]),
            actor=world.user("admin"),
        )
    assert list(info.value.message_dict) == ["closes_on"]
    assert not Campaign.objects.filter(name="Baglæns").exists()


def test_html_form_shows_the_error_on_the_close_date(world, aw, login):
    opens, closes = dates()
    response = login(world.user("admin")).post(
        reverse("assessments:campaign_create"),
        {
            "name": "Baglæns",
            "kind": "individual",
            "framework_version": aw.version_a.pk,
            "opens_on": opens.isoformat(),
            "closes_on": closes.isoformat(),
            "units": [world.team1.pk],
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["closes_on"] and not form.non_field_errors()
    assert not Campaign.objects.filter(name="Baglæns").exists()


def test_api_answers_422_with_the_field(world, aw, login):
    opens, closes = dates()
    response = login(world.user("admin")).post(
        "/api/v1/campaigns",
        json.dumps(
            {
                "municipality_id": world.a.pk,
                "name": "Baglæns",
                "framework_version_id": aw.version_a.pk,
                "opens_on": opens.isoformat(),
                "closes_on": closes.isoformat(),
                "unit_ids": [world.team1.pk],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["closes_on"]
