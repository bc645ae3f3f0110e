from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kapabel.privacy"
    label = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from kapabel.core.audit.present import describe_actions
        from kapabel.core.navigation import NavItem, register
        from kapabel.privacy.audit_labels import ACTIONS
        from kapabel.privacy.permissions import handles_personal_data_anywhere

        describe_actions(ACTIONS)
        register(NavItem("privacy:index", _("Data protection"), handles_personal_data_anywhere, order=910))
