from django.urls import include, path

from kapabel.api.api import api
from kapabel.core import urls as core_urls

urlpatterns = [
    path("", include(core_urls)),
    path("organisation/", include("kapabel.organisation.urls")),
    path("frameworks/", include("kapabel.competences.urls")),
    path("clarification/", include("kapabel.assessments.urls")),
    path("gaps/", include("kapabel.gaps.urls")),
    path("learning/", include("kapabel.learning.urls")),
    path("administration/", include("kapabel.administration.urls")),
    path("sso/", include("kapabel.sso.urls")),
    path("dialogues/", include("kapabel.dialogues.urls")),
    path("programmes/", include("kapabel.programmes.urls")),
    path("privacy/", include("kapabel.privacy.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler403 = "kapabel.core.views.error_403"
handler404 = "kapabel.core.views.error_404"
handler500 = "kapabel.core.views.error_500"
