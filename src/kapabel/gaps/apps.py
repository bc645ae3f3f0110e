from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GapsConfig(AppConfig):
    name = "kapabel.gaps"
    label = "gaps"
    verbose_name = _("Gap analysis")

    def ready(self) -> None:
        from kapabel.core import announce, demo
        from kapabel.gaps import upkeep

        # The lower apps announce changes through core; the gap aggregates follow them.
        announce.register(upkeep)
        from kapabel.core.navigation import NavItem, register
        from kapabel.gaps.demo import build_gaps, suspend_upkeep
        from kapabel.gaps.home import register_sections

        register_sections()

        demo.register(0, "gaps: upkeep suspended", suspend_upkeep)
        demo.register(40, "gaps", build_gaps)

        from kapabel.core import personal_data
        from kapabel.core.audit.present import describe_actions
        from kapabel.gaps.audit_labels import ACTIONS
        from kapabel.gaps.gdpr import GapsData

        describe_actions(ACTIONS)
        personal_data.register(GapsData())
        register(NavItem("gaps:heatmap", _("Gap analysis"), lambda s: s.reads_people, order=50))
        register(NavItem("gaps:priorities", _("Priorities"), lambda s: s.reads_people, order=51))
        register(
            NavItem("gaps:my_profile", _("My competence profile"), lambda s: bool(s.employee_id), order=52)
        )
