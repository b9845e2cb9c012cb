"""Forms for the judicial outcome. They check input; the rules live in cases.services.judicial."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.versioning import VersionField

from ..models import ConditionKind, JudicialCondition, Measure, ProsecutionDecisionKind
from .core import DateInput, active_organisations


class ProsecutionDecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=ProsecutionDecisionKind.choices)
    decided_on = forms.DateField(
        label=_("Decided on"), widget=DateInput, initial=timezone.localdate
    )
    decided_by = forms.ModelChoiceField(label=_("Decided by"), queryset=active_organisations())
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Without names: the timeline shows the decision, its date and who decided."),
    )


class ConditionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of conditions"), choices=ConditionKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("Start"), widget=DateInput)
    ends_on = forms.DateField(label=_("End"), widget=DateInput)


class ConditionEditForm(forms.Form):
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("Start"), widget=DateInput)
    ends_on = forms.DateField(label=_("End"), widget=DateInput)
    version = VersionField()


class BreachForm(forms.Form):
    breached = forms.ChoiceField(label=_("What was breached"))
    occurred_on = forms.DateField(label=_("Date of the breach"), widget=DateInput)
    description = forms.CharField(
        label=_("Short description"),
        max_length=300,
        help_text=_("Without names: what happened, in a few words."),
    )

    def __init__(
        self,
        *args: Any,
        measures: list[Measure],
        conditions: list[JudicialCondition],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.measures = {f"m{m.pk}": m for m in measures}
        self.conditions = {f"c{c.pk}": c for c in conditions}
        choices: list[tuple[str, str]] = [("", "—")]
        choices += [
            (key, f"{m.get_kind_display()} ({m.starts_on:%d/%m/%Y})")
            for key, m in self.measures.items()
        ]
        choices += [
            (key, f"{c.get_kind_display()} ({c.starts_on:%d/%m/%Y})")
            for key, c in self.conditions.items()
        ]
        self.fields["breached"].choices = choices  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        key = d["breached"]
        return {
            "measure": self.measures.get(key),
            "condition": self.conditions.get(key),
            "occurred_on": d["occurred_on"],
            "description": d["description"],
        }


class MeasureLiftForm(forms.Form):
    lifted_on = forms.DateField(label=_("Lifted on"), widget=DateInput, initial=timezone.localdate)
    lifted_by = forms.ModelChoiceField(label=_("Lifted by"), queryset=active_organisations())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()
