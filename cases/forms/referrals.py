"""Forms for referrals. They check input; the rules (dates, state machine) live in the services."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.versioning import VersionField
from partners.models import Organisation

from ..models import Referral, ReferralDirection, ReferralStatus
from .core import DateInput

ANSWERS = [
    (value, label) for value, label in ReferralStatus.choices if value != ReferralStatus.PENDING
]


class ReferralForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    referred_on = forms.DateField(
        label=_("Date of the referral"), widget=DateInput, initial=timezone.localdate
    )
    reason = forms.CharField(
        label=_("Reason for the referral"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Keep personal data to what the partner needs to do its work. The reason is not "
            "shown on the timeline or to the network."
        ),
    )

    def __init__(self, *args: Any, direction: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if direction == ReferralDirection.INCOMING:
            self.fields["partner"].label = _("Referring partner organisation")
            self.fields["referred_on"].label = _("Date the partner referred the case")


class ReferralAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Answer"), choices=ANSWERS, widget=forms.RadioSelect)
    on = forms.DateField(
        label=_("Date of the answer"), widget=DateInput, initial=timezone.localdate
    )
    decline_reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the referral is declined. No names or other personal data."),
    )
    join_care_trajectory = forms.BooleanField(
        label=_("Add the partner to the care trajectory"), required=False
    )
    care_role = forms.CharField(
        label=_("What the partner does in the care trajectory"), max_length=200, required=False
    )
    version = VersionField()

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # All answers stay on offer even when the state allows fewer: a form opened before
        # someone else answered must reach the service, which answers with an edit conflict.
        if referral.status == ReferralStatus.ACCEPTED:
            self.fields["status"].help_text = _("An accepted referral can only be marked as done.")
        # Only a partner the FJC referred to can join the FJC's care trajectory.
        if referral.direction != ReferralDirection.OUTGOING or referral.case.is_anonymous_consult:
            del self.fields["join_care_trajectory"]
            del self.fields["care_role"]
