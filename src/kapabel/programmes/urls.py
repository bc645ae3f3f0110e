from django.urls import URLPattern, path

from kapabel.programmes.views import pages

app_name = "programmes"
urlpatterns: list[URLPattern] = [
    path("", pages.programme_list, name="list"),
    path("schemes/", pages.schemes, name="schemes"),
    path("<int:programme_id>/", pages.overview, name="overview"),
    path("<int:programme_id>/substitutes/", pages.substitutes, name="substitutes"),
    path("<int:programme_id>/placements/", pages.placement_create, name="placement_create"),
    path(
        "<int:programme_id>/substitutes/<int:substitute_id>/outcome/",
        pages.substitute_outcome,
        name="substitute_outcome",
    ),
    path("<int:programme_id>/applications/", pages.applications, name="applications"),
    path(
        "<int:programme_id>/applications/<int:application_id>/move/",
        pages.application_move,
        name="application_move",
    ),
]
