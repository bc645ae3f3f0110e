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
        # Menu entries, start-page sections and task providers (see docs/learning.md); demo steps are
        # registered here as the demo lands.
        from kapabel.core.navigation import NavItem, register, register_task_provider
        from kapabel.learning import home, permissions

        home.register_sections()
        register_task_provider(home.tasks_for_user)
        register(NavItem("learning:mine", _("My learning"), lambda s: s.employee_id is not None, order=16))
        register(
            NavItem(
                "learning:catalogue",
                _("Course catalogue"),
                lambda s: s.is_platform_admin or bool(s.municipality_ids),
                order=60,
            )
        )
        register(NavItem("learning:approvals", _("Approvals"), permissions.approves_anywhere, order=61))
        register(
            NavItem("learning:cohort_list", _("Cohorts"), permissions.administers_learning_anywhere, order=62)
        )
