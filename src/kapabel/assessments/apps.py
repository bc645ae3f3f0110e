from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "kapabel.assessments"
    label = "assessments"
    verbose_name = _("Competence clarification")

    def ready(self) -> None:
        from kapabel.assessments.demo import build_campaigns
        from kapabel.assessments.demo_surveys import build_surveys
        from kapabel.assessments.home import register_sections, tasks_for_user
        from kapabel.core import demo
        from kapabel.core.navigation import NavItem, register, register_task_provider

        demo.register(30, "assessments", build_campaigns)
        demo.register(35, "surveys", build_surveys)

        from kapabel.assessments.audit_labels import ACTIONS
        from kapabel.assessments.gdpr import AssessmentsData
        from kapabel.core import personal_data
        from kapabel.core.audit.present import describe_actions

        describe_actions(ACTIONS)
        personal_data.register(AssessmentsData())
        register_task_provider(tasks_for_user)
        register_sections()
        register(
            NavItem(
                "assessments:my_assessments",
                _("My competences"),
                lambda s: s.employee_id is not None,
                order=15,
            )
        )
        register(NavItem("assessments:campaign_list", _("Clarification"), lambda s: s.reads_people, order=50))
