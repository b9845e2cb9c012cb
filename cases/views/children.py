"""The children's trajectory: a child's page, the child file (versioned) and the
conversations with the child; thin views over the services and selectors."""

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from access import audit
from access.models import AuditAction
from access.parts import CasePart
from access.policy import Action, is_permitted, may_see_confidential
from access.views import CaseScopedMixin
from accounts.models import User
from common.submission import OneTimeSubmissionMixin

from .. import services
from ..forms.children import ChildConversationForm, ChildFileForm
from ..models import Case, CaseParty, ChildFile
from ..selectors.children import child_detail, child_party
from .base import CaseFormView


def child_url(case_pk: int, party_pk: int) -> str:
    return reverse("cases:child", kwargs={"pk": case_pk, "child_pk": party_pk})


class _ChildFormView(CaseFormView):
    section = "children-heading"

    @cached_property
    def party(self) -> CaseParty:
        party = child_party(user=self.user, case=self.case, party_pk=self.kwargs["child_pk"])
        if party is None:
            raise Http404
        return party

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "party": self.party}

    def get_success_url(self) -> str:
        return child_url(self.case.pk, self.party.pk)


class ChildFileEditView(_ChildFormView):
    """A new version of the child's file; a form opened before someone else's save is refused."""

    form_class = ChildFileForm
    template_name = "cases/children/file_form.html"
    title = gettext_lazy("Change the child file")
    submit_label = gettext_lazy("Save as a new version")
    success_message = gettext_lazy("Child file saved.")
    audit_purpose = "edit child file"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        child_file = ChildFile.objects.filter(party=self.party).first()
        return {**super().get_form_kwargs(), "child_file": child_file}

    def perform(self, form: Any) -> None:
        services.child_file_save(
            case=self.case,
            party=self.party,
            by=self.user,
            expected_version=form.cleaned_data["version"],
            content=form.content(),
        )


class ChildConversationAddView(OneTimeSubmissionMixin, _ChildFormView):
    form_class = ChildConversationForm
    template_name = "cases/children/conversation_form.html"
    title = gettext_lazy("Record a conversation with the child")
    submit_label = gettext_lazy("Save the conversation")
    success_message = gettext_lazy("Conversation with the child saved.")
    audit_purpose = "add child conversation"

    def get_initial(self) -> dict[str, Any]:
        return {"held_by": self.user.pk}

    def get_form_kwargs(self) -> dict[str, Any]:
        users = User.objects.filter(
            organisation_id=self.case.owner_organisation_id, is_active=True
        ).order_by("last_name", "first_name", "pk")
        return {**super().get_form_kwargs(), "users": users}

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.child_conversation_add(
            case=self.case,
            party=self.party,
            by=self.user,
            held_on=data["held_on"],
            held_by=data["held_by"],
            child_view=data["child_view"],
        )


class ChildDetailView(CaseScopedMixin, DetailView):
    """A child in the case: exposure (from the roles), age, the child file with its versions,
    the conversations (what the child said for the case team only)."""

    model = Case
    case_part = CasePart.FILE
    template_name = "cases/children/child_detail.html"
    context_object_name = "case"
    audit_purpose = "child file"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.user
        party = child_party(user=user, case=case, party_pk=self.kwargs["child_pk"])
        if party is None:
            audit.record(
                user=user,
                action=AuditAction.DENIED,
                request=self.request,
                object_type=CaseParty._meta.label_lower,
                object_id=self.kwargs["child_pk"],
                case_id=case.pk,
                purpose="out of scope",
            )
            raise Http404
        can_change = is_permitted(user, case, Action.CHANGE)
        may_see = may_see_confidential(user, case, can_change=can_change)
        detail = child_detail(user=user, case=case, party=party, may_see=may_see)
        audit.record(
            user=user,
            action=AuditAction.VIEW,
            obj=detail.child_file or party,
            request=self.request,
            purpose="child file with conversations",
        )
        context.update(detail=detail, can_change=can_change, may_see_confidential=may_see)
        return context


urlpatterns: list[URLPattern] = [
    path("<int:pk>/children/<int:child_pk>/", ChildDetailView.as_view(), name="child"),
    path(
        "<int:pk>/children/<int:child_pk>/edit/",
        ChildFileEditView.as_view(),
        name="child_file_edit",
    ),
    path(
        "<int:pk>/children/<int:child_pk>/conversations/add/",
        ChildConversationAddView.as_view(),
        name="child_conversation_add",
    ),
]
