from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "kapabel.sso"
    label = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from kapabel.core import auth
        from kapabel.core.navigation import NavItem, register
        from kapabel.sso import second_factor, services
        from kapabel.sso.permissions import can_manage_sso
        from kapabel.sso.views import login

        auth.register_login_options(login.login_options)
        auth.register_local_login_check(services.local_login_refusal)
        auth.register_logout_redirect(login.logout_redirect)
        user_logged_in.connect(second_factor.on_login, dispatch_uid="kapabel.sso.second_factor")
        register(NavItem("sso:provider_list", _("Single sign-on"), can_manage_sso, order=90))
