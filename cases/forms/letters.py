"""Forms for the letters from templates: one per letter, with the addressee and the letter's
own fields. The rules (a person of this case, a closed case for the closing letter, a day to
come for an invitation) live in cases.services.letters; the forms check the input."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import CaseParty, Referral
from ..services.letters import Meeting
from .core import DateInput


class _PartyField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CaseParty) -> str:
        return f"{obj.person} ({obj.role_summary})"


class _ReferralField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Referral) -> str:
        return f"{obj.partner} ({obj.referred_on:%d-%m-%Y}, {obj.get_status_display()})"


class LetterForm(forms.Form):
    """A letter to a person in the case: the choices are the case's people the user sees."""

    def __init__(
        self,
        *args: Any,
        parties: QuerySet[CaseParty],
        referrals: QuerySet[Referral],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "addressee": _PartyField(
                label=_("Addressee"),
                queryset=parties,
                help_text=_("Their name is printed in the letter only, never in the file name."),
                error_messages={
                    "required": _("Choose the addressee."),
                    "invalid_choice": _("Choose a person of this case."),
                },
            ),
            **self.fields,
        }


class InformationLetterForm(LetterForm):
    pass


class InvitationLetterForm(LetterForm):
    meeting = forms.ChoiceField(
        label=_("Invitation to"),
        choices=Meeting.choices,
        error_messages={"required": _("Choose what the invitation is for.")},
    )
    day = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        error_messages={"required": _("Give the date of the meeting.")},
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Give the time of the meeting.")},
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_("The address, or the name of the meeting room."),
        error_messages={"required": _("Give the place of the meeting.")},
    )


class ClosingLetterForm(LetterForm):
    further_help = forms.CharField(
        label=_("Further help (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Where the person can turn later besides the helpline 1712 and your organisation, "
            "for instance a partner who goes on helping."
        ),
    )


class ReferralLetterForm(forms.Form):
    """A letter to the partner organisation of an outgoing referral of the case."""

    agreed_information = forms.CharField(
        label=_("Information agreed to pass on"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Only what was agreed with the family to pass on for this referral, not the whole "
            "file. The referral's reason is printed as well."
        ),
        error_messages={"required": _("Write down what was agreed to pass on to the partner.")},
    )

    def __init__(
        self,
        *args: Any,
        parties: QuerySet[CaseParty],
        referrals: QuerySet[Referral],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "referral": _ReferralField(
                label=_("Referral"),
                queryset=referrals,
                help_text=_("The letter is addressed to the partner organisation of the referral."),
                error_messages={
                    "required": _("Choose the referral."),
                    "invalid_choice": _("Choose a referral of this case to a partner."),
                },
            ),
            **self.fields,
        }


LETTER_FORMS: dict[str, type[forms.Form]] = {
    "invitation": InvitationLetterForm,
    "information": InformationLetterForm,
    "referral": ReferralLetterForm,
    "closing": ClosingLetterForm,
}
