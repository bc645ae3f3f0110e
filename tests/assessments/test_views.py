"""HTML and API: the employee form, the manager review, campaigns, conflicts, refusals, query counts."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kapabel.assessments import selectors
from kapabel.assessments.models import Assessment, Campaign, Rating

pytestmark = pytest.mark.django_db


def form_data(campaign, version, level="2", action="submit"):
    data = {"version": str(version), "action": action}
    for item in selectors.campaign_competences(campaign):
        data[f"level_{item.competence.pk}"] = level
        data[f"comment_{item.competence.pk}"] = "ok"
    return data


def test_my_tasks_lists_open_campaign_and_manager_pending(world, aw, login):
    body = login(world.user("employee")).get("/").content.decode()
    assert "Afklaring Aby 2026" in body and "Lederundersøgelse" not in body
    body = login(world.user("manager")).get("/").content.decode()
    assert "Lederundersøgelse Aby" in body  # the manager answers for their unit
    assert reverse("assessments:campaign_detail", kwargs={"campaign_pk": aw.campaign_a.pk}) in body


def test_self_form_renders_accessibly_within_query_budget(world, aw, login, django_assert_max_num_queries):
    client = login(world.user("employee"))
    url = reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    body = response.content.decode()
    assert body.count("<fieldset") == 6 and body.count("<legend") == 6
    assert 'value="unknown"' in body and "Begynder" in body


def test_submit_through_html_and_see_history(world, aw, login):
    client = login(world.user("employee"))
    url = reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk})
    response = client.post(url, form_data(aw.campaign_a, 0))
    assert response.status_code == 302
    assert Rating.objects.filter(employee=world.employee, source="self").count() == 6
    body = client.get(reverse("assessments:my_assessments")).content.decode()
    assert "Selvvurdering" in body or "Self-assessment" in body


def test_concurrent_save_keeps_input_and_explains(world, aw, login):
    client = login(world.user("employee"))
    url = reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk})
    client.post(url, form_data(aw.campaign_a, 0, level="1", action="save"))  # someone else's save
    response = client.post(url, form_data(aw.campaign_a, 0, level="4", action="save"))
    assert response.status_code == 409
    body = response.content.decode()
    assert 'value="4" checked' in body and 'name="version" value="1"' in body
    assert (
        Assessment.objects.get(pk=aw.assessment.pk).self_draft[
            str(selectors.campaign_competences(aw.campaign_a)[0].competence.pk)
        ]["level"]
        == 1
    )
    assert client.post(url, form_data(aw.campaign_a, 1, level="4", action="save")).status_code == 302


def test_invalid_level_in_html_is_refused_with_field_error(world, aw, login):
    client = login(world.user("employee"))
    url = reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk})
    response = client.post(url, form_data(aw.campaign_a, 0, level="7"))
    assert response.status_code == 422 and "form-error-message" in response.content.decode()
    assert not Rating.objects.exists()


def test_others_cannot_answer_and_outsiders_cannot_review(world, aw, login):
    client = login(world.user("manager"))
    url = reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk})
    assert client.post(url, form_data(aw.campaign_a, 0)).status_code == 403  # manager can't answer for her
    review = reverse("assessments:assessment_review", kwargs={"assessment_pk": aw.outsider_assessment.pk})
    assert client.get(review).status_code == 404
    own = reverse("assessments:assessment_review", kwargs={"assessment_pk": aw.manager_assessment.pk})
    assert client.get(own).status_code == 403  # no manager assesses themselves


def test_manager_review_side_by_side_and_agreed(world, aw, login):
    login(world.user("employee")).post(
        reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk}),
        form_data(aw.campaign_a, 0, level="1"),
    )
    client = login(world.user("manager"))
    url = reverse("assessments:assessment_review", kwargs={"assessment_pk": aw.assessment.pk})
    assert client.post(url, {**form_data(aw.campaign_a, 0, level="3"), "step": "manager"}).status_code == 302
    body = client.get(url).content.decode()
    assert body.count("badge-warning") == 6  # every competence differs
    assert client.post(url, {**form_data(aw.campaign_a, 1, level="2"), "step": "agreed"}).status_code == 302
    assert Assessment.objects.get(pk=aw.assessment.pk).status == Assessment.Status.AGREED
    history = client.get(reverse("assessments:employee_history", kwargs={"employee_pk": world.employee.pk}))
    assert history.status_code == 200


def test_campaign_pages_and_close(world, aw, login, django_assert_max_num_queries):
    client = login(world.user("admin"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assessments:campaign_list")).status_code == 200
    detail = reverse("assessments:campaign_detail", kwargs={"campaign_pk": aw.campaign_a.pk})
    with django_assert_max_num_queries(15):
        body = client.get(detail).content.decode()
    assert "Team Gamma" in body
    hr_body = login(world.user("hr")).get(detail).content.decode()
    assert "Team Gamma" not in hr_body and "Team Alfa" in hr_body  # HR sees only their subtree
    close = reverse("assessments:campaign_close", kwargs={"campaign_pk": aw.campaign_a.pk})
    # Issue 10 #1: the campaign covers Team Gamma too, outside HR's grant, so HR may not close it.
    assert login(world.user("hr")).post(close).status_code == 403
    assert not Campaign.objects.get(pk=aw.campaign_a.pk).is_closed
    assert login(world.user("admin")).post(close).status_code == 302
    assert Campaign.objects.get(pk=aw.campaign_a.pk).is_closed
    response = login(world.user("employee")).post(
        reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk}),
        form_data(aw.campaign_a, 0),
    )
    assert response.status_code == 422 and "lukket" in response.content.decode()


def test_create_campaign_in_html(world, aw, login):
    client = login(world.user("admin"))
    response = client.post(
        reverse("assessments:campaign_create"),
        {
            "name": "Ny afklaring",
            "kind": "individual",
            "framework_version": aw.version_a.pk,
            "opens_on": aw.campaign_a.opens_on.isoformat(),
            "closes_on": aw.campaign_a.closes_on.isoformat(),
            "units": [world.centre1.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Campaign.objects.get(name="Ny afklaring").participant_count == 3
    assert login(world.user("employee")).get(reverse("assessments:campaign_create")).status_code == 403


def test_api_submit_conflict_history_and_correction(world, aw, login):
    client = login(world.user("employee"))
    answers = [
        {"competence_id": i.competence.pk, "level": 2} for i in selectors.campaign_competences(aw.campaign_a)
    ]
    url = f"/api/v1/assessments/{aw.assessment.pk}"
    response = client.put(
        url, json.dumps({"version": 0, "answers": answers}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["self_version"] == 1
    stale = client.put(url, json.dumps({"version": 0, "answers": answers}), content_type="application/json")
    assert stale.status_code == 409 and stale["Content-Type"] == "application/problem+json"
    bad = [{**answers[0], "level": 9}]
    invalid = client.put(
        url, json.dumps({"version": 1, "answers": bad, "submit": True}), content_type="application/json"
    )
    assert invalid.status_code == 422
    done = client.put(
        url, json.dumps({"version": 1, "answers": answers, "submit": True}), content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    ratings = client.get("/api/v1/ratings").json()["items"]
    assert len(ratings) == 6
    corrected = client.post(
        f"/api/v1/ratings/{ratings[0]['id']}/corrections",
        json.dumps({"level": 3}),
        content_type="application/json",
    )
    assert corrected.status_code == 201 and corrected.json()["supersedes_id"] == ratings[0]["id"]
    levels = client.get(f"/api/v1/employees/{world.employee.pk}/current-levels").json()
    assert sorted(row["level"] for row in levels) == [2, 2, 2, 2, 2, 3]


def test_api_create_and_close_campaign(world, aw, login):
    client = login(world.user("admin"))
    payload = {
        "municipality_id": world.a.pk,
        "name": "API-afklaring",
        "framework_version_id": aw.version_a.pk,
        "closes_on": aw.campaign_a.closes_on.isoformat(),
        "unit_ids": [world.team1.pk],
    }
    response = client.post("/api/v1/campaigns", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201 and response.json()["participant_count"] == 1
    pk = response.json()["id"]
    foreign = {**payload, "unit_ids": [world.b_team.pk]}
    assert (
        client.post("/api/v1/campaigns", json.dumps(foreign), content_type="application/json").status_code
        == 404
    )
    closed = client.patch(
        f"/api/v1/campaigns/{pk}", json.dumps({"status": "closed"}), content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    progress = client.get(f"/api/v1/campaigns/{aw.campaign_a.pk}/progress").json()
    assert progress["totals"]["total"] == 4


def test_reminder_command(world, aw, settings, capsys):
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_reminders")
    assert "participants=0" in capsys.readouterr().out  # two weeks before close: nothing due yet


def test_the_error_summary_links_to_the_marked_answer(world, aw, login):
    client = login(world.user("employee"))
    url = reverse("assessments:assessment_form", kwargs={"assessment_pk": aw.assessment.pk})
    body = client.post(url, form_data(aw.campaign_a, 0, level="7")).content.decode()
    competence = selectors.campaign_competences(aw.campaign_a)[0].competence
    summary = body.split('class="alert alert-error"')[1].split("</div></div>")[0]
    assert f'<a href="#competence_{competence.pk}">' in summary
    assert f'id="competence_{competence.pk}"' in body
