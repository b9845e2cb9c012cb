"""Forms of the partner directory, trainings and gaps in the care offer."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from access.policy import may_set_judicial_organisation_kind
from accounts.types import AnyUser
from common.versioning import VersionedModelForm

from .models import (
    JUDICIAL_INFORMATION_KINDS,
    Agreement,
    ContactPerson,
    Gap,
    GapFollowUp,
    GapKind,
    GapStatus,
    Municipality,
    Organisation,
    OrganisationKind,
    Sector,
    Training,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def directory_kind_choices(user: AnyUser) -> list[tuple[str, Any]]:
    """The organisation kinds ``user`` may give: kinds that open judicial information only
    for an administrator (``access.policy.may_set_judicial_organisation_kind``)."""
    if may_set_judicial_organisation_kind(user):
        return list(OrganisationKind.choices)
    return [
        (v, label) for v, label in OrganisationKind.choices if v not in JUDICIAL_INFORMATION_KINDS
    ]


class OrganisationCreateForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "sector", "is_core_partner", "municipalities_served"]
        widgets = {"municipalities_served": forms.CheckboxSelectMultiple}
        help_texts = {
            "kind": _(
                "A prosecutor's office or a police zone is added by an administrator: that "
                "kind opens judicial information to its staff."
            )
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "---------"), *directory_kind_choices(user)]

    def validate_unique(self) -> None:
        # The service checks the name, inside its transaction.
        pass


class OrganisationDirectoryForm(VersionedModelForm):
    class Meta:
        model = Organisation
        fields = ["sector", "is_core_partner", "municipalities_served"]
        widgets = {"municipalities_served": forms.CheckboxSelectMultiple}


class ContactPersonForm(VersionedModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "function", "phone", "email", "is_active"]


class AgreementForm(VersionedModelForm):
    class Meta:
        model = Agreement
        fields = ["kind", "title", "signed_on", "valid_until", "document"]
        widgets = {"signed_on": _DATE, "valid_until": _DATE}


class TrainingForm(VersionedModelForm):
    class Meta:
        model = Training
        fields = ["date", "kind", "topic", "organisations", "participants", "notes"]
        widgets = {"date": _DATE, "organisations": forms.CheckboxSelectMultiple}


class GapSignalForm(forms.ModelForm):
    # Needed only when the check finds something that looks like personal data
    # (cases.services.gaps.check_gap_description).
    personal_data_checked = forms.BooleanField(
        label=_("I checked: the description holds no personal data of clients."),
        required=False,
    )

    class Meta:
        model = Gap
        fields = ["kind", "organisation", "municipality", "description"]


class GapStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=GapStatus.choices)
    # Empty means today (the service's default).
    changed_on = forms.DateField(label=_("Changed on"), widget=_DATE, required=False)


class GapFollowUpForm(forms.ModelForm):
    class Meta:
        model = GapFollowUp
        fields = ["date", "action", "organisation"]
        widgets = {"date": _DATE}


class DirectoryFilterForm(forms.Form):
    sector = forms.ChoiceField(
        label=_("sector"), choices=[("", "—"), *Sector.choices], required=False
    )
    municipality = forms.ModelChoiceField(
        label=_("municipality"), queryset=Municipality.objects.all(), required=False
    )
    core = forms.BooleanField(label=_("core partners only"), required=False)


class GapFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *GapKind.choices], required=False)
    status = forms.ChoiceField(
        label=_("status"), choices=[("", "—"), *GapStatus.choices], required=False
    )
    municipality = forms.ModelChoiceField(
        label=_("municipality"), queryset=Municipality.objects.all(), required=False
    )
