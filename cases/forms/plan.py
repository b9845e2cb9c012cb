"""Forms for the plan of approach. The rules live in cases.services.plan; forms check input."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.dates import DateKind, date_problem
from common.versioning import VersionField
from partners.models import Organisation

from ..models import CaseParty, GoalOutcome, PlanGoal, PlanOfApproach, PlanStatus
from ..services.plan import AgreementLine, GoalContent, OutcomeLine, PlanFacts
from .core import DateInput


def _dated(form: forms.Form, name: str, kind: DateKind) -> Any:
    value = form.cleaned_data.get(name)
    if value is not None and (problem := date_problem(value, kind)):
        raise forms.ValidationError(problem)
    return value


class PlanForm(forms.Form):
    """The plan itself; ``plan``: the one being changed (a new plan has no version)."""

    status = forms.ChoiceField(
        label=_("State"),
        choices=PlanStatus.choices,
        initial=PlanStatus.DRAFT,
        widget=forms.RadioSelect,
        help_text=_("A draft is being prepared with the family and the partners."),
    )
    made_on = forms.DateField(label=_("Made on"), initial=timezone.localdate, widget=DateInput())
    aim = forms.CharField(
        label=_("Shared aim"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the family and the partners work towards together."),
    )
    next_evaluation_on = forms.DateField(
        label=_("Next evaluation on"),
        required=False,
        widget=DateInput(),
        help_text=_("Required once the plan is active."),
    )
    version = VersionField()

    def __init__(self, *args: Any, plan: PlanOfApproach | None = None, **kwargs: Any) -> None:
        if plan is not None:
            kwargs.setdefault(
                "initial",
                {
                    "status": plan.status,
                    "made_on": plan.made_on,
                    "aim": plan.aim,
                    "next_evaluation_on": plan.next_evaluation_on,
                    "version": plan.version,
                },
            )
        super().__init__(*args, **kwargs)
        if plan is None:
            del self.fields["version"]

    def clean_made_on(self) -> Any:
        return _dated(self, "made_on", DateKind.HAPPENED)

    def clean_next_evaluation_on(self) -> Any:
        return _dated(self, "next_evaluation_on", DateKind.PLANNED)

    def facts(self) -> PlanFacts:
        data = self.cleaned_data
        return PlanFacts(
            made_on=data["made_on"],
            status=data["status"],
            aim=data["aim"],
            next_evaluation_on=data["next_evaluation_on"],
        )


class _PartyField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CaseParty) -> str:
        return f"{obj.person} ({obj.role_summary})"


class _OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class _UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.organisation})" if obj.organisation_id else str(obj)


class AgreementForm(forms.Form):
    organisation = _OrganisationField(
        label=_("Who: organisation"), queryset=Organisation.objects.none()
    )
    user = _UserField(
        label=_("Who: person"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional; someone of that organisation."),
    )
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("By when"), widget=DateInput())

    def __init__(
        self, *args: Any, organisations: Any = None, users: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        organisation_field = self.fields["organisation"]
        assert isinstance(organisation_field, forms.ModelChoiceField)
        organisation_field.queryset = organisations
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = users

    def clean_due_on(self) -> Any:
        return _dated(self, "due_on", DateKind.PLANNED)


AgreementFormSet = forms.formset_factory(AgreementForm, extra=2, can_delete=True, max_num=20)


class GoalForm(forms.Form):
    """A goal with its agreements (a formset, ``self.agreements``). ``may_choose_sharing``: the
    case director's choice of what a consultation sees; left out for the rest of the team."""

    party = _PartyField(
        label=_("Goal for"),
        queryset=CaseParty.objects.none(),
        required=False,
        empty_label=_("The family as a whole"),
    )
    description = forms.CharField(
        label=_("Goal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What should change; no sensitive details (those go in the note below)."),
    )
    team_note = forms.CharField(
        label=_("Note for the case team"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Confidential: for the case team only, never shown in a consultation or to a "
            "shared reader."
        ),
    )
    shared_in_consultation = forms.BooleanField(
        label=_("Show this goal and its agreements in an art. 458ter consultation"),
        required=False,
        initial=True,
    )
    version = VersionField()

    def __init__(
        self,
        *args: Any,
        parties: QuerySet[CaseParty],
        users: QuerySet[User],
        goal: PlanGoal | None = None,
        may_choose_sharing: bool = False,
        **kwargs: Any,
    ) -> None:
        organisations = Organisation.objects.filter(is_active=True)
        agreements_initial: list[dict[str, Any]] = []
        if goal is not None:
            current = list(goal.agreements.all())
            kwargs.setdefault(
                "initial",
                {
                    "party": goal.party_id,
                    "description": goal.description,
                    "team_note": goal.team_note,
                    "shared_in_consultation": goal.shared_in_consultation,
                    "version": goal.version,
                },
            )
            agreements_initial = [
                {
                    "organisation": a.organisation_id,
                    "user": a.user_id,
                    "what": a.what,
                    "due_on": a.due_on,
                }
                for a in current
            ]
            # Keep the current choices selectable even if they no longer qualify.
            organisations = Organisation.objects.filter(
                Q(is_active=True) | Q(pk__in=[a.organisation_id for a in current])
            )
            users = User.objects.filter(
                Q(pk__in=users.values("pk")) | Q(pk__in=[a.user_id for a in current if a.user_id])
            ).select_related("organisation")
        super().__init__(*args, **kwargs)
        party_field = self.fields["party"]
        assert isinstance(party_field, forms.ModelChoiceField)
        party_field.queryset = parties
        if goal is None:
            del self.fields["version"]
        if not may_choose_sharing:
            del self.fields["shared_in_consultation"]
        self.agreements = AgreementFormSet(
            self.data if self.is_bound else None,
            prefix="agreements",
            initial=agreements_initial or None,
            form_kwargs={
                "organisations": organisations.order_by("name"),
                "users": users.order_by("last_name", "first_name", "pk"),
            },
        )

    def is_valid(self) -> bool:
        # Both, so the agreements' errors show even when the goal has its own.
        goal_ok = super().is_valid()
        return self.agreements.is_valid() and goal_ok

    def content(self) -> GoalContent:
        data = self.cleaned_data
        lines = [
            AgreementLine(
                organisation=form.cleaned_data["organisation"],
                user=form.cleaned_data.get("user"),
                what=form.cleaned_data["what"],
                due_on=form.cleaned_data["due_on"],
            )
            for form in self.agreements.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        return GoalContent(
            description=data["description"],
            party=data["party"],
            team_note=data["team_note"],
            agreements=lines,
        )

    def shared(self) -> bool | None:
        """The director's choice, or ``None`` when this user does not make it (unchanged)."""
        if "shared_in_consultation" not in self.fields:
            return None
        return bool(self.cleaned_data["shared_in_consultation"])


class EvaluationForm(forms.Form):
    """An evaluation: its date, the next one, and per current goal an outcome and a note."""

    held_on = forms.DateField(
        label=_("Evaluated on"), initial=timezone.localdate, widget=DateInput()
    )
    next_evaluation_on = forms.DateField(label=_("Next evaluation on"), widget=DateInput())

    def __init__(self, *args: Any, goals: list[PlanGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for number, goal in enumerate(goals, start=1):
            whom = (
                f"{goal.party.person} ({goal.party.role_summary})"
                if goal.party is not None
                else str(_("The family as a whole"))
            )
            label = _("Goal %(number)s, %(whom)s: %(goal)s") % {
                "number": number,
                "whom": whom,
                "goal": goal,
            }
            self.fields[f"outcome_{goal.pk}"] = forms.ChoiceField(
                label=label, choices=GoalOutcome.choices, widget=forms.RadioSelect
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label=_("Note on goal %(number)s") % {"number": number},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Confidential: for the case team only."),
            )

    def clean_held_on(self) -> Any:
        return _dated(self, "held_on", DateKind.HAPPENED)

    def clean_next_evaluation_on(self) -> Any:
        return _dated(self, "next_evaluation_on", DateKind.PLANNED)

    def outcomes(self) -> dict[int, OutcomeLine]:
        data = self.cleaned_data
        return {
            goal.pk: OutcomeLine(outcome=data[f"outcome_{goal.pk}"], note=data[f"note_{goal.pk}"])
            for goal in self.goals
        }
