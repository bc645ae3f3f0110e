from django.urls import path

from kapabel.sso.views import admin, login, second_factor

app_name = "sso"
urlpatterns = [
    path("saml/metadata/", login.saml_metadata, name="saml_metadata"),
    path("saml/acs/", login.saml_acs, name="saml_acs"),
    path("saml/sls/", login.saml_sls, name="saml_sls"),
    path("saml/logout/", login.saml_logout, name="saml_logout"),
    path("oidc/callback/", login.oidc_callback, name="oidc_callback"),
    path("login/<slug:slug>/", login.start, name="start"),
    path("second-factor/", second_factor.second_factor_page, name="second_factor"),
    path("providers/", admin.provider_list, name="provider_list"),
    path("providers/new/<str:protocol>/", admin.provider_create, name="provider_create"),
    path("providers/<int:provider_pk>/", admin.provider_detail, name="provider_detail"),
    path("providers/<int:provider_pk>/edit/", admin.provider_edit, name="provider_edit"),
    path(
        "providers/<int:provider_pk>/mappings/<int:mapping_pk>/remove/",
        admin.role_mapping_remove,
        name="role_mapping_remove",
    ),
    path("login-policy/<int:municipality_pk>/", admin.login_policy, name="login_policy"),
]
