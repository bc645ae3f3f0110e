"""Breadcrumbs and error summaries: a page below a menu section ends in a crumb naming the page;
an error summary links to the fields in error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kapabel.organisation.models import HRImport

SRC = Path(__file__).parents[2] / "src" / "kapabel"


def test_every_page_template_names_its_crumb():
    missing = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("templates/**/*.html")
        if '{% extends "base.html" %}' in (text := path.read_text())
        and not re.search(r"\{% block crumb %\}.+?\{% endblock %\}", text)
    ]
    assert not missing, missing


@pytest.mark.django_db
def test_a_detail_page_ends_in_a_named_crumb(world, login):
    hr_import = HRImport.objects.create(
        municipality=world.a,
        actor_label="tests",
        source="cli",
        format=HRImport.Format.values[0],
        status="failed",
    )
    page = login(world.user("admin")).get(f"/organisation/hr-import/{hr_import.pk}/").content.decode()
    crumbs = page.split('<nav class="breadcrumbs')[1].split("</nav>")[0]
    last = crumbs.split('aria-current="page">')[-1].split("</li>")[0]
    assert re.sub(r"<[^>]+>", "", last).strip()


@pytest.mark.django_db
def test_the_error_summary_links_to_each_field_in_error(world, login):
    client = login(world.user("admin"))
    response = client.post(f"/organisation/units/{world.forvaltning1.pk}/edit/", {"name": "", "kind": "team"})
    body = response.content.decode()
    summary = body.split('class="alert alert-error"')[1].split("</div></div>")[0]
    assert '<a href="#id_name">' in summary
    assert 'id="id_name"' in body
