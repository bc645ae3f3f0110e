from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdministrationConfig(AppConfig):
    name = "kapabel.administration"
    label = "administration"
    verbose_name = _("Administration")

    def ready(self) -> None:
        from kapabel.administration.home import register_sections
        from kapabel.core.navigation import NavItem, register

        register_sections()

        register(
            NavItem(
                "administration:home",
                _("Administration"),
                lambda scope: scope.administers_any_municipality,
                order=890,
            )
        )
