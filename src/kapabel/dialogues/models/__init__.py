"""Models of the dialogues app, split by concept: cycles and dialogues, plans."""

from kapabel.dialogues.models.cycles import (
    AgreedLevel,
    Consent,
    Cycle,
    Dialogue,
    DialogueState,
    GroupDialogue,
    PersonStatus,
    Preparation,
    Summary,
)
from kapabel.dialogues.models.plans import FollowUp, Plan, PlanActivity, PlanGoal, PlanVersion

__all__ = [
    "AgreedLevel",
    "Consent",
    "Cycle",
    "Dialogue",
    "DialogueState",
    "FollowUp",
    "GroupDialogue",
    "PersonStatus",
    "Plan",
    "PlanActivity",
    "PlanGoal",
    "PlanVersion",
    "Preparation",
    "Summary",
]
