"""Learning: the catalogue, cohorts with sessions, enrolment, attendance, evidence and internal
learning. The models are split by concept; import them from here."""

from kapabel.learning.models.catalogue import (
    DEFAULT_COMPLETION_YEARS,
    DEFAULT_MERIT_LIMIT_ECTS,
    INTERNAL_KINDS,
    QF_LEVELS,
    SEED_CATEGORIES,
    Category,
    EducationModule,
    LearningSettings,
    Level,
    Merit,
    Offer,
    OfferCompetence,
    OfferKind,
    Provider,
)
from kapabel.learning.models.cohorts import Cohort, Facilitator, Interest, Room, Session
from kapabel.learning.models.enrolment import (
    ENDED_STATUSES,
    LIVE_STATUSES,
    PENDING_STATUSES,
    PLACE_STATUSES,
    TRANSITIONS,
    Attendance,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
)
from kapabel.learning.models.evidence import CalendarFeed, Evidence, InternalActivity
from kapabel.learning.models.notifications import NotificationLog, NotificationPreference
from kapabel.learning.models.search import CatalogueImport, OfferSearch

__all__ = [
    "DEFAULT_COMPLETION_YEARS",
    "DEFAULT_MERIT_LIMIT_ECTS",
    "ENDED_STATUSES",
    "INTERNAL_KINDS",
    "LIVE_STATUSES",
    "PENDING_STATUSES",
    "PLACE_STATUSES",
    "QF_LEVELS",
    "SEED_CATEGORIES",
    "TRANSITIONS",
    "Attendance",
    "CalendarFeed",
    "CatalogueImport",
    "Category",
    "Cohort",
    "EducationModule",
    "Enrolment",
    "EnrolmentStatus",
    "EnrolmentStatusChange",
    "Evidence",
    "Facilitator",
    "Interest",
    "InternalActivity",
    "LearningSettings",
    "Level",
    "Merit",
    "NotificationLog",
    "NotificationPreference",
    "Offer",
    "OfferCompetence",
    "OfferKind",
    "OfferSearch",
    "Provider",
    "Room",
    "Session",
]
