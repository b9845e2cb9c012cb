from .core import (
    AnonymousConsultForm,
    CaseEditForm,
    CaseRegisterForm,
    CloseForm,
    CoDirectorForm,
    DateInput,
    ReopenForm,
    StatusChangeForm,
    TrackChangeForm,
)
from .referrals import ReferralAnswerForm, ReferralForm
from .sharing import CaseShareForm, DirectorForm, ShareTermsForm

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
    "ShareTermsForm",
    "StatusChangeForm",
    "TrackChangeForm",
]
