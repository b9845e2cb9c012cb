from .break_glass import BreakGlassAccess, BreakGlassReview, BreakGlassVerdict
from .case import (
    Case,
    CaseGroupObjectPermission,
    CaseQuerySet,
    CaseUserObjectPermission,
    ReferrerKind,
    Status,
    Track,
    Urgency,
)
from .documents import CaseDocument, DocumentKind, DocumentVersion
from .events import CaseEvent, EventKind, StatusChange, TrackChange
from .hits import HitNotice, RepeatMatch
from .journal import CaseAction, Channel, EntryKind, JournalEntry, Visibility
from .judicial import (
    Breach,
    ConditionKind,
    Hearing,
    JudicialCondition,
    Measure,
    MeasureExtension,
    MeasureKind,
    PoliceReport,
    ProsecutionDecision,
    ProsecutionDecisionKind,
)
from .numbering import ReferenceCounter, format_reference, reference_sort_keys
from .people import AgeBand, CaseParty, Gender, PartyRelation, PartyRole, Person, RelationKind
from .reference import ClosingReason, ViolenceForm, ViolenceFormCode
from .referrals import Referral, ReferralDirection, ReferralStatus
from .safety import SafetyPlan, SafetyPlanPart
from .sharing import CaseShare, OwnershipChange, ShareEndReason, ShareGround
from .team import CasePartner, CoDirector

__all__ = [
    "AgeBand",
    "Breach",
    "BreakGlassAccess",
    "BreakGlassReview",
    "BreakGlassVerdict",
    "Case",
    "CaseAction",
    "CaseDocument",
    "CaseEvent",
    "CaseGroupObjectPermission",
    "CasePartner",
    "CaseParty",
    "CaseQuerySet",
    "CaseShare",
    "CaseUserObjectPermission",
    "Channel",
    "ClosingReason",
    "CoDirector",
    "ConditionKind",
    "DocumentKind",
    "DocumentVersion",
    "EntryKind",
    "EventKind",
    "Gender",
    "Hearing",
    "HitNotice",
    "JournalEntry",
    "JudicialCondition",
    "Measure",
    "MeasureExtension",
    "MeasureKind",
    "OwnershipChange",
    "PartyRelation",
    "PartyRole",
    "Person",
    "PoliceReport",
    "ProsecutionDecision",
    "ProsecutionDecisionKind",
    "ReferenceCounter",
    "Referral",
    "ReferralDirection",
    "ReferralStatus",
    "ReferrerKind",
    "RelationKind",
    "RepeatMatch",
    "SafetyPlan",
    "SafetyPlanPart",
    "ShareEndReason",
    "ShareGround",
    "Status",
    "StatusChange",
    "Track",
    "TrackChange",
    "Urgency",
    "ViolenceForm",
    "ViolenceFormCode",
    "Visibility",
    "format_reference",
    "reference_sort_keys",
]
