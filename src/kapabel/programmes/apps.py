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
        from kapabel.core import personal_data

        for label, why in (
            ("programmes.Programme", "its owner in their work role; nothing about them"),
            ("programmes.TargetLine", "a named person in the target group; their participation is exported"),
            ("programmes.SteeringMember", "membership of a steering group, a work role; a link to a login"),
        ):
            personal_data.declare_not_personal(label, why)
