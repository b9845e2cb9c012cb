"""The case journal and the actions (afspraken): thin views over the journal services."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, View

from access import audit
from access.models import AuditAction
from access.parts import CasePart
from access.policy import Action, is_permitted, may_correct_entry
from access.views import CaseScopedMixin
from common.submission import OneTimeSubmissionMixin

from .. import selectors, services
from ..forms.journal import (
    CaseActionEditForm,
    CaseActionForm,
    JournalCorrectForm,
    JournalEntryForm,
    JournalFilterForm,
)
from ..models import Case, CaseAction, JournalEntry
from .base import CaseFormView

JOURNAL_PAGE_SIZE = 25


# --- journal ---


class JournalView(CaseScopedMixin, DetailView):
    """Every entry of the case the user may read, newest first, by kind if asked."""

    model = Case
    case_part = CasePart.FILE  # the journal is part of the whole file only
    template_name = "cases/journal/journal.html"
    context_object_name = "case"
    audit_purpose = "case journal"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.user
        filter_form = JournalFilterForm(self.request.GET or None)
        kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
        entries = selectors.journal_entries(user=user, case=case, kind=kind or None)
        page = Paginator(entries, JOURNAL_PAGE_SIZE).get_page(self.request.GET.get("page"))
        can_change = is_permitted(user, case, Action.CHANGE)
        correctable = {entry.pk for entry in page if can_change and may_correct_entry(user, entry)}
        audit.record_list(
            user=user,
            model=JournalEntry,
            request=self.request,
            ids=[entry.pk for entry in page],
            purpose="case journal",
        )
        context.update(
            filter_form=filter_form,
            page_obj=page,
            entries=page.object_list,
            kind=kind,
            can_change=can_change,
            correctable=correctable,
        )
        return context


class JournalAddView(OneTimeSubmissionMixin, CaseFormView):
    form_class = JournalEntryForm
    title = gettext_lazy("Add to the journal")
    success_message = gettext_lazy("Journal entry added.")
    section = "journal-heading"
    audit_purpose = "add journal entry"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.journal_entry_add(
            case=self.case,
            by=self.user,
            kind=d["kind"],
            occurred_at=d["occurred_at"],
            channel=d["channel"],
            reached=d["reached"],
            text=d["text"],
            visibility=d["visibility"],
        )


class JournalCorrectView(CaseFormView):
    """The author corrects the text of their entry on the day they wrote it."""

    form_class = JournalCorrectForm
    template_name = "cases/journal/correct.html"
    section = "journal-heading"
    title = gettext_lazy("Correct a journal entry")
    success_message = gettext_lazy("Correction saved; the earlier text is kept in the history.")
    audit_purpose = "correct journal entry"
    entry: JournalEntry

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        case = self.get_object()
        self.entry = get_object_or_404(
            selectors.journal_entries(user=self.user, case=case), pk=kwargs["entry_pk"]
        )
        if not may_correct_entry(self.user, self.entry):
            audit.record(
                user=self.user,
                action=AuditAction.DENIED,
                obj=self.entry,
                request=request,
                purpose="correct journal entry not permitted",
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "entry": self.entry}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "entry": self.entry}

    def perform(self, form: Any) -> None:
        services.journal_entry_correct(
            entry=self.entry, by=self.user, text=form.cleaned_data["text"]
        )


# --- actions ---


class ActionListView(CaseScopedMixin, DetailView):
    """All actions of the case, the open ones first, then what was done."""

    model = Case
    case_part = CasePart.FILE
    template_name = "cases/journal/actions.html"
    context_object_name = "case"
    audit_purpose = "case actions"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actions = list(selectors.case_actions(user=self.user, case=self.object))
        audit.record_list(
            user=self.user,
            model=CaseAction,
            request=self.request,
            ids=[action.pk for action in actions],
            purpose="case actions",
        )
        context.update(
            open_actions=[a for a in actions if a.done_on is None],
            done_actions=[a for a in actions if a.done_on is not None],
            can_change=is_permitted(self.user, self.object, Action.CHANGE),
        )
        return context


class ActionAddView(OneTimeSubmissionMixin, CaseFormView):
    form_class = CaseActionForm
    title = gettext_lazy("Add an action")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Action added.")
    section = "actions-heading"
    audit_purpose = "add action"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.case_action_add(
            case=self.case,
            by=self.user,
            description=d["description"],
            due_on=d["due_on"],
            assignee_user=d["assignee_user"],
            assignee_organisation=d["assignee_organisation"],
        )


class _ActionMixin:
    """Finds the action inside the case the URL names (404 if it is not there)."""

    case: Case
    kwargs: dict[str, Any]

    def get_action(self) -> CaseAction:
        return get_object_or_404(
            CaseAction.objects.select_related("case"), case=self.case, pk=self.kwargs["action_pk"]
        )


class ActionEditView(_ActionMixin, CaseFormView):
    form_class = CaseActionEditForm
    title = gettext_lazy("Edit an action")
    success_message = gettext_lazy("Action saved.")
    section = "actions-heading"
    audit_purpose = "edit action"
    action_obj: CaseAction

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        self.action_obj = self.get_action()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        a = self.action_obj
        return {
            "description": a.description,
            "assignee_user": a.assignee_user_id,
            "assignee_organisation": a.assignee_organisation_id,
            "due_on": a.due_on,
            "done_on": a.done_on,
            "version": a.version,
        }

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case, "action": self.action_obj}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.case_action_update(
            action=self.action_obj,
            by=self.user,
            expected_version=d["version"],
            description=d["description"],
            due_on=d["due_on"],
            assignee_user=d["assignee_user"],
            assignee_organisation=d["assignee_organisation"],
            done_on=d["done_on"],
        )


class _ActionToggleView(_ActionMixin, CaseScopedMixin, View):
    """POST only; back to the page the button was on (the steering page or the actions page)."""

    model = Case
    action = Action.CHANGE
    http_method_names = ["post"]
    done_message: Any = ""

    def change(self, action: CaseAction) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int, action_pk: int) -> HttpResponseRedirect:
        self.case = self.get_object()
        try:
            self.change(self.get_action())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done_message)
        if request.POST.get("next") == "actions":
            return redirect("cases:actions", pk=self.case.pk)
        return redirect("cases:detail", pk=self.case.pk)


class ActionDoneView(_ActionToggleView):
    audit_purpose = "mark action done"
    done_message = gettext_lazy("Action marked as done.")

    def change(self, action: CaseAction) -> None:
        services.case_action_mark_done(action=action, by=self.user)


class ActionUndoView(_ActionToggleView):
    audit_purpose = "reopen action"
    done_message = gettext_lazy("The action is open again.")

    def change(self, action: CaseAction) -> None:
        services.case_action_undo_done(action=action, by=self.user)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/journal/", JournalView.as_view(), name="journal"),
    path("<int:pk>/journal/add/", JournalAddView.as_view(), name="journal_add"),
    path(
        "<int:pk>/journal/<int:entry_pk>/correct/",
        JournalCorrectView.as_view(),
        name="journal_correct",
    ),
    path("<int:pk>/actions/", ActionListView.as_view(), name="actions"),
    path("<int:pk>/actions/add/", ActionAddView.as_view(), name="action_add"),
    path("<int:pk>/actions/<int:action_pk>/edit/", ActionEditView.as_view(), name="action_update"),
    path("<int:pk>/actions/<int:action_pk>/done/", ActionDoneView.as_view(), name="action_done"),
    path("<int:pk>/actions/<int:action_pk>/undo/", ActionUndoView.as_view(), name="action_undo"),
]
