from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "kapabel.dialogues"
    label = "dialogues"
    verbose_name = _("Development dialogues")

    def ready(self) -> None:
        # Menu entries and the demo step (see docs/dialogues.md).
        from kapabel.core import demo
        from kapabel.core.navigation import NavItem, register
        from kapabel.dialogues import permissions
        from kapabel.dialogues.demo import build_dialogues

        register(NavItem("dialogues:mine", _("My dialogue"), lambda s: s.employee_id is not None, order=17))
        register(NavItem("dialogues:team", _("Dialogues"), permissions.leads_dialogues_anywhere, order=64))
        register(
            NavItem(
                "dialogues:coverage", _("Dialogue coverage"), permissions.sees_coverage_anywhere, order=65
            )
        )
        demo.register(60, "dialogues", build_dialogues)
