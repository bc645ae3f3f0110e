"""The HR import's services: receive files, check them, apply them. The web page, the API, the
background task and `kapabel import-hr` all go through these.

Steps: the web page and the API record an upload with `hrimport_upload` (the files as they came and
their checksums; nothing is parsed in the request) and the background task reads them within the
limits (`hrimport_read`, dropping the CPR column), checks them (`hrimport_check`: counts, a sample of
row diffs and the problems, the preview) and, once a person confirms the preview (`hrimport_confirm`,
whose one precondition is `hrimport_confirm_refusal`) or at once from the API, applies them
(`hrimport_apply`: checks again and writes everything in one transaction with one audit event). With
any error nothing is written unless `skip_invalid`. `kapabel import-hr` runs the same steps at once
(`hrimport_receive` reads the files). An unconfirmed upload may be discarded (`hrimport_discard`);
an import whose process died is marked failed (`hrimport_fail_dead`).

By concept: `records` (the import row while a process works on it: status, progress, heartbeat),
`steps`, `workflow` (what a person does: upload, confirm, discard) and `liveness` (dead runs).
"""

from kapabel.organisation.hr_import.services.liveness import (
    hrimport_fail_dead,
    hrimport_fail_if_dead,
    hrimport_seems_dead,
)
from kapabel.organisation.hr_import.services.records import MAX_PROBLEMS, Abandoned, record_progress
from kapabel.organisation.hr_import.services.steps import (
    GAP_REBUILD_THRESHOLD,
    hrimport_apply,
    hrimport_check,
    hrimport_fail,
    hrimport_process,
    hrimport_read,
    hrimport_receive,
)
from kapabel.organisation.hr_import.services.workflow import (
    hrimport_confirm,
    hrimport_confirm_refusal,
    hrimport_discard,
    hrimport_discard_refusal,
    hrimport_may_confirm,
    hrimport_may_discard,
    hrimport_upload,
)

__all__ = [
    "GAP_REBUILD_THRESHOLD",
    "MAX_PROBLEMS",
    "Abandoned",
    "hrimport_apply",
    "hrimport_check",
    "hrimport_confirm",
    "hrimport_confirm_refusal",
    "hrimport_discard",
    "hrimport_discard_refusal",
    "hrimport_fail",
    "hrimport_fail_dead",
    "hrimport_fail_if_dead",
    "hrimport_may_confirm",
    "hrimport_may_discard",
    "hrimport_process",
    "hrimport_read",
    "hrimport_receive",
    "hrimport_seems_dead",
    "hrimport_upload",
    "record_progress",
]
