"""Legal bases, planning a consultation (participants, secrecy, agenda) and the consultation view.

Who may see or manage a consultation, and whose consultation view a user may open, is decided in
``access.policy`` (through ``access.views.ConsultationScopedMixin``); these views only parse,
call a service and render.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from access import audit
from access.models import AuditAction
from access.policy import (
    Action,
    is_permitted,
    may_confirm_legal_basis,
    may_download_legal_basis_document,
    may_manage_legal_bases,
    may_read_legal_bases,
    may_work_with_cases,
)
from access.views import CaseWorkRequiredMixin, ConsultationScopedMixin, RoleRequiredMixin
from accounts.roles import RoleCode
from common.personal_data import Finding, personal_data_findings
from common.submission import FIELD as SUBMISSION_FIELD
from common.submission import OneTimeSubmissionMixin, issue_token
from common.views import Confirmation, ConfirmationMixin, ServiceFormMixin, add_service_errors

from ..forms.planning import (
    AgendaAddForm,
    AgendaItemForm,
    ConsultationCreateForm,
    ConsultationEditForm,
    LegalBasisForm,
    ParticipantNamedForm,
    ParticipantUserForm,
)
from ..models import Consultation, LegalBasis, Participant
from ..selectors import planning as selectors
from ..services import legal_bases as basis_services
from ..services import planning as services

# --- Legal bases ---
# Who reads, keeps and confirms them is decided in access.policy (issue 13).


class LegalBasisReadMixin(RoleRequiredMixin):
    """The list: those who keep the bases, case directors and prosecutor liaisons."""

    def has_required_role(self) -> bool:
        return may_read_legal_bases(self.request.user)


class LegalBasisManageMixin(RoleRequiredMixin):
    """Creating, changing and deactivating: the operations lead (and FJC_LEGAL_BASIS_ROLES)."""

    def has_required_role(self) -> bool:
        return may_manage_legal_bases(self.request.user)


class LegalBasisListView(LegalBasisReadMixin, TemplateView):
    template_name = "consultations/planning/legal_basis_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        bases = list(selectors.legal_basis_list())
        return {
            **super().get_context_data(**kwargs),
            "bases": bases,
            "may_manage": may_manage_legal_bases(self.user),
            "confirmable": {b.pk for b in bases if may_confirm_legal_basis(self.user, b)},
            "downloadable": {
                b.pk for b in bases if may_download_legal_basis_document(self.user, b)
            },
        }


class LegalBasisFormView(OneTimeSubmissionMixin, ServiceFormMixin, LegalBasisManageMixin, FormView):
    template_name = "consultations/planning/form.html"
    form_class = LegalBasisForm
    success_message = gettext_lazy("Legal basis saved.")
    basis: LegalBasis | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if "legal_basis_pk" in kwargs:
            self.basis = get_object_or_404(LegalBasis, pk=kwargs["legal_basis_pk"])
        return super().dispatch(request, *args, **kwargs)

    def creates(self) -> bool:
        return self.basis is None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.basis is not None:
            kwargs["instance"] = self.basis
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        title = _("Edit the legal basis") if self.basis else _("New legal basis")
        return {
            **super().get_context_data(**kwargs),
            "title": title,
            "back_url": reverse("consultations:legal_bases"),
        }

    def get_success_url(self) -> str:
        return reverse("consultations:legal_bases")

    def perform(self, form: Any) -> None:
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        organisations = list(data.pop("allowed_organisations"))
        # Unchanged: None; cleared: False; a new upload: the file.
        document = data.pop("signed_document", None)
        if self.basis is not None and document == self.basis.signed_document:
            document = None
        if self.basis is None:
            basis_services.legal_basis_create(
                by=self.user,
                allowed_organisations=organisations,
                signed_document=document or None,
                **data,
            )
        else:
            basis_services.legal_basis_update(
                legal_basis=self.basis,
                by=self.user,
                version=version,
                allowed_organisations=organisations,
                signed_document=document,
                **data,
            )


class LegalBasisDeactivateView(ConfirmationMixin, LegalBasisManageMixin, View):
    def get_confirmation(self) -> Confirmation:
        basis = get_object_or_404(LegalBasis, pk=self.kwargs["legal_basis_pk"])
        return Confirmation(
            title=_("Deactivate this legal basis?"),
            subject=_("Legal basis %(reference)s.") % {"reference": basis.reference},
            consequences=(
                _("No new consultation can use it; consultations held under it keep it."),
            ),
            button=_("Yes, deactivate"),
            cancel_url=reverse("consultations:legal_bases"),
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        basis = get_object_or_404(LegalBasis, pk=self.kwargs["legal_basis_pk"])
        basis_services.legal_basis_deactivate(legal_basis=basis, by=self.user)
        messages.success(request, _("The legal basis is no longer active."))
        return redirect("consultations:legal_bases")


class LegalBasisObjectMixin(LegalBasisReadMixin):
    """One legal basis, with a further rule of the policy for it (403 otherwise)."""

    kwargs: dict[str, Any]
    audit_purpose: ClassVar[str] = ""

    def allows(self, basis: LegalBasis) -> bool:
        raise NotImplementedError

    def get_basis(self) -> LegalBasis:
        basis = get_object_or_404(LegalBasis, pk=self.kwargs["authorisation_pk"])
        if not self.allows(basis):
            audit.record(
                user=self.user,
                action=AuditAction.DENIED,
                obj=basis,
                request=self.request,
                purpose=f"{self.audit_purpose} not permitted",
            )
            raise PermissionDenied
        return basis


class LegalBasisConfirmView(LegalBasisObjectMixin, View):
    """The parket confirms its reasoned authorisation (a prosecutor liaison of that office)."""

    http_method_names = ["post"]
    audit_purpose = "confirm legal basis"

    def allows(self, basis: LegalBasis) -> bool:
        return may_confirm_legal_basis(self.user, basis)

    def post(self, request: HttpRequest, authorisation_pk: int) -> HttpResponseRedirect:
        basis_services.legal_basis_confirm(
            legal_basis=self.get_basis(), by=self.user, request=request
        )
        messages.success(request, _("The authorisation is confirmed on behalf of the parket."))
        return redirect("consultations:legal_bases")


class LegalBasisDocumentView(LegalBasisObjectMixin, View):
    """The signed authorisation: to those who keep the bases and the office that gave it."""

    audit_purpose = "download legal basis document"

    def allows(self, basis: LegalBasis) -> bool:
        return may_download_legal_basis_document(self.user, basis)

    def get(self, request: HttpRequest, authorisation_pk: int) -> FileResponse:
        basis = self.get_basis()
        if not basis.signed_document:
            raise Http404
        audit.record(
            user=self.user,
            action=AuditAction.EXPORT,
            obj=basis,
            request=request,
            purpose=self.audit_purpose,
        )
        return FileResponse(
            basis.signed_document.open("rb"),
            as_attachment=True,
            filename=(basis.signed_document.name or "").rsplit("/", 1)[-1],
        )


# --- Consultations ---


class ConsultationListView(CaseWorkRequiredMixin, TemplateView):
    template_name = "consultations/planning/consultation_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        listing = selectors.consultation_list(user=self.user)
        audit.record_list(
            user=self.user,
            model=Consultation,
            ids=[c.pk for c in listing.visible],
            request=self.request,
            purpose="consultation list",
        )
        return {
            **super().get_context_data(**kwargs),
            "listing": listing,
            "may_plan": self.user.has_role(RoleCode.CASE_DIRECTOR),
            "may_read_legal_bases": may_read_legal_bases(self.user),
        }


class ConsultationCreateView(OneTimeSubmissionMixin, RoleRequiredMixin, FormView):
    required_roles = frozenset({RoleCode.CASE_DIRECTOR})
    template_name = "consultations/planning/form.html"
    form_class = ConsultationCreateForm

    def has_required_role(self) -> bool:
        return super().has_required_role() and may_work_with_cases(self.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "title": _("Plan a case consultation"),
            "back_url": reverse("consultations:list"),
        }

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        try:
            consultation = services.consultation_create(by=self.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Consultation planned."))
        return redirect("consultations:detail", pk=consultation.pk)


class ConsultationDetailView(ConsultationScopedMixin, TemplateView):
    template_name = "consultations/planning/consultation_detail.html"
    audit_purpose = "consultation detail"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        consultation = self.get_consultation()
        return {
            **super().get_context_data(**kwargs),
            "consultation": consultation,
            "detail": selectors.consultation_detail(consultation=consultation, user=self.user),
        }


class ConsultationFormView(ServiceFormMixin, ConsultationScopedMixin, FormView):
    """A form that manages a consultation (the chair, the directors of agenda cases)."""

    action = Action.CHANGE
    template_name = "consultations/planning/form.html"
    title: ClassVar[Any] = ""
    success_message: ClassVar[Any] = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.consultation = self.get_consultation()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "consultation": self.consultation,
            "title": self.title,
            "back_url": self.get_success_url(),
        }

    def get_success_url(self) -> str:
        return reverse("consultations:detail", kwargs={"pk": self.consultation.pk})


class ConsultationEditView(ConsultationFormView):
    form_class = ConsultationEditForm
    title = gettext_lazy("Change the date or place")
    success_message = gettext_lazy("Consultation changed.")
    audit_purpose = "edit consultation"

    def get_initial(self) -> dict[str, Any]:
        return ConsultationEditForm.initial_for(self.consultation)

    def perform(self, form: Any) -> None:
        data = dict(form.cleaned_data)
        services.consultation_update(
            consultation=self.consultation,
            by=self.user,
            version=data.pop("version"),
            **data,
        )


class ParticipantAddView(OneTimeSubmissionMixin, ConsultationFormView):
    form_class = ParticipantUserForm
    title = gettext_lazy("Add a participant")
    success_message = gettext_lazy("Participant added.")
    audit_purpose = "add consultation participant"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "consultation": self.consultation}

    def perform(self, form: Any) -> None:
        services.participant_add_user(
            consultation=self.consultation, by=self.user, user=form.cleaned_data["user"]
        )


class ParticipantAddNamedView(OneTimeSubmissionMixin, ConsultationFormView):
    form_class = ParticipantNamedForm
    title = gettext_lazy("Add a representative without an account")
    success_message = gettext_lazy("Representative added.")
    audit_purpose = "add consultation representative"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "consultation": self.consultation}

    def perform(self, form: Any) -> None:
        services.participant_add_named(
            consultation=self.consultation, by=self.user, **form.cleaned_data
        )


class AgendaAddView(OneTimeSubmissionMixin, ConsultationFormView):
    """Suggestions with their reasons, and the form that puts a case on the agenda."""

    form_class = AgendaAddForm
    template_name = "consultations/planning/agenda_add.html"
    title = gettext_lazy("Put a case on the agenda")
    success_message = gettext_lazy("Case put on the agenda.")
    audit_purpose = "add agenda item"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        suggestions = selectors.agenda_suggestions(consultation=self.consultation, user=self.user)
        # Each suggestion's "Add" is a form of its own: it carries its own one-time token
        # (without one the mixin refuses it as an expired form; with one shared by all, the
        # second add from the same page would count as the first sent again).
        return {
            **super().get_context_data(**kwargs),
            "suggestions": [
                {"suggestion": s, "submission_token": issue_token(self.user)} for s in suggestions
            ],
            "submission_field": SUBMISSION_FIELD,
        }

    def perform(self, form: Any) -> None:
        services.agenda_item_add(consultation=self.consultation, by=self.user, **form.cleaned_data)


class ConsultationActionView(ConsultationScopedMixin, View):
    """A POST-only action on a consultation; ``run`` calls the service."""

    action = Action.CHANGE
    http_method_names: Sequence[str] = ("post",)
    success_message: ClassVar[Any] = ""

    def run(self, consultation: Any) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.act(request, *args, **kwargs)

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        consultation = self.get_consultation()
        try:
            self.run(consultation)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.success_message)
        return redirect("consultations:detail", pk=consultation.pk)


def _when(consultation: Consultation) -> str:
    return date_format(timezone.localtime(consultation.scheduled_at), "SHORT_DATETIME_FORMAT")


class ConsultationCancelView(ConfirmationMixin, ConsultationActionView):
    audit_purpose = "cancel consultation"
    success_message = gettext_lazy("Consultation cancelled: all access to its cases has ended.")

    def get_confirmation(self) -> Confirmation:
        consultation = self.get_consultation()
        return Confirmation(
            title=_("Cancel this consultation?"),
            subject=_("The consultation of %(when)s.") % {"when": _when(consultation)},
            consequences=(
                _("Every participant's access to the cases on its agenda ends at once."),
                _("A cancelled consultation cannot be planned again; plan a new one instead."),
            ),
            button=_("Yes, cancel the consultation"),
            cancel_label=_("No, keep it"),
            cancel_url=reverse("consultations:detail", kwargs={"pk": consultation.pk}),
        )

    def run(self, consultation: Any) -> None:
        services.consultation_cancel(consultation=consultation, by=self.user)


class ConsultationHeldView(ConsultationActionView):
    audit_purpose = "mark consultation held"
    success_message = gettext_lazy("Consultation marked as held.")

    def run(self, consultation: Any) -> None:
        services.consultation_mark_held(consultation=consultation, by=self.user)


class ParticipantRemoveView(ConfirmationMixin, ConsultationActionView):
    audit_purpose = "remove consultation participant"
    success_message = gettext_lazy("Participant removed: their access has ended.")

    def get_participant(self, consultation: Any) -> Participant:
        return get_object_or_404(
            Participant.objects.select_related("user"),
            consultation=consultation,
            pk=self.kwargs["participant_pk"],
            removed_at__isnull=True,
        )

    def get_confirmation(self) -> Confirmation:
        consultation = self.get_consultation()
        participant = self.get_participant(consultation)
        return Confirmation(
            title=_("Remove this participant?"),
            subject=_("%(who)s, participant in the consultation of %(when)s.")
            % {
                "who": participant.user or participant.name,
                "when": _when(consultation),
            },
            consequences=(_("Their access to the cases on the agenda ends at once."),),
            cancel_url=reverse("consultations:detail", kwargs={"pk": consultation.pk}),
        )

    def run(self, consultation: Any) -> None:
        participant = self.get_participant(consultation)
        services.participant_remove(participant=participant, by=self.user)


class AgendaItemRemoveView(ConfirmationMixin, ConsultationActionView):
    audit_purpose = "remove agenda item"
    success_message = gettext_lazy("Case taken off the agenda: access to it has ended.")

    def get_confirmation(self) -> Confirmation:
        consultation = self.get_consultation()
        item = self.get_agenda_item()
        return Confirmation(
            title=_("Take this case off the agenda?"),
            subject=_("Case %(case)s, on the agenda of the consultation of %(when)s.")
            % {"case": item.case.reference, "when": _when(consultation)},
            consequences=(_("The participants' access to this case ends at once."),),
            button=_("Yes, take off the agenda"),
            cancel_url=reverse("consultations:detail", kwargs={"pk": consultation.pk}),
        )

    def run(self, consultation: Any) -> None:
        services.agenda_item_remove(item=self.get_agenda_item(), by=self.user)


class AgendaItemMoveView(ConsultationActionView):
    audit_purpose = "reorder agenda"
    success_message = gettext_lazy("Agenda order changed.")

    def run(self, consultation: Any) -> None:
        up = self.request.POST.get("direction") != "down"
        services.agenda_item_move(item=self.get_agenda_item(), by=self.user, up=up)


# --- Secrecy ---


class SecrecyView(ConsultationScopedMixin, TemplateView):
    """The legal basis and the duty of secrecy, and nothing else of the consultation."""

    secrecy_page = True
    template_name = "consultations/planning/secrecy.html"
    audit_purpose = "consultation secrecy page"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        consultation = self.get_consultation()
        participant = consultation.participants.filter(
            user=self.user, removed_at__isnull=True
        ).first()
        return {
            **super().get_context_data(**kwargs),
            "consultation": consultation,
            "legal_basis": consultation.legal_basis,
            "participant": participant,
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponseRedirect:
        consultation = self.get_consultation()
        try:
            services.secrecy_confirm(consultation=consultation, user=self.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("consultations:secrecy", pk=pk)
        audit.record(
            user=self.user,
            action=AuditAction.CHANGE,
            obj=consultation,
            request=request,
            purpose="duty of secrecy confirmed",
        )
        messages.success(request, _("You confirmed the duty of secrecy."))
        return redirect("consultations:detail", pk=pk)


# --- The consultation view of an agenda case ---

FINDING_LABELS = {
    Finding.NATIONAL_NUMBER: gettext_lazy("a national register number"),
    Finding.DATE: gettext_lazy("a date"),
    Finding.NAME: gettext_lazy("a name of someone in the case"),
}


class AgendaItemView(ConsultationScopedMixin, TemplateView):
    template_name = "consultations/planning/item.html"
    audit_purpose = "consultation view"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        consultation = self.get_consultation(record=False)
        item = self.get_agenda_item()
        view = selectors.consultation_view(item=item, user=self.user)
        if view.identity is not None:
            # Who the family is, read by someone who may be outside the case team: each read
            # is in the audit trail (ids only).
            audit.record(
                user=self.user,
                action=AuditAction.VIEW,
                object_type="cases.caseparty",
                case_id=item.case_id,
                request=self.request,
                purpose="consultation view: client system identity",
                detail={
                    "consultation": consultation.pk,
                    "agenda_item": item.pk,
                    "ids": [str(line.party_id) for line in view.identity],
                },
            )
        return {
            **super().get_context_data(**kwargs),
            "consultation": consultation,
            "view": view,
            "may_edit": is_permitted(self.user, item, Action.CHANGE),
        }


class AgendaItemFormView(ServiceFormMixin, ConsultationScopedMixin, FormView):
    """A form on one agenda item, for the case team (change access to the item's case); it
    returns to the item's page."""

    template_name = "consultations/planning/form.html"
    # The page's title, with ``%(ref)s`` for the case's reference.
    title_format: ClassVar[Any] = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.consultation = self.get_consultation(record=False)
        self.item = self.get_agenda_item(action=Action.CHANGE)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return reverse(
            "consultations:item", kwargs={"pk": self.consultation.pk, "item_pk": self.item.pk}
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "consultation": self.consultation,
            "title": str(self.title_format) % {"ref": self.item.case.reference},
            "back_url": self.get_success_url(),
        }


class AgendaItemEditView(AgendaItemFormView):
    """The case team prepares what the consultation view shows (decisions are minutes)."""

    form_class = AgendaItemForm
    success_message = gettext_lazy("Saved.")
    title_format = gettext_lazy("Consultation view of case %(ref)s")
    audit_purpose = "edit agenda item"

    def get_initial(self) -> dict[str, Any]:
        return {
            "summary": self.item.summary,
            "version": self.item.version,
        }

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.agenda_item_update(
            item=self.item, by=self.user, version=data["version"], summary=data["summary"]
        )
        findings = personal_data_findings(
            data["summary"], names=selectors.case_people_names(self.item.case)
        )
        if findings:
            # A warning, not a refusal: the case team decides what the summary needs.
            messages.warning(
                self.request,
                _(
                    "The summary seems to hold personal data (%(what)s). Every participant "
                    "reads it: leave names, dates of birth and national register numbers out, "
                    "the consultation view already shows who the family is."
                )
                % {"what": ", ".join(str(FINDING_LABELS[f]) for f in findings)},
            )


_ITEM = "<int:pk>/items/<int:item_pk>"

urlpatterns: list[URLPattern] = [
    path("legal-bases/", LegalBasisListView.as_view(), name="legal_bases"),
    path("legal-bases/new/", LegalBasisFormView.as_view(), name="legal_basis_create"),
    path(
        "legal-bases/<int:legal_basis_pk>/edit/",
        LegalBasisFormView.as_view(),
        name="legal_basis_edit",
    ),
    path(
        "legal-bases/<int:legal_basis_pk>/deactivate/",
        LegalBasisDeactivateView.as_view(),
        name="legal_basis_deactivate",
    ),
    path(
        "legal-bases/<int:authorisation_pk>/confirm/",
        LegalBasisConfirmView.as_view(),
        name="legal_basis_confirm",
    ),
    path(
        "legal-bases/<int:authorisation_pk>/document/",
        LegalBasisDocumentView.as_view(),
        name="legal_basis_document",
    ),
    path("", ConsultationListView.as_view(), name="list"),
    path("new/", ConsultationCreateView.as_view(), name="create"),
    path("<int:pk>/", ConsultationDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", ConsultationEditView.as_view(), name="edit"),
    path("<int:pk>/cancel/", ConsultationCancelView.as_view(), name="cancel"),
    path("<int:pk>/held/", ConsultationHeldView.as_view(), name="held"),
    path("<int:pk>/secrecy/", SecrecyView.as_view(), name="secrecy"),
    path("<int:pk>/participants/add/", ParticipantAddView.as_view(), name="participant_add"),
    path(
        "<int:pk>/participants/add-representative/",
        ParticipantAddNamedView.as_view(),
        name="participant_add_named",
    ),
    path(
        "<int:pk>/participants/<int:participant_pk>/remove/",
        ParticipantRemoveView.as_view(),
        name="participant_remove",
    ),
    path("<int:pk>/agenda/add/", AgendaAddView.as_view(), name="agenda_add"),
    path(f"{_ITEM}/", AgendaItemView.as_view(), name="item"),
    path(f"{_ITEM}/edit/", AgendaItemEditView.as_view(), name="item_edit"),
    path(f"{_ITEM}/remove/", AgendaItemRemoveView.as_view(), name="agenda_remove"),
    path(f"{_ITEM}/move/", AgendaItemMoveView.as_view(), name="agenda_move"),
]
