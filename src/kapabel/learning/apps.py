from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "kapabel.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        # Notifications follow the enrolment events; menu entries, start-page sections, task providers
        # and the demo step are registered here (see docs/learning.md).
        from kapabel.core import demo
        from kapabel.core.navigation import NavItem, register, register_task_provider
        from kapabel.learning import events, home, notifications, permissions
        from kapabel.learning.demo import build_learning

        events.register(notifications.on_event)
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
        register(
            NavItem(
                "learning:catalogue_import",
                _("Course import"),
                permissions.administers_learning_anywhere,
                order=63,
            )
        )
        demo.register(50, "learning", build_learning)
