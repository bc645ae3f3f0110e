from django.urls import path

from kapabel.assessments import views

app_name = "assessments"
urlpatterns = [
    path("mine/", views.my_assessments, name="my_assessments"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_pk>/close/", views.campaign_close, name="campaign_close"),
    path("answers/<int:assessment_pk>/", views.assessment_form, name="assessment_form"),
    path("answers/<int:assessment_pk>/review/", views.assessment_review, name="assessment_review"),
    path("people/<int:employee_pk>/history/", views.employee_history, name="employee_history"),
    path("settings/<int:municipality_pk>/", views.settings_edit, name="settings_edit"),
]
