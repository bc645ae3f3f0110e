from django.contrib.auth import views as auth_views
from django.urls import path

from kapabel.core import views
from kapabel.core.auth import LoginView, LogoutView
from kapabel.core.forms import KapabelPasswordChangeForm

urlpatterns = [
    path("", views.home, name="home"),
    path("tilgaengelighed/", views.accessibility_statement, name="accessibility"),
    path("audit/", views.audit_log, name="audit_log"),
    path("municipality/", views.switch_municipality, name="switch_municipality"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("account/login/", LoginView.as_view(), name="login"),
    path("account/logout/", LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(form_class=KapabelPasswordChangeForm, success_url="done/"),
        name="password_change",
    ),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
