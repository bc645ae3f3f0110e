from django.urls import path

from kapabel.assessments import participant_views, views

app_name = "assessments"
urlpatterns = [
    path("mine/", views.my_assessments, name="my_assessments"),
    path("mine/history/", views.my_history, name="my_history"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_pk>/close/", views.campaign_close, name="campaign_close"),
    path(
        "campaigns/<int:campaign_pk>/participants/",
        participant_views.campaign_participants,
        name="campaign_participants",
    ),
    path("campaigns/<int:campaign_pk>/remind/", participant_views.campaign_remind, name="campaign_remind"),
    path("answers/<int:assessment_pk>/", views.assessment_form, name="assessment_form"),
    path("answers/<int:assessment_pk>/review/", views.assessment_review, name="assessment_review"),
    path("people/<int:employee_pk>/history/", views.employee_history, name="employee_history"),
    path("settings/<int:municipality_pk>/", views.settings_edit, name="settings_edit"),
]
