from django.urls import URLPattern, URLResolver

app_name = "learning"
# The learning pages (catalogue, "Min læring", approvals, cohort administration) land here.
urlpatterns: list[URLPattern | URLResolver] = []
