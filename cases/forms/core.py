"""Forms for registering and steering a case. Rules live in the services; forms check input."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.policy import only_active_case_directors
from accounts.models import User
from common.versioning import VersionField
from partners.models import Municipality, Organisation

from ..models import (
    Case,
    ClosingReason,
    FormOfViolence,
    ReferrerKind,
    RelationshipContext,
    Status,
    Track,
)


def active_organisations() -> Any:
    # Who decided is an organisation from the directory, so figures can count by it.
    return Organisation.objects.filter(is_active=True).order_by("name")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _set_queryset(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def active_case_directors() -> Any:
    return (
        only_active_case_directors(User.objects.all())
        .select_related("organisation")
        .order_by("last_name", "first_name")
        .distinct()
    )


def set_violence_choices(form: forms.BaseModelForm) -> None:
    """The active entries of the two managed lists, and the inactive ones the case already
    has (an edit keeps them unless unticked)."""
    for name, model in (
        ("relationship_contexts", RelationshipContext),
        ("forms_of_violence", FormOfViolence),
    ):
        chosen = Q(is_active=True)
        if form.instance.pk:
            chosen |= Q(pk__in=getattr(form.instance, name).values("pk"))
        _set_queryset(form, name, model.objects.filter(chosen))


class NotInFutureMixin:
    date_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        today = timezone.localdate()
        for name in self.date_fields:
            value = cleaned.get(name)
            if value and value > today:
                self.add_error(name, _("This date cannot be in the future."))  # type: ignore[attr-defined]
        return cleaned


class RegistrationFields(NotInFutureMixin, forms.ModelForm):
    """The registration (aanmelding) fields, shared by registering and editing."""

    date_fields = ("opened_on",)
    # Optional in the form, required in one case (clean()): the label says when (docs/ui.md).
    conditionally_required = {
        "referrer_organisation": _("required when a partner organisation reported"),
    }

    class Meta:
        model = Case
        fields = [
            "opened_on",
            "referrer_kind",
            "referrer_organisation",
            "referrer_contact",
            "municipality",
            "relationship_contexts",
            "forms_of_violence",
            "urgency",
            "description",
        ]
        widgets = {
            "opened_on": DateInput(),
            "relationship_contexts": forms.CheckboxSelectMultiple(),
            "forms_of_violence": forms.CheckboxSelectMultiple(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "referrer_organisation", Organisation.objects.filter(is_active=True))
        _set_queryset(self, "municipality", Municipality.objects.all())
        set_violence_choices(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("referrer_kind") == ReferrerKind.PARTNER and not cleaned.get(
            "referrer_organisation"
        ):
            self.add_error(
                "referrer_organisation", _("Choose the partner organisation that reported.")
            )
        return cleaned


class CaseRegisterForm(RegistrationFields):
    track = forms.TypedChoiceField(label=_("Start in track"), choices=Track.choices, coerce=int)
    case_director = forms.ModelChoiceField(label=_("Case director"), queryset=User.objects.none())

    class Meta(RegistrationFields.Meta):
        fields = ["track", "case_director", *RegistrationFields.Meta.fields]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(
            self, "case_director", active_case_directors().filter(organisation=organisation)
        )
        self.fields["opened_on"].initial = timezone.localdate


class AnonymousConsultForm(NotInFutureMixin, forms.ModelForm):
    """A track-1 consult without any personal data: the question, the advice, the referral."""

    date_fields = ("opened_on",)

    class Meta:
        model = Case
        fields = [
            "opened_on",
            "referrer_kind",
            "referrer_organisation",
            "municipality",
            "relationship_contexts",
            "forms_of_violence",
            "consult_question",
            "advice_given",
            "referral_made",
        ]
        widgets = {
            "opened_on": DateInput(),
            "relationship_contexts": forms.CheckboxSelectMultiple(),
            "forms_of_violence": forms.CheckboxSelectMultiple(),
            "consult_question": forms.Textarea(attrs={"rows": 3}),
            "advice_given": forms.Textarea(attrs={"rows": 3}),
            "referral_made": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "consult_question": _(
                "Describe the question without names or other identifying details."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "referrer_organisation", Organisation.objects.filter(is_active=True))
        _set_queryset(self, "municipality", Municipality.objects.all())
        set_violence_choices(self)
        self.fields["opened_on"].initial = timezone.localdate
        self.fields["consult_question"].required = True
        self.fields["advice_given"].required = True


class CaseEditForm(RegistrationFields):
    version = VersionField()

    class Meta(RegistrationFields.Meta):
        pass


class TrackChangeForm(NotInFutureMixin, forms.Form):
    date_fields = ("changed_on",)
    to_track = forms.TypedChoiceField(label=_("New track"), choices=Track.choices, coerce=int)
    changed_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()


class StatusChangeForm(NotInFutureMixin, forms.Form):
    date_fields = ("changed_on",)
    to_status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s.value, s.label) for s in Status if s != Status.CLOSED],
    )
    changed_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()


class CloseForm(NotInFutureMixin, forms.Form):
    date_fields = ("closed_on",)
    closing_reason = forms.ModelChoiceField(
        label=_("Closing reason"), queryset=ClosingReason.objects.filter(is_active=True)
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()


class ReopenForm(NotInFutureMixin, forms.Form):
    date_fields = ("reopened_on",)
    reopened_on = forms.DateField(
        label=_("Reopened on"), widget=DateInput, initial=timezone.localdate
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()


class CoDirectorForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Co-director"), queryset=User.objects.none())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(
            self,
            "user",
            active_case_directors()
            .exclude(pk=case.case_director_id)
            .exclude(co_directed__case=case),
        )
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.label_from_instance = lambda u: f"{u} ({u.organisation})"  # type: ignore[method-assign,assignment]
