"""Versions, profiles, co-creation, the starter frameworks and the HTML and API views."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from kapabel.competences import services, starter
from kapabel.competences.models import Comment, CompetenceMapping, Profile, Status
from kapabel.core import demo
from tests.competences.factories import make_framework

pytestmark = pytest.mark.django_db


def test_publishing_freezes_and_a_new_version_keeps_the_old_one(world):
    framework, v1, area, items = make_framework(world.a, publish=True)
    with pytest.raises(ValidationError):
        services.competence_update(competence=items[0], name_da="Nyt navn", actor="t")
    v2 = services.version_create_draft(framework=framework, actor="t")
    assert v2.number == 2 and v2.competences.count() == v1.competences.count()
    copied = v2.competences.get(identifier=items[0].identifier)
    assert CompetenceMapping.objects.filter(source=items[0], target=copied, relation="same").exists()
    services.competence_update(competence=copied, name_da="Nyt navn", actor="t")
    services.version_publish(version=v2, actor="t")
    v1.refresh_from_db()
    items[0].refresh_from_db()
    assert v1.status == Status.RETIRED and items[0].name_da != "Nyt navn"  # old ratings keep their meaning
    follow = services.follow_competences([items[0]], v2)
    assert follow[items[0].pk] == [copied]


def test_profile_versions_follow_the_framework(world):
    framework, v1, _area, items = make_framework(world.a, publish=True)
    profile = services.profile_create(
        municipality=world.a,
        framework_version=v1,
        name="Sagsbehandler",
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_a,
        actor="t",
    )
    services.profile_set_targets(profile=profile, targets=[(items[0], 3, "essential")], actor="t")
    with pytest.raises(ValidationError):
        services.profile_set_targets(profile=profile, targets=[(items[1], 9, "essential")], actor="t")
    services.profile_publish(profile=profile, actor="t")
    with pytest.raises(ValidationError):
        services.profile_set_targets(profile=profile, targets=[(items[1], 2, "important")], actor="t")
    v2 = services.version_create_draft(framework=framework, actor="t")
    services.version_publish(version=v2, actor="t")
    new = services.profile_create_version(profile=profile, framework_version=v2, actor="t")
    target = new.targets.get()
    assert target.competence.version == v2 and target.target_level == 3 and new.lineage == profile.lineage


def test_profile_rejects_job_role_of_another_municipality(world):
    _f, v1, _a, _items = make_framework(world.a, publish=True)
    with pytest.raises(ValidationError):
        services.profile_create(
            municipality=world.a,
            framework_version=v1,
            name="X",
            kind="job_role",
            job_role=world.role_b,
            actor="t",
        )


def test_individual_target_overrides_and_is_validated(world):
    _f, v1, _a, items = make_framework(world.a, publish=True)
    target = services.individual_target_set(
        employee=world.employee, competence=items[0], target_level=4, actor="t"
    )
    assert target.framework_version == v1
    with pytest.raises(ValidationError):
        services.individual_target_set(
            employee=world.employee, competence=items[0], target_level=7, actor="t"
        )
    with pytest.raises(ValidationError):
        services.individual_target_set(
            employee=world.b_employee, competence=items[0], target_level=2, actor="t"
        )


def test_co_creation_comment_proposal_and_decision(world, login):
    _f, v1, _a, items = make_framework(world.a, publish=True)
    profile = services.profile_create(municipality=world.a, framework_version=v1, name="Ideal", actor="t")
    services.profile_set_targets(profile=profile, targets=[(items[0], 2, "important")], actor="t")
    consultation = services.consultation_open(
        actor="t", profile=profile, participants=[world.employee, world.manager_employee]
    )
    client = login(world.user("employee"))
    response = client.get(f"/frameworks/consultations/{consultation.pk}/")
    assert response.status_code == 200
    response = client.post(
        f"/frameworks/consultations/{consultation.pk}/",
        {
            "competence": items[0].pk,
            "body": "Vi bør kunne mere",
            "proposed_target_level": 3,
            "proposed_importance": "essential",
        },
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.decision == Comment.Decision.PENDING
    # A colleague who was not invited cannot see it; the employee cannot decide.
    assert (
        login(world.user("other_municipality_admin"))
        .get(f"/frameworks/consultations/{consultation.pk}/")
        .status_code
        == 404
    )
    client = login(world.user("employee"))
    assert (
        client.post(f"/frameworks/comments/{comment.pk}/decide/", {"decision": "accept"}).status_code == 403
    )
    admin = login(world.user("admin"))
    assert admin.post(f"/frameworks/comments/{comment.pk}/decide/", {"decision": "accept"}).status_code == 302
    target = profile.targets.get(competence=items[0])
    assert (target.target_level, target.importance) == (3, "essential")
    services.consultation_close(consultation=consultation, actor="t")
    with pytest.raises(ValidationError):
        services.comment_add(consultation=consultation, author=world.user("employee"), body="For sent")


def test_draft_is_hidden_from_employees_until_published(world, login):
    framework, v1, _a, items = make_framework(world.a)
    client = login(world.user("employee"))
    page = client.get(f"/frameworks/{framework.pk}/")
    assert page.status_code == 200 and items[0].name_da not in page.content.decode()
    assert client.get(f"/frameworks/competences/{items[0].pk}/edit/").status_code == 404
    services.version_publish(version=v1, actor="t")
    assert items[0].name_da in client.get(f"/frameworks/{framework.pk}/").content.decode()


def test_editor_reorders_with_up_and_down_buttons(world, login):
    framework, v1, area, items = make_framework(world.a)
    client = login(world.user("hr"))
    response = client.post(
        f"/frameworks/competences/{items[2].pk}/move/", {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="competence-tree"' in response.content.decode()
    order = list(area.children.order_by("position").values_list("pk", flat=True))
    assert order == [items[0].pk, items[2].pk, items[1].pk]
    assert login(world.user("employee")).post(
        f"/frameworks/competences/{items[0].pk}/move/", {"direction": "down"}
    ).status_code in (403, 404)


def test_framework_pages_for_personas(world, login, django_assert_max_num_queries):
    framework, v1, _a, items = make_framework(world.a, publish=True)
    services.profile_create(municipality=world.a, framework_version=v1, name="Ideal A", actor="t")
    client = login(world.user("hr"))
    with django_assert_max_num_queries(15):
        assert client.get("/frameworks/").status_code == 200
    assert client.get(f"/frameworks/{framework.pk}/").status_code == 200
    assert client.get(f"/frameworks/versions/{v1.pk}/profiles/").status_code == 200
    assert client.get(f"/frameworks/versions/{v1.pk}/export/?format=moodle-csv").status_code == 200
    other = login(world.user("other_municipality_admin"))
    assert framework.name not in other.get("/frameworks/").content.decode()
    assert other.get(f"/frameworks/{framework.pk}/").status_code == 404
    services.framework_set_sharing(framework=framework, municipalities=[world.b], actor="t")
    assert other.get(f"/frameworks/{framework.pk}/").status_code == 200


def test_profile_matrix_saves_targets(world, login):
    _f, v1, _a, items = make_framework(world.a, publish=True)
    profile = services.profile_create(municipality=world.a, framework_version=v1, name="Ideal", actor="t")
    client = login(world.user("admin"))
    response = client.post(
        f"/frameworks/versions/{v1.pk}/profiles/",
        {f"t-{profile.pk}-{items[1].pk}": "4", f"i-{profile.pk}-{items[1].pk}": "essential"},
    )
    assert response.status_code == 302
    assert profile.targets.get().target_level == 4


def test_web_import_with_preview_writes_only_on_confirm(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.competences.test_exchange import FIXTURES

    client = login(world.user("admin"))
    upload = SimpleUploadedFile(
        "oecd.csv", (FIXTURES / "moodle_core_lpimportcsv_example_oecd.csv").read_bytes()
    )
    form = {"format": "moodle-csv", "language": "en", "municipality": world.a.pk}
    response = client.post("/frameworks/import/", {**form, "file": upload})
    assert response.status_code == 200 and "Analytical Thinking" in response.content.decode()
    from kapabel.competences.models import Framework

    assert not Framework.objects.exists()
    content = response.context["content"]
    response = client.post("/frameworks/import/", {**form, "content": content, "filename": "oecd.csv"})
    assert response.status_code == 302 and Framework.objects.get().name == "OECD"
    bad = SimpleUploadedFile("bad.csv", b"a,b\n,x,y\n")
    response = client.post("/frameworks/import/", {**form, "file": bad})
    assert "Række 2" in response.content.decode()  # the page is in Danish


@pytest.mark.parametrize("content", ["not base64!", "ÆØÅ", "abc"])
def test_web_import_confirm_with_a_broken_preview_is_refused_on_the_page(world, login, content):
    from kapabel.competences.models import Framework

    client = login(world.user("admin"))
    form = {"format": "case-json", "language": "da", "municipality": world.a.pk}
    response = client.post("/frameworks/import/", {**form, "content": content, "filename": "x.json"})
    assert response.status_code == 200
    assert response.context["problems"] == ["Den viste fil kunne ikke læses igen. Upload den igen."]
    assert not Framework.objects.exists()


def test_api_import_export_and_targets(world, login):
    client = login(world.user("admin"))
    text = json.dumps(
        {
            "CFDocument": {"identifier": "D", "title": "API ramme"},
            "CFItems": [{"identifier": "x", "fullStatement": "X"}],
            "CFAssociations": [],
        }
    )
    response = client.post(
        "/api/v1/framework-imports",
        {"municipality_id": world.a.pk, "format": "case-json", "content": text},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    framework_id = response.json()["id"]
    version_id = response.json()["versions"][0]["id"]
    response = client.patch(
        f"/api/v1/framework-versions/{version_id}", {"status": "published"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "published"
    competence_id = response.json()["competences"][0]["id"]
    response = client.post(
        "/api/v1/profiles",
        {"municipality_id": world.a.pk, "version_id": version_id, "name": "P"},
        content_type="application/json",
    )
    profile_id = response.json()["id"]
    response = client.put(
        f"/api/v1/profiles/{profile_id}/targets",
        {"targets": [{"competence_id": competence_id, "target_level": 3, "importance": "essential"}]},
        content_type="application/json",
    )
    assert response.json()["targets"] == [
        {"competence_id": competence_id, "target_level": 3, "importance": "essential"}
    ]
    bad = client.put(
        f"/api/v1/profiles/{profile_id}/targets",
        {"targets": [{"competence_id": competence_id, "target_level": 9}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    export = client.get(f"/api/v1/framework-versions/{version_id}/export?format=moodle-csv")
    assert export.status_code == 200 and "API ramme" in export.content.decode()
    bad_import = client.post(
        "/api/v1/framework-imports",
        {"municipality_id": world.a.pk, "format": "case-json", "content": "{"},
        content_type="application/json",
    )
    assert bad_import.status_code == 422
    assert client.get(f"/api/v1/frameworks/{framework_id}").status_code == 200
    assert (
        login(world.user("other_municipality_admin")).get(f"/api/v1/frameworks/{framework_id}").status_code
        == 404
    )


def test_starter_frameworks_install_with_profiles(world):
    frameworks = starter.install(municipality=world.a, actor="t")
    assert [f.name for f in frameworks] == ["Fremtidens administrative medarbejder", "Jobcenter"]
    admin = frameworks[0].versions.get()
    assert admin.status == Status.PUBLISHED and admin.competences.filter(depth=1).count() == 10
    levels = list(admin.scale.levels.all())
    assert len(levels) == 4 and all(lv.descriptor_da and lv.descriptor_en for lv in levels)
    assert all(c.name_en and c.description_da for c in admin.competences.all())


def test_demo_step_gives_the_demo_municipality_its_frameworks(world):
    import random

    ctx = demo.DemoContext(seed=1, employees=60, rng=random.Random(1))
    ctx.data["municipality"] = world.a
    ctx.data["job_roles"] = {"Jobkonsulent": world.role_a}
    step = dict((name, fn) for _o, name, fn in demo.steps())["competences"]
    step(ctx)
    assert (
        Profile.objects.filter(municipality=world.a, job_role=world.role_a, status="published").count() == 1
    )


def test_post_actions_publish_version_and_profile_through_the_pages(world, client):
    """The POST-only action views: a refusal comes back as a message, success redirects onward."""
    from django.contrib.messages import get_messages

    from kapabel.competences import services as competence_services
    from kapabel.competences.models import Profile, Status
    from tests.competences.factories import make_framework

    client.force_login(world.user("admin"))
    framework, version, _area, items = make_framework(world.a, name="Handlingsramme")
    profile = competence_services.profile_create(
        municipality=world.a,
        framework_version=version,
        name="Handlingsprofil",
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_a,
        actor="tests",
    )
    # Refused: a profile on a draft framework version cannot be published; nothing changes.
    response = client.post(f"/frameworks/profiles/{profile.pk}/publish/")
    assert response.status_code == 302 and response["Location"].endswith(f"/profiles/{profile.pk}/")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert Profile.objects.get(pk=profile.pk).status == Status.DRAFT
    # Publish the version, then the profile (with a target).
    response = client.post(f"/frameworks/versions/{version.pk}/publish/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    competence_services.profile_set_targets(
        profile=profile, targets=[(items[0], 3, "important")], actor="tests"
    )
    client.post(f"/frameworks/profiles/{profile.pk}/publish/")
    assert Profile.objects.get(pk=profile.pk).status == Status.PUBLISHED
    # A new draft version goes to the new profile's page.
    response = client.post(f"/frameworks/profiles/{profile.pk}/new-version/")
    draft = Profile.objects.get(lineage=profile.lineage, status=Status.DRAFT)
    assert response["Location"].endswith(f"/profiles/{draft.pk}/")
    # A new framework version, then deleting a competence in that draft.
    response = client.post(f"/frameworks/{framework.pk}/new-version/")
    new_version = framework.versions.get(status=Status.DRAFT)
    assert response.status_code == 302 and response["Location"].endswith(f"?version={new_version.number}")
    doomed = new_version.competences.exclude(parent=None).first()
    client.post(f"/frameworks/competences/{doomed.pk}/delete/")
    assert not new_version.competences.filter(pk=doomed.pk).exists()
