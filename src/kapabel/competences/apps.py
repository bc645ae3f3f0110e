from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetencesConfig(AppConfig):
    name = "kapabel.competences"
    label = "competences"
    verbose_name = _("Competences")

    def ready(self) -> None:
        from kapabel.competences.demo import build_competences
        from kapabel.competences.home import register_sections, tasks_for_user
        from kapabel.core import demo
        from kapabel.core.navigation import NavItem, register, register_task_provider

        register_task_provider(tasks_for_user)
        register_sections()

        demo.register(20, "competences", build_competences)

        from kapabel.competences.audit_labels import ACTIONS
        from kapabel.competences.gdpr import CompetencesData
        from kapabel.core import personal_data
        from kapabel.core.audit.present import describe_actions

        describe_actions(ACTIONS)
        personal_data.register(CompetencesData())
        register(
            NavItem(
                "competences:framework_list",
                _("Competence frameworks"),
                lambda s: s.user_id is not None,
                order=50,
            )
        )
        register(
            NavItem(
                "competences:consultation_list", _("Consultations"), lambda s: s.user_id is not None, order=55
            )
        )
