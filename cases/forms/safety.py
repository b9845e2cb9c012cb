"""Forms for safety plans. The rules live in cases.services.safety; forms check input."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.dates import DateKind, date_problem
from common.versioning import VersionField

from ..models import CaseParty, SafetyPlan, SafetyPlanPart
from ..services.safety import PART_FIELDS, PlanContent, shareable_choices
from .core import DateInput


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CaseParty) -> str:
        return f"{obj.person} ({obj.role_summary})"


class SafetyPlanForm(forms.Form):
    """One version of a plan. ``parties``: the victims and children without a plan (a new
    plan); ``None`` when editing. ``may_choose_sharing``: the case director's choice of
    what a consultation may hear; the field is left out for the rest of the team."""

    agreed_on = forms.DateField(
        label=_("Agreed on"),
        initial=timezone.localdate,
        widget=DateInput(),
        help_text=_("The day this version of the plan was agreed with the person."),
    )
    review_on = forms.DateField(
        label=_("Review on"),
        widget=DateInput(),
        help_text=_("When the plan is looked at again; after the day it was agreed."),
    )
    warning_signs = forms.CharField(
        label=_("Warning signs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What tells that danger is rising."),
    )
    safe_places = forms.CharField(
        label=_("Safe places"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Confidential: for the case team only."),
    )
    people_to_call = forms.CharField(
        label=_("People to call"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Names and phone numbers of trusted people. Confidential: for the case team only."
        ),
    )
    code_word = forms.CharField(
        label=_("Code word"),
        required=False,
        max_length=200,
        help_text=_("Confidential: for the case team only."),
    )
    perpetrator_agreements = forms.CharField(
        label=_("Agreements with the perpetrator"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where relevant."),
    )
    children_arrangements = forms.CharField(
        label=_("Arrangements for the children"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shareable_parts = forms.MultipleChoiceField(
        label=_("Parts that may be shared in a consultation"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Shown in the consultation view of an art. 458ter consultation. Safe places, "
            "people to call and the code word are never shared."
        ),
    )

    # The version the edit form was opened with (a new plan has none: removed below).
    version = VersionField()

    def __init__(
        self,
        *args: Any,
        parties: QuerySet[CaseParty] | None = None,
        plan: SafetyPlan | None = None,
        may_choose_sharing: bool = False,
        **kwargs: Any,
    ) -> None:
        if plan is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(plan, name) for name in PART_FIELDS},
                    "agreed_on": plan.agreed_on,
                    "review_on": plan.review_on,
                    "shareable_parts": list(plan.shareable_parts),
                    "version": plan.version,
                },
            )
        super().__init__(*args, **kwargs)
        if parties is not None:
            self.fields = {
                "party": PartyChoiceField(
                    label=_("Safety plan for"),
                    queryset=parties,
                    empty_label=None,
                    help_text=_("A victim or a child in this case without a safety plan."),
                ),
                **self.fields,
            }
            del self.fields["version"]
        if may_choose_sharing:
            allowed = shareable_choices()
            sharing = self.fields["shareable_parts"]
            assert isinstance(sharing, forms.MultipleChoiceField)
            sharing.choices = [
                (value, label) for value, label in SafetyPlanPart.choices if value in allowed
            ]
        else:
            del self.fields["shareable_parts"]

    def clean_agreed_on(self) -> Any:
        value = self.cleaned_data["agreed_on"]
        if problem := date_problem(value, DateKind.HAPPENED):
            raise forms.ValidationError(problem)
        return value

    def clean_review_on(self) -> Any:
        value = self.cleaned_data["review_on"]
        if problem := date_problem(value, DateKind.PLANNED):
            raise forms.ValidationError(problem)
        return value

    def content(self) -> PlanContent:
        data = self.cleaned_data
        return PlanContent(
            agreed_on=data["agreed_on"],
            review_on=data["review_on"],
            **{name: data[name] for name in PART_FIELDS},
        )

    def shareable(self) -> list[str] | None:
        """The chosen parts, or ``None`` when this user does not choose them (unchanged)."""
        if "shareable_parts" not in self.fields:
            return None
        return list(self.cleaned_data["shareable_parts"])
