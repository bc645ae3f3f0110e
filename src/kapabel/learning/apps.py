from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "kapabel.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        # Menu entries, start-page sections, task providers and demo steps are registered here as the
        # pages and the demo land (see docs/learning.md).
        from kapabel.learning import events, notifications

        events.register(notifications.on_event)
        from kapabel.core.navigation import NavItem, register
        from kapabel.learning.permissions import administers_learning_anywhere

        register(
            NavItem("learning:catalogue_import", _("Course import"), administers_learning_anywhere, order=46)
        )
        from kapabel.core import demo
        from kapabel.learning.demo import build_learning

        demo.register(50, "learning", build_learning)
