from django.urls import URLPattern, URLResolver, include, path

app_name = "learning"
# The learning pages (catalogue, "Min læring", approvals, cohort administration) land here.
urlpatterns: list[URLPattern | URLResolver] = [
    path("catalogue/import/", include("kapabel.learning.catalogue_import.urls")),
]
