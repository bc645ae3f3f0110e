from django.urls import path

from kapabel.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("people/<int:employee_pk>/", views.person, name="person"),
    path("people/<int:employee_pk>/export/", views.person_export, name="person_export"),
    path("people/<int:employee_pk>/anonymise/", views.person_anonymise, name="person_anonymise"),
    path("retention/", views.retention, name="retention"),
]
