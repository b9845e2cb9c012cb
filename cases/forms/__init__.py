from .core import (
    AnonymousConsultForm,
    CaseEditForm,
    CaseRegisterForm,
    CaseShareForm,
    CloseForm,
    CoDirectorForm,
    DateInput,
    DirectorForm,
    ReopenForm,
    StatusChangeForm,
    TrackChangeForm,
)
from .referrals import ReferralAnswerForm, ReferralForm

__all__ = [
    "AnonymousConsultForm",
    "CaseEditForm",
    "CaseRegisterForm",
    "CaseShareForm",
    "CloseForm",
    "CoDirectorForm",
    "DateInput",
    "DirectorForm",
    "ReferralAnswerForm",
    "ReferralForm",
    "ReopenForm",
    "StatusChangeForm",
    "TrackChangeForm",
]
