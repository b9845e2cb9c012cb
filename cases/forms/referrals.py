"""Forms for referrals. They check input; the rules (dates, state machine) live in the services."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.versioning import VersionField
from partners.models import Organisation

from ..models import Referral, ReferralDirection, ReferralStatus
from ..services.shares import ALL_GROUND_FIELDS
from .core import DateInput
from .sharing import BLANK, CHOSEN_GROUNDS, ShareTermsForm

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

    partner_information = forms.CharField(
        label=_("Information for the partner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What was agreed to pass on. With the reason, it is all the partner sees in its "
            "inbox: no names unless you choose to write them."
        ),
    )
    # The ground for sharing with the partner (outgoing referrals): the service checks it.
    ground = forms.ChoiceField(
        label=_("Ground for sharing"), choices=BLANK + CHOSEN_GROUNDS, required=False
    )
    consent_given_by = ShareTermsForm.base_fields["consent_given_by"]
    consent_given_on = ShareTermsForm.base_fields["consent_given_on"]
    consent_purpose = ShareTermsForm.base_fields["consent_purpose"]
    consultation_reference = ShareTermsForm.base_fields["consultation_reference"]
    necessity_reason = ShareTermsForm.base_fields["necessity_reason"]
    legal_duty = ShareTermsForm.base_fields["legal_duty"]

    def __init__(self, *args: Any, direction: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if direction == ReferralDirection.INCOMING:
            self.fields["partner"].label = _("Referring partner organisation")
            self.fields["referred_on"].label = _("Date the partner referred the case")
            for name in ("partner_information", "ground", *ALL_GROUND_FIELDS):
                del self.fields[name]
        else:
            self.conditionally_required = {
                name: _("required for the chosen ground") for name in ALL_GROUND_FIELDS
            }
            self.fields["ground"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("ground", *ALL_GROUND_FIELDS, "partner_information"):
            if name in self.fields and data.get(name) is None:
                data[name] = "" if name != "consent_given_on" else None
        return data


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
