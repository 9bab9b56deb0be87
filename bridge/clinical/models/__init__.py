"""The clinical record's tables, one module per part of the chart."""

from bridge.clinical.models.meds import (
    Administration,
    DoseChange,
    MedicationOrder,
    NaloxoneOffer,
    OtpCoordinationNote,
    OtpEnrollment,
    PdmpSetting,
)
from bridge.clinical.models.notes import Addendum, GroupNoteEntry, Note
from bridge.clinical.models.plans import (
    Goal,
    Intervention,
    Objective,
    PlanReview,
    PlanVersion,
    Problem,
    ReviewPolicy,
    TreatmentPlan,
)
from bridge.clinical.models.screens import DrugScreen, DrugScreenResult

__all__ = [
    "Addendum",
    "Administration",
    "DoseChange",
    "DrugScreen",
    "DrugScreenResult",
    "Goal",
    "GroupNoteEntry",
    "Intervention",
    "MedicationOrder",
    "NaloxoneOffer",
    "Note",
    "Objective",
    "OtpCoordinationNote",
    "OtpEnrollment",
    "PdmpSetting",
    "PlanReview",
    "PlanVersion",
    "Problem",
    "ReviewPolicy",
    "TreatmentPlan",
]
