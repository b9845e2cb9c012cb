"""Forms of break-glass. The rules (a reason first, a duration up to the maximum, a verdict
with a comment) live in ``cases.services.break_glass``: the fields are optional here so
that its Dutch messages show, in its order."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import BreakGlassVerdict
from ..services.break_glass import REASON_MIN_LENGTH, break_glass_hour_choices


class BreakGlassRequestForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=30,
        required=False,
        help_text=_("The exact reference of the case, as its team gave it to you."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Why you must act on this case now. The case's directors and the data protection "
            "officer read it; do not name the people in the case."
        ),
    )
    hours = forms.TypedChoiceField(
        label=_("For how long"),
        coerce=int,
        empty_value=0,  # type: ignore[arg-type]  # (the stubs expect a string)
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].choices = [  # type: ignore[attr-defined]
            (hours, ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
            for hours in break_glass_hour_choices()
        ]
        self.fields["reason"].widget.attrs["minlength"] = REASON_MIN_LENGTH


class BreakGlassReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=BreakGlassVerdict.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
