from django.urls import path

from kapabel.organisation import views
from kapabel.organisation.hr_import import views as hr_import_views
from kapabel.organisation.pickers import views as picker_views

app_name = "organisation"
urlpatterns = [
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/<int:employee_pk>/", views.employee_detail, name="employee_detail"),
    path("employees/<int:employee_pk>/edit/", views.employee_edit, name="employee_edit"),
    path("people/pick/", picker_views.people_pick, name="people_pick"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:unit_pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:unit_pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:unit_pk>/new-unit/", views.unit_create, name="unit_create"),
    path("units/<int:unit_pk>/new-employee/", views.employee_create, name="employee_create"),
    path("job-roles/", views.job_role_list, name="job_role_list"),
    path("job-roles/new/", views.job_role_create, name="job_role_create"),
    path("job-roles/<int:job_role_pk>/edit/", views.job_role_edit, name="job_role_edit"),
    path("hr-import/", hr_import_views.hr_import_list, name="hr_import"),
    path("hr-import/<int:import_pk>/", hr_import_views.hr_import_detail, name="hr_import_detail"),
    path("hr-import/<int:import_pk>/confirm/", hr_import_views.hr_import_confirm, name="hr_import_confirm"),
    path("hr-import/<int:import_pk>/discard/", hr_import_views.hr_import_discard, name="hr_import_discard"),
    path(
        "hr-import/template.xlsx",
        hr_import_views.hr_import_template,
        {"extension": "xlsx"},
        name="hr_import_template_xlsx",
    ),
    path(
        "hr-import/template.csv",
        hr_import_views.hr_import_template,
        {"extension": "csv"},
        name="hr_import_template_csv",
    ),
]
