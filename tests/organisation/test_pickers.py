"""The reusable pickers: the people search only lists people the acting user may see (paged on
the server), the unit tree's posted format (with and without the units below), validation against
the view's querysets, and the search without JavaScript."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from kapabel.assessments.models import Campaign
from kapabel.organisation import selectors
from kapabel.organisation.pickers import PeopleField, UnitScopeField, people_page
from kapabel.organisation.pickers.units import unit_tree
from tests.conftest import make_employee

pytestmark = pytest.mark.django_db
PICK = "/organisation/people/pick/"


def search(client, q, **extra):
    return client.get(PICK, {"name": "employees", "employees__q": q, **extra})


def test_search_lists_only_people_in_the_users_scope(world, login):
    hr = login(world.user("hr"))  # HR for Forvaltning Et only
    body = search(hr, "Emma").content.decode()
    assert "Emma Employee" in body and "Sagsbehandler Aby" in body and "Team Alfa" in body
    assert "Oskar Outsider" not in search(hr, "Oskar").content.decode()  # Forvaltning To
    assert "Oskar Outsider" not in search(hr, "").content.decode()
    assert "Bente Bby" not in search(hr, "Bente").content.decode()  # another municipality
    admin = login(world.user("admin"))
    assert "Oskar Outsider" in search(admin, "Oskar").content.decode()
    assert "Bente Bby" not in search(admin, "Bente").content.decode()
    # An employee sees only themselves; asking for another municipality finds nobody.
    employee = login(world.user("employee"))
    body = search(employee, "").content.decode()
    assert "Emma Employee" in body and "Carl Colleague" not in body
    assert "Bente Bby" not in search(admin, "Bente", municipality=world.b.pk).content.decode()


def test_search_refuses_odd_field_names_and_strangers(world, client, login):
    assert client.get(PICK, {"name": "employees"}).status_code == 302  # to the login page
    admin = login(world.user("admin"))
    assert admin.get(PICK, {"name": '"><script>'}).status_code == 400


def test_search_pages_on_the_server_and_leaves_out_the_chosen(world, login, django_assert_max_num_queries):
    for number in range(12):
        make_employee(world.a, world.team1, f"P{number}", f"Petra Pedersen {number:02d}", world.role_a)
    admin = login(world.user("admin"))
    with django_assert_max_num_queries(8):
        first = search(admin, "petra pedersen").content.decode()
    assert first.count('data-person="Petra Pedersen') == 10 and "1–10 af 12" in first
    assert 'name="employees__page" value="2"' in first
    second = search(admin, "petra pedersen", employees__page="2").content.decode()
    assert second.count('data-person="Petra Pedersen') == 2 and "Petra Pedersen 11" in second
    chosen = selectors.employees_for_user(world.user("admin")).get(name="Petra Pedersen 00")
    again = admin.get(PICK, {"name": "employees", "employees__q": "petra", "employees": [chosen.pk]})
    assert "Petra Pedersen 00" not in again.content.decode() and "1–10 af 11" in again.content.decode()


def test_people_page_matches_every_word_of_the_name(world):
    make_employee(world.a, world.team1, "X1", "Anne Marie Hansen", world.role_a)
    queryset = selectors.employees_for_user(world.user("admin"))
    assert [p.name for p in people_page(queryset, query="anne hansen", page=1, exclude=[]).people] == [
        "Anne Marie Hansen"
    ]


def test_unit_tree_field_reads_both_formats_and_checks_the_queryset(world):
    field = UnitScopeField(queryset=selectors.units_for_user(world.user("hr")))
    widget = field.widget
    tree = QueryDict(mutable=True)
    tree.setlist("units", [str(world.centre1.pk), str(world.team1.pk)])
    tree.setlist("units_subtree", [str(world.centre1.pk)])
    tree["units__tree"] = "1"
    value = widget.value_from_datadict(tree, {}, "units")
    assert field.clean(value) == [(world.centre1, True), (world.team1, False)]
    # Without the tree's marker: the campaign form's earlier two lists.
    old = QueryDict(mutable=True)
    old.setlist("units", [str(world.centre1.pk)])
    old.setlist("units_only", [str(world.team2.pk)])
    assert field.clean(widget.value_from_datadict(old, {}, "units")) == [
        (world.centre1, True),
        (world.team2, False),
    ]
    # A unit outside what the user may see is refused, with the count.
    outside = QueryDict(mutable=True)
    outside.setlist("units", [str(world.team3.pk), "nonsense"])
    outside["units__tree"] = "1"
    with pytest.raises(ValidationError) as info:
        field.clean(widget.value_from_datadict(outside, {}, "units"))
    assert info.value.params == {"count": 2}


def test_unit_tree_unfolds_the_way_to_chosen_units(world):
    units = list(selectors.units_for_user(world.user("admin")).filter(municipality=world.a))
    (root,) = unit_tree(units, {world.team2.pk: False})
    assert root.unit == world.a_root and root.open
    forvaltning1 = next(n for n in root.children if n.unit == world.forvaltning1)
    forvaltning2 = next(n for n in root.children if n.unit == world.forvaltning2)
    assert forvaltning1.open and not forvaltning2.open
    (centre,) = forvaltning1.children
    team2 = next(n for n in centre.children if n.unit == world.team2)
    assert team2.chosen and team2.subtree is False


def campaign_post(aw, **scope):
    return {
        "name": "Plukket",
        "kind": "individual",
        "framework_version": aw.version_a.pk,
        "opens_on": aw.campaign_a.opens_on.isoformat(),
        "closes_on": aw.campaign_a.closes_on.isoformat(),
        **scope,
    }


@pytest.fixture
def aw(world):
    from tests.assessments.factories import build_assessment_world

    return build_assessment_world(world)


def test_campaign_with_the_unit_tree_with_and_without_the_units_below(world, aw, login):
    client = login(world.user("admin"))
    url = reverse("assessments:campaign_create")
    only = campaign_post(aw, units=[world.centre1.pk], units__tree="1")
    assert client.post(url, only).status_code == 302
    assert Campaign.objects.get(name="Plukket").participant_count == 1  # Mette Manager only
    below = campaign_post(aw, units=[world.centre1.pk], units_subtree=[world.centre1.pk], units__tree="1")
    below["name"] = "Plukket med"
    assert client.post(url, below).status_code == 302
    assert Campaign.objects.get(name="Plukket med").participant_count == 3


def test_campaign_refuses_people_outside_the_users_scope(world, aw, login):
    client = login(world.user("hr"))
    url = reverse("assessments:campaign_create")
    response = client.post(url, campaign_post(aw, employees=[world.employee.pk, world.outsider.pk]))
    assert response.status_code == 200 and not Campaign.objects.filter(name="Plukket").exists()
    assert response.context["form"].errors["employees"]


def test_people_search_without_javascript_shows_the_form_again(world, aw, login):
    client = login(world.user("hr"))
    url = reverse("assessments:campaign_create")
    before = Campaign.objects.count()
    response = client.post(
        url, {"name": "", "employees": [world.colleague.pk], "employees__q": "emma", "employees__search": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and Campaign.objects.count() == before
    assert "form-error-message" not in body  # searching is not saving: no "required" errors yet
    assert 'value="emma"' in body and "Emma Employee" in body
    # Carl stays chosen (checked) and is not offered again in the results.
    assert body.count(f'name="employees" value="{world.colleague.pk}"') == 1
    assert "Valgt (<span data-chosen-count>1</span>)" in body


def test_people_field_validates_against_its_queryset(world):
    field = PeopleField(queryset=selectors.employees_for_user(world.user("hr")))
    assert list(field.clean([str(world.employee.pk)])) == [world.employee]
    with pytest.raises(ValidationError):
        field.clean([str(world.outsider.pk)])
