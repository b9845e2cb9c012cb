"""Forms of the funding pages: the year's amounts, its staffing lines, the inhabitants."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from common.versioning import VersionField
from partners.models import Municipality

from .models import Funder, StaffRole
from .services import AMOUNT_NOT_A_NUMBER, validate_amount


def amount_field(label: Any, help_text: Any = "") -> forms.DecimalField:
    # No max_digits/decimal_places/min_value here: the service's rule (validate_amount)
    # checks the amount, so the form and the service refuse with the same message.
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        validators=[validate_amount],
        error_messages={"invalid": AMOUNT_NOT_A_NUMBER},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )


class FundingYearCreateForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    flemish_amount = amount_field(_("Flemish government subsidy (EUR)"))
    local_amount = amount_field(
        _("Local contribution (EUR)"), _("The total the municipalities pay together.")
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


class FundingYearForm(forms.Form):
    version = VersionField()
    flemish_amount = amount_field(_("Flemish government subsidy (EUR)"))
    local_amount = amount_field(
        _("Local contribution (EUR)"), _("The total the municipalities pay together.")
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


class StaffingLineForm(forms.Form):
    """A row left entirely empty is ignored; a row filled in part is an error."""

    funder = forms.ChoiceField(
        label=_("Funded by"), choices=[("", "---------"), *Funder.choices], required=False
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", "---------"), *StaffRole.choices], required=False
    )
    fte = forms.DecimalField(
        label=_("FTE"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [name for name in ("funder", "role", "fte") if data.get(name) not in (None, "")]
        if filled and len(filled) < 3:
            for name in ("funder", "role", "fte"):
                if name not in filled and name not in self.errors:
                    self.add_error(name, _("Fill in funder, role and FTE, or leave the row empty."))
        return data

    @property
    def is_empty_row(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(data.get(name) in (None, "") for name in ("funder", "role", "fte"))


StaffingFormSet = forms.formset_factory(StaffingLineForm, extra=2)


class InhabitantsForm(forms.Form):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.all(), widget=forms.HiddenInput
    )
    inhabitants = forms.IntegerField(
        label=_("Inhabitants"), min_value=0, max_value=10_000_000, required=False
    )

    def __init__(self, *args: Any, names: dict[int, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality_id = self.initial.get("municipality")
        if names and municipality_id in names:
            self.fields["inhabitants"].label = names[municipality_id]


class BaseInhabitantsFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            municipality = getattr(form, "cleaned_data", {}).get("municipality")
            if municipality is None:
                continue
            if municipality.pk in seen:
                raise forms.ValidationError(_("A municipality appears twice."))
            seen.add(municipality.pk)


InhabitantsFormSet = forms.formset_factory(InhabitantsForm, formset=BaseInhabitantsFormSet, extra=0)
