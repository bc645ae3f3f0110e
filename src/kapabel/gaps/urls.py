from django.urls import path

from kapabel.gaps import survey_views, views

app_name = "gaps"
urlpatterns = [
    path("", views.heatmap, name="heatmap"),
    path("units/<int:unit_pk>/", views.heatmap, name="heatmap_unit"),
    path("units/<int:unit_pk>/people/", views.cell, name="cell"),
    path("units/<int:unit_pk>/priorities/", views.priorities, name="priorities_unit"),
    path("units/<int:unit_pk>/trend/", views.trend, name="trend"),
    path("priorities/", views.priorities, name="priorities"),
    path("people/<int:employee_pk>/", views.person, name="person"),
    path("me/", views.my_profile, name="my_profile"),
    path("settings/<int:municipality_pk>/", views.settings_edit, name="settings_edit"),
    path("surveys/<int:campaign_pk>/", survey_views.survey_results, name="survey_results"),
]
