"""Forms for risk assessment. They check input; the rules live in risk.services."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases.forms.core import DateInput, NotInFutureMixin
from cases.models import Case, CaseParty
from common.versioning import VersionField
from partners.models import Organisation

from .models import Assessment, InstrumentVersion, Level, RiskGrade, Section
from .scope import scope_text


class PartyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person} ({obj.role_summary})"


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


def _item_field_name(code: str) -> str:
    return f"item_{code}"


class AssessmentForm(NotInFutureMixin, forms.Form):
    """One question per item of the instrument version, plus date, people and judgement."""

    date_fields = ("assessed_on",)
    # Optional in the form, required in one case (clean()): the label says when (docs/ui.md).
    conditionally_required = {
        "escalation_incidents": _("required when there is an escalation"),
        "scope_reason": _("required outside the instrument's scope"),
    }

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    parties = PartyChoiceField(
        label=_("About"),
        queryset=CaseParty.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The people in the case this assessment is about."),
    )
    escalation = forms.BooleanField(
        label=_("Escalation: repeated incidents recently"),
        required=False,
    )
    escalation_incidents = forms.IntegerField(
        label=_("Number of incidents"), required=False, min_value=1, max_value=999
    )
    escalation_note = forms.CharField(
        label=_("About the escalation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    level = LevelChoiceField(
        label=_("Level by professional judgement"),
        queryset=Level.objects.none(),
        required=False,
        empty_label=_("The computed level"),
        help_text=_("Only to raise the computed level; it can never be lowered."),
    )
    judgement_reason = forms.CharField(
        label=_("Professional judgement: why this level"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scope_reason = forms.CharField(
        label=_("Reason to use the instrument outside its scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, case: Case, instrument_version: InstrumentVersion, **kwargs: Any
    ) -> None:
        kwargs["initial"] = {"assessed_on": timezone.localdate(), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.instrument_version = instrument_version
        self._set_queryset("parties", CaseParty.objects.filter(case=case).select_related("person"))
        self._set_queryset("level", instrument_version.levels.order_by("order"))
        if not instrument_version.has_total:
            level = self.fields["level"]
            level.required = True
            level.label = _("Level (professional judgement)")
            level.help_text = _("This instrument has no total score: you set the level.")
            self.fields["judgement_reason"].required = True
        scope = scope_text(instrument_version.instrument)
        if scope:
            self.fields["scope_reason"].help_text = _(
                "This instrument is made for: %(scope)s. Only when you use it outside that: "
                "why all the same."
            ) % {"scope": scope}
        else:
            del self.fields["scope_reason"]
        if instrument_version.escalation_incidents:
            self.fields["escalation"].help_text = _(
                "For example %(incidents)s or more incidents in %(months)s months. "
                "An escalation is a reason to raise the level."
            ) % {
                "incidents": instrument_version.escalation_incidents,
                "months": instrument_version.escalation_months,
            }
        self.sections: list[Section] = list(
            instrument_version.sections.order_by("order").prefetch_related("items__options")
        )
        for section in self.sections:
            for item in sorted(section.items.all(), key=lambda i: i.order):
                options = sorted(item.options.all(), key=lambda o: o.order)
                self.fields[_item_field_name(item.code)] = forms.ChoiceField(
                    label=f"{item.code.upper()}. {item.text}",
                    choices=[(o.code, o.label) for o in options],
                    widget=forms.RadioSelect,
                    help_text=item.help,
                    error_messages={"required": _("Answer this question.")},
                )

    def _set_queryset(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def grouped_questions(self) -> list[tuple[Section, list[forms.BoundField]]]:
        return [
            (
                section,
                [
                    self[_item_field_name(item.code)]
                    for item in sorted(section.items.all(), key=lambda i: i.order)
                ],
            )
            for section in self.sections
        ]

    def general_fields(self) -> list[forms.BoundField]:
        names = ["assessed_on", "parties", "scope_reason"]
        return [self[name] for name in names if name in self.fields]

    def judgement_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in (
                "escalation",
                "escalation_incidents",
                "escalation_note",
                "level",
                "judgement_reason",
                "notes",
            )
        ]

    def answers(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data[_item_field_name(item.code)]
            for section in self.sections
            for item in section.items.all()
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("escalation") and not cleaned.get("escalation_incidents"):
            self.add_error(
                "escalation_incidents", _("Give the number of incidents that show the escalation.")
            )
        if not cleaned.get("escalation"):
            cleaned["escalation_incidents"] = None
            cleaned["escalation_note"] = ""
        return cleaned


class RaiseLevelForm(NotInFutureMixin, forms.Form):
    date_fields = ("raised_on",)

    version = VersionField()
    level = LevelChoiceField(label=_("New level"), queryset=Level.objects.none())
    # Empty means today (the service's default).
    raised_on = forms.DateField(
        label=_("Raised on"), widget=DateInput(), initial=timezone.localdate, required=False
    )
    reason = forms.CharField(
        label=_("Professional judgement: why the level is higher"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assessment.instrument_version.levels.filter(
            order__gt=assessment.level.order
        ).order_by("order")
        if not assessment.escalation:
            self.fields["reason"].required = True


class AssessmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(date)s — %(instrument)s — %(organisation)s: %(level)s") % {
            "date": date_format(obj.assessed_on, "SHORT_DATE_FORMAT"),
            "instrument": obj.instrument_version.instrument.name,
            "organisation": obj.organisation,
            "level": obj.level.label,
        }


class JointAssessmentForm(NotInFutureMixin, forms.Form):
    date_fields = ("held_on",)

    held_on = forms.DateField(label=_("Agreed on"), widget=DateInput())
    assessments = AssessmentChoiceField(
        label=_("Assessments combined"),
        queryset=Assessment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two assessments of the same situation."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Other organisations that took part"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organisations of the combined assessments take part anyway."),
    )
    level = forms.TypedChoiceField(label=_("Agreed level"), choices=RiskGrade.choices, coerce=int)
    lower_reason = forms.CharField(
        label=_("Why the agreed level is lower than the highest assessment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required only when the agreed level is lower than the highest level."),
    )
    differences_note = forms.CharField(
        label=_("Where the partners differed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Items answered differently are listed automatically."),
    )

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any) -> None:
        kwargs["initial"] = {"held_on": timezone.localdate()}
        super().__init__(*args, **kwargs)
        field = self.fields["assessments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = assessments
        organisations = self.fields["organisations"]
        assert isinstance(organisations, forms.ModelMultipleChoiceField)
        organisations.queryset = Organisation.objects.filter(is_active=True).order_by("name")


class DecisionForm(NotInFutureMixin, forms.Form):
    date_fields = ("decided_on",)

    escalate = forms.TypedChoiceField(
        label=_("Move the case to track 3 (chain approach)?"),
        choices=[("yes", _("Yes, move to track 3")), ("no", _("No, stay in this track"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    consultation_wanted = forms.BooleanField(
        label=_("Put the case on a case-consultation agenda"), required=False
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 4}))
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initial"] = {"decided_on": timezone.localdate()}
        super().__init__(*args, **kwargs)


class DismissSuggestionForm(NotInFutureMixin, forms.Form):
    """The case director sets aside the suggestion to move the case to track 3."""

    date_fields = ("dismissed_on",)

    reason = forms.CharField(
        label=_("Why the case stays in its track"), widget=forms.Textarea(attrs={"rows": 4})
    )
    dismissed_on = forms.DateField(label=_("Decided on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initial"] = {"dismissed_on": timezone.localdate()}
        super().__init__(*args, **kwargs)
