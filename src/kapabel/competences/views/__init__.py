"""HTML views for frameworks, profiles and consultations, one module per concept. Thin: fetch with an
access check, call a selector or a service, render. The framework tree is one template partial,
re-rendered by HTMX after a move."""

from kapabel.competences.views.consultations import (
    comment_decide,
    consultation_close,
    consultation_detail,
    consultation_list,
    profile_consult,
    version_consult,
)
from kapabel.competences.views.frameworks import (
    framework_create,
    framework_detail,
    framework_edit,
    framework_import,
    framework_list,
    framework_move_profiles,
    framework_new_version,
    version_export,
    version_publish,
)
from kapabel.competences.views.profiles import (
    profile_create,
    profile_detail,
    profile_edit,
    profile_matrix,
    profile_new_version,
    profile_publish,
)
from kapabel.competences.views.tree import (
    competence_create,
    competence_delete,
    competence_edit,
    competence_move,
    competence_reorder,
)

__all__ = [
    "comment_decide",
    "competence_create",
    "competence_delete",
    "competence_edit",
    "competence_move",
    "competence_reorder",
    "consultation_close",
    "consultation_detail",
    "consultation_list",
    "framework_create",
    "framework_detail",
    "framework_edit",
    "framework_import",
    "framework_list",
    "framework_move_profiles",
    "framework_new_version",
    "profile_consult",
    "profile_create",
    "profile_detail",
    "profile_edit",
    "profile_matrix",
    "profile_new_version",
    "profile_publish",
    "version_consult",
    "version_export",
    "version_publish",
]
