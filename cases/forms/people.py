"""Forms for the client system. The rules live in cases.services.people; forms check input."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from access.policy import HIDDEN, shown_fields
from common.versioning import VersionField

from ..models import AgeBand, CaseParty, FamilyPosition, Person, RelationKind, ViolenceRole
from ..services.people import (
    PERSON_FIELDS,
    SITUATION_FIELDS,
    age_band_for,
    check_person_data,
    check_roles,
)
from .core import DateInput


class PersonForm(forms.ModelForm):
    # Optional each, one of the two required (clean()): the labels say so (docs/ui.md).
    conditionally_required = {
        "position": _("required without a role in the violence"),
        "roles": _("at least one, unless the family position is given"),
    }
    # Who the person is in the family, and what happened: separate questions, at least one
    # answered (the service's rule, checked in clean() too).
    position = forms.ChoiceField(
        label=_("Family position"),
        choices=[("", _("Not known / not family")), *FamilyPosition.choices],
        required=False,
        help_text=_("Who the person is in the family or household of the case."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Role in the violence"),
        choices=ViolenceRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick every role that applies: someone can be a victim and a perpetrator (mutual "
            "violence), a child a direct victim and a witness."
        ),
    )
    # The rules (not in the future, not before the case's opening) are the service's.
    involved_since = forms.DateField(
        label=_("Involved in the case since"),
        initial=timezone.localdate,
        widget=DateInput(),
        help_text=_(
            "Today, or the earlier day this person's involvement in the case began "
            "(not before the case was registered). The figures count the person from this day."
        ),
    )
    field_order = ["position", "roles", "involved_since", *PERSON_FIELDS, *SITUATION_FIELDS]

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The person's situation in this case: fields of the involvement, not of the person.
        self.fields.update(
            forms.fields_for_model(
                CaseParty,
                fields=SITUATION_FIELDS,
                widgets={
                    "address": forms.Textarea(attrs={"rows": 2}),
                    "safe_contact": forms.Textarea(attrs={"rows": 2}),
                },
            )
        )
        self.fields["safe_contact"].help_text = _(
            "For example: only by phone on weekdays after 2 pm, not at home."
        )
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        try:
            check_person_data(
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                date_of_birth=cleaned.get("date_of_birth"),
                age_band=cleaned.get("age_band", AgeBand.UNKNOWN),
            )
        except ValidationError as error:
            self._add_errors(error)
        if "position" in cleaned and "roles" in cleaned:
            try:
                check_roles(cleaned["position"], cleaned["roles"])
            except ValidationError as error:
                self._add_errors(error)
        return cleaned

    def _add_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            # A field that failed already has its own, more precise message.
            if name not in self.errors:
                self.add_error(name, messages)

    def role_fields(self) -> dict[str, Any]:
        """The family position and the roles in the violence, as the services take them."""
        return {"position": self.cleaned_data["position"], "roles": self.cleaned_data["roles"]}

    def person_fields(self) -> dict[str, Any]:
        """The person's and their situation's fields (the service keeps each where it belongs);
        a field the user may not see is left out, so it stays as it is."""
        return {
            name: self.cleaned_data[name]
            for name in (*PERSON_FIELDS, *SITUATION_FIELDS)
            if not self.fields[name].disabled
        }

    def situation_fields(self) -> dict[str, Any]:
        """Only the situation in this case (linking an existing person)."""
        return {name: self.cleaned_data[name] for name in SITUATION_FIELDS}


class PersonEditForm(PersonForm):
    version = VersionField()
    party_version = VersionField()

    def __init__(self, *args: Any, party: CaseParty, may_see: bool, **kwargs: Any) -> None:
        kwargs["instance"] = party.person
        super().__init__(*args, **kwargs)
        person = party.person
        self.initial["position"] = party.position
        self.initial["roles"] = [str(role) for role in party.roles]
        self.initial["involved_since"] = party.involved_since
        self.initial["version"] = person.version
        self.initial["party_version"] = party.version
        # Through access.policy like every output: the edit form needs change access, which is
        # the team's, so in practice everything is shown; a value hidden all the same is
        # neither shown nor overwritten.
        shown = shown_fields(party, may_see=may_see)
        for name in SITUATION_FIELDS:
            value = shown.get(name, getattr(party, name))
            self.initial[name] = "" if value is HIDDEN else value
            self.fields[name].disabled = value is HIDDEN
        if shown.get("address") is HIDDEN:
            # Unticking the box would open a value this user never saw to every reader.
            self.fields["address_confidential"].disabled = True
        if person.date_of_birth is not None:
            # The stored band may have aged since; show the one that matches today.
            self.initial["age_band"] = age_band_for(person.date_of_birth)


def _candidate_label(person: Person) -> str:
    born = date_format(person.date_of_birth) if person.date_of_birth else _("date of birth unknown")
    return f"{person} ({born})"


class DuplicateChoiceForm(forms.Form):
    """Step two of adding a person: link a probable duplicate, or confirm a different person."""

    confirming = forms.BooleanField(widget=forms.HiddenInput, initial=True)
    link_to = forms.ModelChoiceField(
        label=_("This is the same person as"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    create_anyway = forms.BooleanField(
        label=_("None of these: this is a different person"), required=False
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        linkable = [c.person.pk for c in candidates if not c.in_this_case]
        field = self.fields["link_to"]
        assert isinstance(field, forms.ModelChoiceField)
        # Only the candidates shown, who are restricted to what the user may see.
        field.queryset = Person.objects.filter(pk__in=linkable)
        field.label_from_instance = _candidate_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        link_to, create_anyway = cleaned.get("link_to"), cleaned.get("create_anyway")
        if link_to and create_anyway:
            raise ValidationError(
                _("Either link the person or confirm that this is a different person, not both.")
            )
        if not link_to and not create_anyway and not self.errors:
            raise ValidationError(
                _("Choose the same person, or confirm that this is a different person.")
            )
        return cleaned


class RelationForm(forms.Form):
    from_party = forms.ModelChoiceField(label=_("Person"), queryset=CaseParty.objects.none())
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    to_party = forms.ModelChoiceField(label=_("Other person"), queryset=CaseParty.objects.none())

    def __init__(self, *args: Any, parties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_party", "to_party"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = parties

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        from_party, to_party = cleaned.get("from_party"), cleaned.get("to_party")
        if from_party and to_party and from_party.pk == to_party.pk:
            self.add_error("to_party", _("Choose another person."))
        return cleaned
