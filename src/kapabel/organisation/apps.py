from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "kapabel.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from kapabel.core import access, demo
        from kapabel.core.navigation import NavItem, register
        from kapabel.organisation.access import resolve_scope
        from kapabel.organisation.demo import build_organisation
        from kapabel.organisation.home import register_sections

        access.register_resolver(resolve_scope)

        from kapabel.core import personal_data
        from kapabel.core.audit.present import describe_actions
        from kapabel.core.audit.search import register_person_finder, register_person_namer
        from kapabel.organisation.audit_labels import ACTIONS
        from kapabel.organisation.gdpr import OrganisationData
        from kapabel.organisation.selectors import employee_ids_matching, employee_names

        describe_actions(ACTIONS)
        personal_data.register(OrganisationData())
        register_person_finder(employee_ids_matching)
        register_person_namer(employee_names)
        register_sections()

        demo.register(10, "organisation", build_organisation)

        register(NavItem("organisation:employee_list", _("Employees"), lambda s: s.reads_people, order=20))
        register(NavItem("organisation:unit_list", _("Organisation"), lambda s: s.reads_people, order=30))
        register(NavItem("organisation:job_role_list", _("Job roles"), lambda s: s.reads_people, order=40))

        from kapabel.organisation.permissions import imports_hr_anywhere

        register(NavItem("organisation:hr_import", _("HR import"), imports_hr_anywhere, order=45))

        from kapabel.core import jobs
        from kapabel.organisation.hr_import.services import hrimport_fail_dead

        jobs.register_watchdog("hr_imports", hrimport_fail_dead)
