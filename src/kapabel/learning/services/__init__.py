"""Writes for learning, split by concept; import them from here:
`from kapabel.learning import services; services.enrolment_book(...)`.

Every service takes keyword-only arguments and an `actor` (a User, checked against
`kapabel.learning.permissions`, or a system label such as "demo" or "cli", which is not), runs in one
transaction, refuses with `Refused` (a ValidationError with a code) or PermissionDenied writing
nothing, and writes the audit log; enrolment moves also write the append-only status history."""

from kapabel.learning.services.bulk import BulkResult, enrolments_bulk_book
from kapabel.learning.services.catalogue import (
    OFFER_FIELDS,
    category_create,
    category_delete,
    category_update,
    education_module_set,
    learning_settings_update,
    learning_setup,
    merit_grant,
    offer_create,
    offer_set_competences,
    offer_set_prerequisites,
    offer_update,
    provider_create,
    provider_update,
)
from kapabel.learning.services.cohorts import (
    SessionSpec,
    cohort_cancel,
    cohort_create,
    cohort_set_status,
    cohort_update,
    cohorts_advance,
    facilitator_add,
    interest_offer_places,
    interest_register,
    room_create,
    session_create,
    session_delete,
    session_update,
)
from kapabel.learning.services.enrolment import (
    enrolment_approve,
    enrolment_book,
    enrolment_cancel,
    enrolment_decline,
    enrolment_request,
    waitlist_promote,
)
from kapabel.learning.services.evidence import (
    evidence_confirm,
    evidence_create_for_enrolment,
    internal_activity_create,
    internal_activity_update,
)
from kapabel.learning.services.feeds import calendar_feed_get_or_create, calendar_feed_renew
from kapabel.learning.services.guards import Refused
from kapabel.learning.services.pairing import internal_pairing_create
from kapabel.learning.services.preferences import notification_preference_set
from kapabel.learning.services.results import attendance_record, enrolment_complete, enrolment_fail
from kapabel.learning.services.state import has_manager, needs_hr_approval

__all__ = [
    "OFFER_FIELDS",
    "BulkResult",
    "Refused",
    "SessionSpec",
    "attendance_record",
    "calendar_feed_get_or_create",
    "calendar_feed_renew",
    "category_create",
    "category_delete",
    "category_update",
    "cohort_cancel",
    "cohort_create",
    "cohort_set_status",
    "cohort_update",
    "cohorts_advance",
    "education_module_set",
    "enrolment_approve",
    "enrolment_book",
    "enrolment_cancel",
    "enrolment_complete",
    "enrolment_decline",
    "enrolment_fail",
    "enrolment_request",
    "enrolments_bulk_book",
    "evidence_confirm",
    "evidence_create_for_enrolment",
    "facilitator_add",
    "has_manager",
    "interest_offer_places",
    "interest_register",
    "internal_activity_create",
    "internal_activity_update",
    "internal_pairing_create",
    "learning_settings_update",
    "learning_setup",
    "merit_grant",
    "needs_hr_approval",
    "notification_preference_set",
    "offer_create",
    "offer_set_competences",
    "offer_set_prerequisites",
    "offer_update",
    "provider_create",
    "provider_update",
    "room_create",
    "session_create",
    "session_delete",
    "session_update",
    "waitlist_promote",
]
