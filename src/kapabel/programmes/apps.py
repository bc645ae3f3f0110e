from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "kapabel.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        # The menu entry, the demo step and the personal-data registration (docs/programmes.md).
        from kapabel.core import demo
        from kapabel.core.navigation import NavItem, register
        from kapabel.programmes import permissions, privacy
        from kapabel.programmes.demo import build_programmes

        register(NavItem("programmes:list", _("Programmes"), permissions.sees_programmes_anywhere, order=66))
        demo.register(70, "programmes", build_programmes)
        privacy.register()
