from django.urls import URLPattern, path

from kapabel.dialogues.views import coverage, dialogue, mine, plans, team

app_name = "dialogues"
urlpatterns: list[URLPattern] = [
    # The person.
    path("", mine.mine, name="mine"),
    path("request/", mine.request_dialogue, name="request"),
    path("consent/", mine.consent, name="consent"),
    # One dialogue.
    path("<int:dialogue_id>/", dialogue.dialogue_detail, name="dialogue"),
    path("<int:dialogue_id>/preparation/", dialogue.preparation, name="preparation"),
    path("<int:dialogue_id>/book/", dialogue.book, name="book"),
    path("<int:dialogue_id>/cancel-booking/", dialogue.cancel_booking, name="cancel_booking"),
    path("<int:dialogue_id>/record/", dialogue.record, name="record"),
    path("<int:dialogue_id>/invitation.ics", dialogue.invitation, name="invitation"),
    path("<int:dialogue_id>/plan/", plans.plan_create, name="plan_create"),
    # Managers and HR.
    path("team/", team.team, name="team"),
    path("cycles/new/", team.cycle_create, name="cycle_create"),
    path("cycles/<int:cycle_id>/", team.cycle_detail, name="cycle"),
    path("cycles/<int:cycle_id>/close/", team.cycle_close, name="cycle_close"),
    path("cycles/<int:cycle_id>/groups/", team.group_create, name="group_create"),
    path("groups/<int:group_id>/", team.group_detail, name="group"),
    path("coverage/", coverage.coverage, name="coverage"),
    # Plans.
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("plans/<int:plan_id>/confirm/", plans.plan_confirm, name="plan_confirm"),
    path("plans/<int:plan_id>/goals/<int:goal_id>/status/", plans.goal_status, name="goal_status"),
    path("plans/<int:plan_id>/follow-ups/<int:follow_up_id>/", plans.follow_up, name="follow_up"),
]
