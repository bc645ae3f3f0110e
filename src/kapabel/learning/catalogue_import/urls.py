from django.urls import path

from kapabel.learning.catalogue_import import views

# Included by kapabel.learning.urls under catalogue/import/ (names in the "learning" namespace).
urlpatterns = [
    path("", views.import_list, name="catalogue_import"),
    path("<int:catalogue_import_pk>/", views.import_detail, name="catalogue_import_detail"),
    path("<int:catalogue_import_pk>/confirm/", views.import_confirm, name="catalogue_import_confirm"),
    path("<int:catalogue_import_pk>/discard/", views.import_discard, name="catalogue_import_discard"),
    path(
        "template.xlsx", views.import_template, {"extension": "xlsx"}, name="catalogue_import_template_xlsx"
    ),
    path("template.csv", views.import_template, {"extension": "csv"}, name="catalogue_import_template_csv"),
]
