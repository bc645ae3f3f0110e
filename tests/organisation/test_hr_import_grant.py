"""Issue 10 #1: the HR import rewrites a whole municipality's organisation, so an HR consultant
granted one subtree may not start, see or confirm one — through the page or the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kapabel.core import tokens
from kapabel.organisation import permissions
from kapabel.organisation.models import HRImport
from tests.organisation.hr_import_helpers import p2l_files

pytestmark = pytest.mark.django_db


def test_subtree_hr_may_not_import_through_the_api_or_touch_an_import(world, client, login):
    hr = world.user("hr")  # HR for Forvaltning 1's subtree only
    assert not permissions.can_import_hr(hr, world.a.pk)
    token = tokens.token_create(user=hr, name="sync", scope="write", actor="tests")[1]
    auth = {"Authorization": f"Bearer {token}"}
    response = client.post(
        f"/api/v1/municipalities/{world.a.pk}/hr-imports",
        {"files": [SimpleUploadedFile(n, d) for n, d in p2l_files().items()]},
        headers=auth,
    )
    assert response.status_code == 403
    assert not HRImport.objects.exists()
    existing = HRImport.objects.create(municipality=world.a, actor_label="x", format="kapabel", source="web")
    assert client.get(f"/api/v1/hr-imports/{existing.pk}", headers=auth).status_code == 404
    assert client.get("/api/v1/hr-imports", headers=auth).json()["items"] == []
    page = login(hr)
    assert page.get(f"/organisation/hr-import/{existing.pk}/").status_code == 404
    assert page.post(f"/organisation/hr-import/{existing.pk}/confirm/").status_code == 404
    assert HRImport.objects.get(pk=existing.pk).status == existing.status
