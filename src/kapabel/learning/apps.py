from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "kapabel.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
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
