from kapabel.core.models import AuditEvent, Role
from kapabel.organisation import services
from kapabel.organisation.models import Employee, JobRole, RoleAssignment
from tests.conftest import SYSTEM


def test_employee_list_shows_only_the_managers_people(world, login):
    response = login(world.user("manager")).get("/organisation/employees/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Carl Colleague" in body and "Oskar Outsider" not in body and "Bente Bby" not in body


def test_employee_list_search_and_htmx_fragment(world, login):
    client = login(world.user("admin"))
    response = client.get("/organisation/employees/", {"q": "oskar"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Oskar Outsider" in body and "Emma Employee" not in body
    assert "<html" not in body  # only the results fragment


def test_employee_list_query_count_does_not_grow_with_people(world, login, django_assert_max_num_queries):
    services.employees_bulk_create(
        municipality=world.a,
        actor=SYSTEM,
        employees=[
            Employee(external_id=f"M{i}", name=f"Many {i}", unit=world.team3, job_role=world.role_a)
            for i in range(80)
        ],
    )
    client = login(world.user("admin"))
    with django_assert_max_num_queries(12):
        assert client.get("/organisation/employees/").status_code == 200


def test_plain_employee_cannot_open_lists(world, login):
    client = login(world.user("employee"))
    assert client.get("/organisation/employees/").status_code == 403
    assert client.get(f"/organisation/employees/{world.employee.pk}/").status_code == 200


def test_manager_may_see_but_not_edit(world, login):
    client = login(world.user("manager"))
    assert client.get(f"/organisation/employees/{world.colleague.pk}/").status_code == 200
    assert client.get(f"/organisation/employees/{world.colleague.pk}/edit/").status_code == 403


def test_admin_edits_an_employee_through_the_service(world, login):
    client = login(world.user("admin"))
    url = f"/organisation/employees/{world.colleague.pk}/edit/"
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(name="Carl Ændret", unit=world.team3.pk, job_role=world.role_a.pk, active="on")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    world.colleague.refresh_from_db()
    assert world.colleague.name == "Carl Ændret" and world.colleague.unit_id == world.team3.pk
    assert AuditEvent.objects.filter(
        action="organisation.employee.updated", actor=world.user("admin")
    ).exists()


def test_invalid_unit_form_shows_errors_and_writes_nothing(world, login):
    client = login(world.user("admin"))
    response = client.post(
        f"/organisation/units/{world.forvaltning1.pk}/edit/",
        {"name": "Ny", "kind": "team", "parent": world.team1.pk, "external_id": "A1"},
    )
    assert response.status_code == 200
    assert "below itself" in response.content.decode() or "under sig selv" in response.content.decode()
    world.forvaltning1.refresh_from_db()
    assert world.forvaltning1.name == "Forvaltning Et"


def test_unit_detail_lists_children_with_headcounts(world, login):
    response = login(world.user("hr")).get(f"/organisation/units/{world.centre1.pk}/")
    rows = response.context["children"]
    assert {(row["unit"].name, row["headcount"]) for row in rows} == {("Team Alfa", 1), ("Team Beta", 1)}
    assert response.context["headcount"] == 3


def test_home_has_a_section_per_role(world, login):
    assert "my_tasks" in login(world.user("employee")).get("/").context
    context = login(world.user("manager")).get("/").context
    assert "my_tasks" in context and context["team"][0]["headcount"] == 3
    overview = login(world.user("admin")).get("/").context["overview"]
    assert overview["employees"] == 4
    assert {row["unit"].name for row in overview["top_units"]} == {"Forvaltning Et", "Forvaltning To"}


def test_audit_log_is_for_administrators_of_their_municipality(world, login):
    assert login(world.user("manager")).get("/audit/").status_code == 403
    body = login(world.user("other_municipality_admin")).get("/audit/").content.decode()
    assert "Bente Bby" in body and "Emma Employee" not in body


def test_breadcrumbs_lead_back_through_the_menu_section(world, login):
    body = login(world.user("hr")).get(f"/organisation/units/{world.centre1.pk}/").content.decode()
    crumbs = body[body.index('class="breadcrumbs') : body.index("</nav>", body.index('class="breadcrumbs'))]
    assert 'href="/organisation/units/"' in crumbs
    last_item = crumbs[crumbs.rindex("<li") :]
    assert 'aria-current="page"' in last_item and "Center Et</li>" in last_item


def test_admin_creates_a_unit_and_a_job_role_from_the_forms(world, login):
    client = login(world.user("admin"))
    response = client.post(
        f"/organisation/units/{world.centre1.pk}/new-unit/",
        {"name": "Team Delta", "kind": "team", "parent": world.centre1.pk, "external_id": "A113"},
    )
    assert response.status_code == 302
    delta = world.a.units.get(external_id="A113")
    assert delta.path.startswith(world.centre1.path) and response["Location"].endswith(f"/units/{delta.pk}/")
    response = client.post("/organisation/job-roles/new/", {"title": "Lønkonsulent", "code": "1120"})
    assert response.status_code == 302
    assert world.a.job_roles.filter(title="Lønkonsulent").exists()
    assert AuditEvent.objects.filter(
        action="organisation.job_role.created", actor=world.user("admin")
    ).exists()


def test_manager_cannot_open_create_forms(world, login):
    client = login(world.user("manager"))
    assert client.get(f"/organisation/units/{world.centre1.pk}/new-unit/").status_code == 403
    assert client.get("/organisation/job-roles/new/").status_code == 403


def test_edit_form_offers_only_units_of_the_employees_municipality(world, login):
    client = login(world.user("admin"))
    url = f"/organisation/employees/{world.colleague.pk}/edit/"
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(unit=world.b_team.pk, job_role=world.role_a.pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    world.colleague.refresh_from_db()
    assert world.colleague.unit_id == world.team2.pk


def test_a_job_role_lands_in_the_municipality_the_platform_admin_switched_to(world, login):
    client = login(world.user("platform_admin"))
    assert client.post("/municipality/", {"municipality": world.b.pk}).status_code == 302
    assert client.get("/organisation/job-roles/").context["can_create"]
    response = client.post("/organisation/job-roles/new/", {"title": "Pædagog", "code": "7100"})
    assert response.status_code == 302
    assert world.b.job_roles.filter(title="Pædagog").exists()
    assert not world.a.job_roles.filter(title="Pædagog").exists()


def test_an_administrator_of_two_municipalities_creates_where_they_switched(world, login):
    admin = world.user("admin")
    RoleAssignment.objects.create(user=admin, role=Role.MUNICIPALITY_ADMIN, municipality=world.b)
    client = login(admin)
    client.post("/organisation/job-roles/new/", {"title": "Først i A"})
    assert world.a.job_roles.filter(title="Først i A").exists()  # the first by name until they switch
    client.post("/municipality/", {"municipality": world.b.pk})
    client.post("/organisation/job-roles/new/", {"title": "Så i B"})
    assert world.b.job_roles.filter(title="Så i B").exists()
    assert not world.a.job_roles.filter(title="Så i B").exists()


def test_no_job_role_where_the_user_only_reads(world, login):
    # HR of all of B, administrator of A: switched to B they may not create job roles there.
    admin = world.user("admin")
    RoleAssignment.objects.create(user=admin, role=Role.HR, municipality=world.b)
    client = login(admin)
    client.post("/municipality/", {"municipality": world.b.pk})
    assert client.get("/organisation/job-roles/new/").status_code == 403
    before = JobRole.objects.count()
    assert client.post("/organisation/job-roles/new/", {"title": "Ikke her"}).status_code == 403
    assert JobRole.objects.count() == before
    listing = client.get("/organisation/job-roles/")
    assert not listing.context["can_create"]
    editable = {row["role"].pk: row["can_edit"] for row in listing.context["rows"]}
    assert editable == {world.role_a.pk: True, world.role_b.pk: False}


def test_an_administrator_cannot_switch_to_another_municipality(world, login):
    client = login(world.user("admin"))
    assert client.post("/municipality/", {"municipality": world.b.pk}).status_code == 403
    client.post("/organisation/job-roles/new/", {"title": "Hjemme"})
    assert world.a.job_roles.filter(title="Hjemme").exists()
