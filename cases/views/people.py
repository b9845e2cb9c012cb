"""The client system of a case: people, their roles and relations."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from access.policy import Action, may_see_confidential
from access.views import CaseScopedMixin
from common.submission import OneTimeSubmissionMixin
from common.undo import offer_undo, take_undo
from common.views import Confirmation, ConfirmationMixin, add_service_errors

from .. import selectors, services
from ..forms.people import DuplicateChoiceForm, PersonEditForm, PersonForm, RelationForm
from ..models import Case, CaseParty, PartyRelation
from ..services.people import ProbableDuplicates, check_involved_since
from .base import CaseFormView


class PersonAddView(OneTimeSubmissionMixin, CaseFormView):
    """Add a person; when people the user may see probably are this person, ask first."""

    section = "people-heading"
    form_class = PersonForm
    template_name = "cases/people/person_add.html"
    title = gettext_lazy("Add a person to the client system")
    submit_label = gettext_lazy("Add")
    audit_purpose = "add person to case"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def _ask(self, form: PersonForm, candidates: list[Any], choice: DuplicateChoiceForm) -> Any:
        return self.render_to_response(
            self.get_context_data(form=form, candidates=candidates, choice_form=choice)
        )

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        try:
            # Before the question about probable duplicates, so it is answered only once.
            check_involved_since(data["involved_since"], case=self.case)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        candidates = selectors.probable_duplicates(
            user=self.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            case=self.case,
        )
        link_to = None
        if candidates:
            # Step two only once the candidates were shown (the hidden "confirming" field).
            bound = "confirming" in self.request.POST
            choice = DuplicateChoiceForm(
                self.request.POST if bound else None, candidates=candidates
            )
            if not bound or not choice.is_valid():
                return self._ask(form, candidates, choice)
            link_to = choice.cleaned_data["link_to"]
        try:
            if link_to is not None:
                # Who the person is comes with them; their situation here is what was typed.
                services.person_link_to_case(
                    case=self.case,
                    by=self.user,
                    person=link_to,
                    **form.role_fields(),
                    involved_since=data["involved_since"],
                    **form.situation_fields(),
                )
                message = _("The existing person was added to this case.")
            else:
                services.person_create_in_case(
                    case=self.case,
                    by=self.user,
                    **form.role_fields(),
                    confirm_new=bool(candidates),
                    involved_since=data["involved_since"],
                    **form.person_fields(),
                )
                message = _("The person was added to the client system.")
        except ProbableDuplicates as found:
            # Someone registered a matching person meanwhile: show them too.
            return self._ask(
                form, found.candidates, DuplicateChoiceForm(candidates=found.candidates)
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        # No name in the message: messages can end up in cookies.
        messages.success(self.request, message)
        return redirect(self.get_success_url())


class PartyMixin:
    """The party named in the URL, looked up inside the already authorised case."""

    case: Case
    kwargs: dict[str, Any]

    @cached_property
    def party(self) -> CaseParty:
        return get_object_or_404(
            CaseParty.objects.select_related("person"), case=self.case, pk=self.kwargs["party_pk"]
        )


class PersonEditView(PartyMixin, CaseFormView):
    section = "people-heading"
    form_class = PersonEditForm
    title = gettext_lazy("Edit a person in the client system")
    success_message = gettext_lazy("Changes saved.")
    audit_purpose = "edit person in case"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        may_see = may_see_confidential(self.user, self.case)
        return {**super().get_form_kwargs(), "party": self.party, "may_see": may_see}

    def perform(self, form: Any) -> None:
        services.case_party_update(
            party=self.party,
            by=self.user,
            expected_version=form.cleaned_data["version"],
            expected_party_version=form.cleaned_data["party_version"],
            **form.role_fields(),
            involved_since=form.cleaned_data["involved_since"],
            **form.person_fields(),
        )


def _people_section(case: Case) -> str:
    return reverse("cases:detail", kwargs={"pk": case.pk}) + "#people-heading"


class PersonRemoveView(ConfirmationMixin, CaseScopedMixin, View):
    model = Case
    action = Action.CHANGE
    audit_purpose = "remove person from case"

    def get_party(self) -> CaseParty:
        return get_object_or_404(
            CaseParty.objects.select_related("person"),
            case=self.get_object(),
            pk=self.kwargs["party_pk"],
        )

    def get_confirmation(self) -> Confirmation:
        party = self.get_party()
        case = party.case
        return Confirmation(
            title=_("Take this person out of the case?"),
            subject=_("%(person)s, %(role)s in case %(case)s.")
            % {"person": party.person, "role": party.role_summary, "case": case.reference},
            consequences=(
                _("Their relations in this case are removed too."),
                _("The person stays registered; other cases they are in do not change."),
                _("The change is kept in the history of the case."),
            ),
            button=_("Yes, take out of the case"),
            cancel_url=_people_section(case),
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        party = self.get_party()
        services.case_party_remove(party=party, by=self.user)
        messages.success(request, _("The person was taken out of this case."))
        return redirect(_people_section(party.case))


class RelationAddView(OneTimeSubmissionMixin, CaseFormView):
    section = "people-heading"
    form_class = RelationForm
    title = gettext_lazy("Add a relation")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Relation added.")
    audit_purpose = "add relation in case"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        parties = selectors.case_parties(case=self.case, user=self.user)
        return {**super().get_form_kwargs(), "parties": parties}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.relation_create(
            case=self.case,
            by=self.user,
            from_party=d["from_party"],
            kind=d["kind"],
            to_party=d["to_party"],
        )


class RelationRemoveView(ConfirmationMixin, CaseScopedMixin, View):
    model = Case
    action = Action.CHANGE
    audit_purpose = "remove relation in case"

    def get_relation(self) -> PartyRelation:
        return get_object_or_404(
            PartyRelation.objects.select_related("case", "from_party__person", "to_party__person"),
            case=self.get_object(),
            pk=self.kwargs["relation_pk"],
        )

    def get_confirmation(self) -> Confirmation:
        relation = self.get_relation()
        return Confirmation(
            title=_("Remove this relation?"),
            subject=_("%(relation)s, in case %(case)s.")
            % {"relation": relation, "case": relation.case.reference},
            consequences=(_("The people stay in the case; only the relation goes."),),
            cancel_url=_people_section(relation.case),
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        relation = self.get_relation()
        case = relation.case
        undo = {
            "case": case.pk,
            "from_party": relation.from_party_id,
            "kind": relation.kind,
            "to_party": relation.to_party_id,
        }
        services.relation_remove(relation=relation, by=self.user)
        offer_undo(
            request,
            message=_("Relation removed."),
            kind="relation",
            url=reverse("cases:relation_restore", kwargs={"pk": case.pk}),
            data=undo,
        )
        return redirect(_people_section(case))


class RelationRestoreView(CaseScopedMixin, View):
    """Undo a relation's removal (common.undo): the same three fields, through the service
    and its rules, by someone who may change the case, once, within a few minutes."""

    model = Case
    action = Action.CHANGE
    audit_purpose = "restore relation in case"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        case = self.get_object()
        undo = take_undo(request, kind="relation")
        if undo is None or undo.get("case") != case.pk:
            messages.error(request, _("This can no longer be undone."))
            return redirect(_people_section(case))
        parties = {p.pk: p for p in CaseParty.objects.filter(case=case)}
        from_party, to_party = parties.get(undo["from_party"]), parties.get(undo["to_party"])
        if from_party is None or to_party is None:
            messages.error(request, _("This can no longer be undone."))
            return redirect(_people_section(case))
        try:
            services.relation_create(
                case=case, by=self.user, from_party=from_party, kind=undo["kind"], to_party=to_party
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Relation restored."))
        return redirect(_people_section(case))


urlpatterns: list[URLPattern] = [
    path("<int:pk>/people/add/", PersonAddView.as_view(), name="person_add"),
    path("<int:pk>/people/<int:party_pk>/edit/", PersonEditView.as_view(), name="person_edit"),
    path(
        "<int:pk>/people/<int:party_pk>/remove/",
        PersonRemoveView.as_view(),
        name="person_remove",
    ),
    path("<int:pk>/relations/add/", RelationAddView.as_view(), name="relation_add"),
    path(
        "<int:pk>/relations/<int:relation_pk>/remove/",
        RelationRemoveView.as_view(),
        name="relation_remove",
    ),
    path(
        "<int:pk>/relations/restore/",
        RelationRestoreView.as_view(),
        name="relation_restore",
    ),
]
