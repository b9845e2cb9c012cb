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

__all__ = [
    "AnonymousConsultForm",
    "CaseEditForm",
    "CaseRegisterForm",
    "CaseShareForm",
    "CloseForm",
    "CoDirectorForm",
    "DateInput",
    "DirectorForm",
    "ReopenForm",
    "StatusChangeForm",
    "TrackChangeForm",
]
