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
