from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kapabel.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from kapabel.core import personal_data
        from kapabel.core.audit.labels import ACTIONS
        from kapabel.core.audit.present import describe_actions
        from kapabel.core.gdpr import CoreData
        from kapabel.core.navigation import NavItem, register

        describe_actions(ACTIONS)
        personal_data.register(CoreData())

        register(NavItem("home", _("Start"), lambda scope: scope.user_id is not None, order=0))
        register(
            NavItem("audit_log", _("Audit log"), lambda scope: scope.administers_any_municipality, order=900)
        )
