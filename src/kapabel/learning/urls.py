

from kapabel.learning import calendar_views
from django.urls import URLPattern, URLResolver, include, path

app_name = "learning"
# The learning pages (catalogue, "Min læring", approvals, cohort administration) land here.
urlpatterns: list[URLPattern | URLResolver] = [
    path("calendar/<str:token>.ics", calendar_views.feed, name="calendar_feed"),
    path("calendar/renew/", calendar_views.feed_renew, name="calendar_renew"),
    path("catalogue/import/", include("kapabel.learning.catalogue_import.urls")),
]
