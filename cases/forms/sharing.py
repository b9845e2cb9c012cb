"""Forms for sharing a case and for handing it over. The rules (a ground with its
particulars, a scope, an end date no later than the maximum) live in
``cases.services.shares``: the fields are optional here so that its Dutch messages show."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from access.parts import ShareScope
from access.policy import organisations_that_may_receive_cases
from accounts.models import User
from common.versioning import VersionField
from partners.models import Organisation

from ..models import Case, ShareGround
from ..services.shares import ShareTerms, default_share_end
from .core import DateInput, _set_queryset, active_case_directors

BLANK: list[tuple[str, Any]] = [("", "---------")]
CHOSEN_GROUNDS: list[tuple[str, Any]] = [
    (value, label) for value, label in ShareGround.choices if value != ShareGround.LEGACY
]


class ShareTermsForm(forms.Form):
    """The ground (with its particulars), the scope and the end date of a share."""

    ground = forms.ChoiceField(label=_("Ground"), choices=BLANK + CHOSEN_GROUNDS, required=False)
    consent_given_by = forms.CharField(
        label=_("Consent given by"),
        max_length=200,
        required=False,
        help_text=_("For the client's consent: who gave it, when and for what."),
    )
    consent_given_on = forms.DateField(
        label=_("Consent given on"), widget=DateInput, required=False
    )
    consent_purpose = forms.CharField(label=_("Consent given for"), max_length=300, required=False)
    consultation_reference = forms.CharField(
        label=_("Reference of the art. 458ter consultation"),
        max_length=200,
        required=False,
        help_text=_("For an art. 458ter case consultation."),
    )
    necessity_reason = forms.CharField(
        label=_("Why there is a state of necessity"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("For a state of necessity."),
    )
    legal_duty = forms.CharField(
        label=_("Which legal duty"),
        max_length=300,
        required=False,
        help_text=_("For a legal duty."),
    )
    scope = forms.ChoiceField(
        label=_("What is shared"),
        choices=BLANK + list[tuple[str, Any]](ShareScope.choices),
        required=False,
    )
    ends_on = forms.DateField(
        label=_("Shared until (included)"),
        widget=DateInput,
        required=False,
        initial=default_share_end,
    )

    def terms(self) -> ShareTerms:
        d = self.cleaned_data
        return ShareTerms(
            ground=d.get("ground") or "",
            scope=d.get("scope") or "",
            ends_on=d.get("ends_on"),
            consent_given_by=d.get("consent_given_by") or "",
            consent_given_on=d.get("consent_given_on"),
            consent_purpose=d.get("consent_purpose") or "",
            consultation_reference=d.get("consultation_reference") or "",
            necessity_reason=d.get("necessity_reason") or "",
            legal_duty=d.get("legal_duty") or "",
        )


class CaseShareForm(ShareTermsForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    field_order = ["organisation"]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("ground", "scope", "ends_on"):
            self.fields[name].required = True
        # Only organisations with case workers: a share reaches nobody else.
        _set_queryset(
            self,
            "organisation",
            organisations_that_may_receive_cases(
                Organisation.objects.exclude(pk=case.owner_organisation_id)
            ).order_by("name"),
        )


class DirectorForm(ShareTermsForm):
    """Hand-over: to a director of the same organisation, or of another one (the file moves
    with a reason; the former owner may keep a share on a ground)."""

    new_director = forms.ModelChoiceField(
        label=_("New case director"), queryset=User.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason (when the case moves to another organisation)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    keep_share = forms.BooleanField(
        label=_("Our organisation keeps reading the case, on the ground below"),
        required=False,
    )
    version = VersionField()
    field_order = ["new_director", "reason", "keep_share"]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(
            self,
            "new_director",
            active_case_directors()
            .filter(
                organisation__in=organisations_that_may_receive_cases(Organisation.objects.all())
            )
            .exclude(pk=case.case_director_id),
        )
        field = self.fields["new_director"]
        assert isinstance(field, forms.ModelChoiceField)
        field.label_from_instance = lambda u: f"{u} ({u.organisation})"  # type: ignore[method-assign,assignment]

    def keep_share_terms(self) -> ShareTerms | None:
        return self.terms() if self.cleaned_data.get("keep_share") else None
