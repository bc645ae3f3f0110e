"""Programmes: phases, participants, substitute cover, funding schemes as dated data, applications."""

from kapabel.programmes.models.applications import Application, ApplicationDocument
from kapabel.programmes.models.funding import FundingScheme, ParameterKey, SchemeKind, SchemeParameter
from kapabel.programmes.models.programme import (
    FUNNEL,
    HourlyCost,
    Participant,
    ParticipantPhase,
    Partner,
    Phase,
    PhaseStatus,
    Programme,
    SteeringMember,
    TargetLine,
)
from kapabel.programmes.models.substitutes import Placement, Substitute

__all__ = [
    "FUNNEL",
    "Application",
    "ApplicationDocument",
    "FundingScheme",
    "HourlyCost",
    "ParameterKey",
    "Participant",
    "ParticipantPhase",
    "Partner",
    "Phase",
    "PhaseStatus",
    "Placement",
    "Programme",
    "SchemeKind",
    "SchemeParameter",
    "SteeringMember",
    "Substitute",
    "TargetLine",
]
