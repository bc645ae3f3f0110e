"""Writes to frameworks, scales, competences, profiles, targets and consultations. Each validates,
runs in a transaction and leaves an audit event. Published versions are frozen.

One module per concept; import from here (`from kapabel.competences import services`):
- `frameworks`: frameworks, versions (publish, new draft, retire) and scales;
- `tree`: the competences of a draft version, and how they continue into later versions;
- `profiles`: target profiles and their targets (also the whole profile matrix at once);
- `targets`: a person's own targets;
- `consultations`: co-creation (comments, proposals, decisions);
- `exchange`: writing an imported file as a new framework.
"""

from kapabel.competences.content import default_levels, validate_levels
from kapabel.competences.services.common import COMPETENCE_FIELDS, FRAMEWORK_FIELDS, PROFILE_FIELDS
from kapabel.competences.services.consultations import (
    comment_add,
    comment_decide,
    consultation_close,
    consultation_open,
)
from kapabel.competences.services.exchange import framework_import
from kapabel.competences.services.frameworks import (
    framework_create,
    framework_set_sharing,
    framework_update,
    scale_create,
    scale_update,
    version_create_draft,
    version_publish,
    version_retire,
    version_set_scale,
)
from kapabel.competences.services.profiles import (
    TargetRow,
    profile_create,
    profile_create_version,
    profile_matrix_save,
    profile_publish,
    profile_retire,
    profile_save,
    profile_set_targets,
    profile_update,
    profiles_move_to_version,
)
from kapabel.competences.services.targets import individual_target_remove, individual_target_set
from kapabel.competences.services.tree import (
    competence_create,
    competence_delete,
    competence_move,
    competence_reorder,
    competence_set_related,
    competence_update,
    follow_competences,
    mapping_set,
)

__all__ = [
    "COMPETENCE_FIELDS",
    "FRAMEWORK_FIELDS",
    "PROFILE_FIELDS",
    "TargetRow",
    "comment_add",
    "comment_decide",
    "competence_create",
    "competence_delete",
    "competence_move",
    "competence_reorder",
    "competence_set_related",
    "competence_update",
    "consultation_close",
    "consultation_open",
    "default_levels",
    "follow_competences",
    "framework_create",
    "framework_import",
    "framework_set_sharing",
    "framework_update",
    "individual_target_remove",
    "individual_target_set",
    "mapping_set",
    "profile_create",
    "profile_create_version",
    "profile_matrix_save",
    "profile_publish",
    "profile_retire",
    "profile_save",
    "profile_set_targets",
    "profile_update",
    "profiles_move_to_version",
    "scale_create",
    "scale_update",
    "validate_levels",
    "version_create_draft",
    "version_publish",
    "version_retire",
    "version_set_scale",
]
