from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "kapabel.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        # Notifications follow the enrolment events; menu entries, start-page sections, task providers
        # and the demo step are registered here (see docs/learning.md).
        from kapabel.core import demo, personal_data
        from kapabel.core.navigation import NavItem, register, register_task_provider
        from kapabel.learning import events, home, notifications, permissions
        from kapabel.learning.demo import build_learning
        from kapabel.learning.gdpr import LearningData

        events.register(notifications.on_event)
        personal_data.register(LearningData())
        personal_data.declare_not_personal(
            "learning.Cohort", "who created a cohort: a link to a login, which core anonymises"
        )
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
