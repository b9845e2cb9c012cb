"""Registrations by partners and the triage queue (issue 19, parts 1 and 2).

Pages: register a family (partners), "My registrations" (the registrant's organisation: the
status only, never the case), the triage queue and a registration's page with the screening
notes, the hit/no-hit and the decision (the triage table of the receiving organisation).
Every page is built on an ``access.views`` base; the rules are ``access.policy``'s.
"""

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from access import audit
from access.models import AuditAction
from access.policy import (
    Action,
    is_permitted,
    may_correct_registration,
    may_register,
    may_triage,
    registration_hits,
    restrict_registrations,
)
from access.views import AccessControlledView, RegistrationScopedMixin
from common.downloads import attachment_response
from common.submission import OneTimeSubmissionMixin
from common.views import ServiceFormMixin, add_service_errors

from ..forms.registrations import (
    DecisionForm,
    RegistrationCorrectForm,
    RegistrationForm,
    ScreeningNoteForm,
    WithdrawForm,
    registration_initial,
)
from ..models import Registration, RegistrationAttachment
from ..selectors.registrations import (
    my_registrations,
    registration_detail,
    registration_is_open,
    triage_queue,
)
from ..services.registrations import (
    registration_correct,
    registration_create,
    registration_decide,
    registration_withdraw,
    screening_note_add,
)

app_name = "registrations"


class _RegistrantMixin(AccessControlledView):
    """Pages for a partner's staff who register (``access.policy.may_register``): 403 else."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not may_register(request.user):
            audit.record(
                user=request.user,
                action=AuditAction.DENIED,
                request=request,
                purpose="registering required",
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class _TriageMixin(AccessControlledView):
    """Pages for the triage table (``access.policy.may_triage``): 403 else."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not may_triage(request.user):
            audit.record(
                user=request.user,
                action=AuditAction.DENIED,
                request=request,
                purpose="triage required",
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RegistrationCreateView(OneTimeSubmissionMixin, _RegistrantMixin, FormView):
    template_name = "registrations/create.html"
    form_class = RegistrationForm

    def form_valid(self, form: Any) -> HttpResponse:
        data = dict(form.cleaned_data)
        attachments = data.pop("attachments", [])
        owner = data.pop("owner_organisation")
        try:
            registration = registration_create(
                by=self.user,
                owner_organisation=owner,
                people=form.people_data(),
                attachments=attachments,
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        audit.record(
            user=self.user,
            action=AuditAction.CHANGE,
            obj=registration,
            request=self.request,
            purpose="register a family",
        )
        messages.success(
            self.request,
            _("Registration %(ref)s sent. You will see its status here.")
            % {"ref": registration.reference},
        )
        return redirect("registrations:mine")


class MyRegistrationsView(_RegistrantMixin, TemplateView):
    template_name = "registrations/mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rows = my_registrations(user=self.user)
        audit.record_list(
            user=self.user,
            model=Registration,
            ids=[row.registration.pk for row in rows],
            request=self.request,
            purpose="my registrations",
        )
        return {**super().get_context_data(**kwargs), "rows": rows}


class TriageQueueView(_TriageMixin, TemplateView):
    template_name = "registrations/triage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        show_all = self.request.GET.get("all") == "1"
        rows = triage_queue(user=self.user, show_all=show_all)
        audit.record_list(
            user=self.user,
            model=Registration,
            ids=[row.registration.pk for row in rows],
            request=self.request,
            purpose="triage queue",
        )
        return {**super().get_context_data(**kwargs), "rows": rows, "show_all": show_all}


class RegistrationDetailView(RegistrationScopedMixin, TemplateView):
    """The registration as its reader may see it: the registrant's organisation reads what it
    sent and its status; the triage table also the screening notes, the hits and the decision
    forms. The case it became is linked for whoever may see that case (never the registrant,
    unless granted otherwise)."""

    registration_model = Registration
    template_name = "registrations/detail.html"
    audit_purpose = "read registration"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        registration = self.get_registration()
        detail = registration_detail(registration=registration, user=self.user)
        context = {**super().get_context_data(**kwargs), "detail": detail}
        if detail.may_decide:
            visible_hits, hidden_hit = registration_hits(self.user, registration)
            context.update(
                visible_hits=visible_hits,
                hidden_hit=hidden_hit,
                note_form=ScreeningNoteForm(),
            )
            case = registration.case
            context["case_link"] = case if case and is_permitted(self.user, case) else None
        return context


class _TriageFormView(ServiceFormMixin, RegistrationScopedMixin, FormView):
    registration_model = Registration
    action = Action.CHANGE
    template_name = "registrations/form.html"
    title: ClassVar[Any] = ""
    registration: Registration

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.registration = self.get_registration()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "registration": self.registration,
            "title": self.title,
        }

    def get_success_url(self) -> str:
        return reverse("registrations:detail", kwargs={"registration_pk": self.registration.pk})


class ScreeningNoteAddView(OneTimeSubmissionMixin, _TriageFormView):
    form_class = ScreeningNoteForm
    title = gettext_lazy("Add a screening note")
    success_message = gettext_lazy("Screening note saved.")
    audit_purpose = "screen registration"

    def perform(self, form: Any) -> None:
        screening_note_add(
            registration=self.registration, by=self.user, text=form.cleaned_data["text"]
        )


class DecisionView(OneTimeSubmissionMixin, _TriageFormView):
    """The triage table's decision; opened from a triage table's consultation page
    (``?consultation=<pk>``), the form proposes that consultation as where it was taken.
    One-time as well as versioned: a double click decides once and shows the decision,
    instead of a conflict with one's own first click."""

    form_class = DecisionForm
    title = gettext_lazy("Decide on the registration")
    success_message = gettext_lazy("Decision saved.")
    audit_purpose = "decide on registration"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "registration": self.registration}

    def get_initial(self) -> dict[str, Any]:
        initial = {
            **super().get_initial(),
            "version": self.registration.version,
            "lead_organisation": self.registration.owner_organisation_id,
        }
        consultation = self.request.GET.get("consultation", "")
        if consultation.isdigit():
            initial["consultation"] = int(consultation)
        return initial

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        registration_decide(
            registration=self.registration,
            by=self.user,
            expected_version=data["version"],
            decision=data["decision"],
            track=data.get("track"),
            lead_organisation=data.get("lead_organisation"),
            case_director=data.get("case_director"),
            reason=data.get("reason"),
            reason_text=data.get("reason_text") or "",
            consultation=data.get("consultation"),
        )


class _RegistrantFormView(ServiceFormMixin, RegistrationScopedMixin, FormView):
    """The registrant's own pages of one registration: its organisation's registering staff
    (``access.policy.may_correct_registration``); the triage table sees the registration but
    gets 403; anyone else 404. Once decided or withdrawn, 403: nothing is corrected or
    withdrawn any more (the service says so too)."""

    registration_model = Registration
    template_name = "registrations/form.html"
    title: ClassVar[Any] = ""
    registration: Registration

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.registration = self.get_registration()
        if not may_correct_registration(self.user, self.registration) or not registration_is_open(
            self.registration
        ):
            audit.record(
                user=self.user,
                action=AuditAction.DENIED,
                obj=self.registration,
                request=request,
                purpose="correct or withdraw registration not permitted",
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "registration": self.registration}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "registration": self.registration,
            "title": self.title,
        }

    def get_success_url(self) -> str:
        return reverse("registrations:detail", kwargs={"registration_pk": self.registration.pk})


class CorrectView(OneTimeSubmissionMixin, _RegistrantFormView):
    form_class = RegistrationCorrectForm
    template_name = "registrations/correct.html"
    title = gettext_lazy("Correct the registration")
    success_message = gettext_lazy("Registration corrected.")
    audit_purpose = "correct registration"

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), **registration_initial(self.registration)}

    def perform(self, form: Any) -> None:
        data = dict(form.cleaned_data)
        version = data.pop("version")
        registration_correct(
            registration=self.registration,
            by=self.user,
            expected_version=version,
            people=form.people_data(),
            **data,
        )


class WithdrawView(OneTimeSubmissionMixin, _RegistrantFormView):
    form_class = WithdrawForm
    title = gettext_lazy("Withdraw the registration")
    success_message = gettext_lazy("Registration withdrawn. The triage table has been told.")
    audit_purpose = "withdraw registration"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("registration")
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "version": self.registration.version}

    def perform(self, form: Any) -> None:
        registration_withdraw(
            registration=self.registration,
            by=self.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )


class AttachmentDownloadView(RegistrationScopedMixin, View):
    registration_model = Registration
    audit_purpose = "read registration"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        registration = self.get_registration()
        attachment = (
            restrict_registrations(
                RegistrationAttachment.objects.filter(registration=registration), self.user
            )
            .filter(pk=kwargs["attachment_pk"])
            .first()
        )
        if attachment is None or not attachment.file:
            raise Http404
        audit.record(
            user=self.user,
            action=AuditAction.EXPORT,
            obj=attachment,
            request=request,
            purpose="download registration attachment",
        )
        return attachment_response(
            attachment.file.open("rb"),
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


urlpatterns: list[URLPattern] = [
    path("new/", RegistrationCreateView.as_view(), name="create"),
    path("mine/", MyRegistrationsView.as_view(), name="mine"),
    path("triage/", TriageQueueView.as_view(), name="triage"),
    path("<int:registration_pk>/", RegistrationDetailView.as_view(), name="detail"),
    path("<int:registration_pk>/notes/add/", ScreeningNoteAddView.as_view(), name="note_add"),
    path("<int:registration_pk>/decide/", DecisionView.as_view(), name="decide"),
    path("<int:registration_pk>/correct/", CorrectView.as_view(), name="correct"),
    path("<int:registration_pk>/withdraw/", WithdrawView.as_view(), name="withdraw"),
    path(
        "<int:registration_pk>/attachments/<int:attachment_pk>/",
        AttachmentDownloadView.as_view(),
        name="attachment",
    ),
]
