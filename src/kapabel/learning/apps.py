from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "kapabel.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        # Menu entries, start-page sections, task providers and demo steps are registered here as the
        # pages and the demo land (see docs/learning.md).
        from kapabel.core import demo
        from kapabel.learning.demo import build_learning

        demo.register(50, "learning", build_learning)
