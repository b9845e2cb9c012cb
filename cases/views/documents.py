"""Documents on a case: the list (with the removed ones for the team), upload, a new version,
the audited download and removal after a confirmation. Thin views over the services."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, View

from access import audit
from access.models import AuditAction
from access.parts import CasePart
from access.policy import Action, is_permitted, restrict
from access.views import CaseScopedMixin
from common.downloads import attachment_response
from common.submission import OneTimeSubmissionMixin
from common.views import Confirmation, ConfirmationMixin

from ..forms.documents import DocumentForm, DocumentVersionForm
from ..models import Case, CaseDocument
from ..selectors.documents import case_documents, document_version, with_versions
from ..services.documents import document_add, document_add_version, document_remove
from .base import CaseFormView

SECTION = "documents-heading"


class DocumentListView(CaseScopedMixin, DetailView):
    """Every document of the case the user may see, each with all its versions; for the case
    team also the removed ones (who removed them, when), still downloadable: the history."""

    model = Case
    case_part = CasePart.FILE  # documents are part of the whole file only
    template_name = "cases/documents/list.html"
    context_object_name = "case"
    audit_purpose = "case documents"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.user
        can_change = is_permitted(user, case, Action.CHANGE)
        documents = list(with_versions(case_documents(user=user, case=case)))
        removed = (
            list(with_versions(case_documents(user=user, case=case, removed=True)))
            if can_change
            else []
        )
        audit.record_list(
            user=user,
            model=CaseDocument,
            request=self.request,
            ids=[d.pk for d in documents + removed],
            purpose="case documents",
        )
        context.update(documents=documents, removed=removed, can_change=can_change)
        return context


class DocumentAddView(OneTimeSubmissionMixin, CaseFormView):
    form_class = DocumentForm
    title = gettext_lazy("Add a document")
    submit_label = gettext_lazy("Upload")
    success_message = gettext_lazy("Document added.")
    section = SECTION
    audit_purpose = "add case document"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        document_add(
            case=self.case,
            by=self.user,
            title=d["title"],
            kind=d["kind"],
            confidential=d["confidential"],
            upload=d["file"],
        )


class _DocumentOfCaseMixin:
    """The document in the URL, through the restricted queryset of the case's documents."""

    kwargs: dict[str, Any]
    case: Case
    user: Any

    def get_document(self) -> CaseDocument:
        return get_object_or_404(
            restrict(CaseDocument.objects.filter(case=self.case), self.user, Action.CHANGE),
            pk=self.kwargs["document_pk"],
        )


class DocumentVersionAddView(_DocumentOfCaseMixin, OneTimeSubmissionMixin, CaseFormView):
    form_class = DocumentVersionForm
    title = gettext_lazy("Upload a new version")
    submit_label = gettext_lazy("Upload")
    success_message = gettext_lazy("New version added; the earlier versions are kept.")
    section = SECTION
    audit_purpose = "add case document version"
    document: CaseDocument

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        self.document = self.get_document()
        if self.document.is_removed:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "document": self.document}

    def perform(self, form: Any) -> None:
        document_add_version(
            case=self.case, by=self.user, document=self.document, upload=form.cleaned_data["file"]
        )


class DocumentDownloadView(CaseScopedMixin, View):
    """One version of a document (``?version=n``; the latest without it), as an attachment.

    The document is fetched through access.policy: out of the case's scope, confidential or
    removed for a reader outside the team, in another case: 404, the same answer as "does not
    exist". Every download is an audit row (EXPORT) besides the read.
    """

    model = CaseDocument
    pk_url_kwarg = "document_pk"
    audit_purpose = "download case document"

    def base_queryset(self) -> Any:
        return CaseDocument.objects.filter(case_id=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        document = self.get_object()
        version = document_version(document=document, number=request.GET.get("version"))
        if version is None or not version.file:
            raise Http404
        audit.record(
            user=self.user,
            action=AuditAction.EXPORT,
            obj=document,
            request=request,
            # A fixed code (shown translated in the audit trail); the version in the detail.
            purpose="download case document version",
            detail={"version": version.number},
        )
        return attachment_response(
            version.file.open("rb"),
            filename=version.original_name,
            content_type=version.content_type,
        )


class DocumentRemoveView(_DocumentOfCaseMixin, ConfirmationMixin, CaseScopedMixin, View):
    """Remove a document after asking: hidden from the list, kept with its versions."""

    model = Case
    action = Action.CHANGE
    audit_purpose = "remove case document"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def section_url(self) -> str:
        return reverse("cases:detail", kwargs={"pk": self.case.pk}) + f"#{SECTION}"

    def get_confirmation(self) -> Confirmation:
        document = self.get_document()
        return Confirmation(
            title=_("Remove this document?"),
            subject=_("%(title)s, in case %(case)s.")
            % {"title": document.title, "case": self.case.reference},
            consequences=(
                _(
                    "It disappears from the list of documents. The document, its versions and "
                    "the removal stay in the history of the case, for the case team."
                ),
            ),
            cancel_url=self.section_url(),
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document_remove(case=self.case, by=self.user, document=self.get_document())
        messages.success(request, _("Document removed; it is kept in the history of the case."))
        return redirect(self.section_url())


urlpatterns: list[URLPattern] = [
    path("<int:pk>/documents/", DocumentListView.as_view(), name="documents"),
    path("<int:pk>/documents/add/", DocumentAddView.as_view(), name="document_add"),
    path(
        "<int:pk>/documents/<int:document_pk>/new-version/",
        DocumentVersionAddView.as_view(),
        name="document_version_add",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/download/",
        DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/remove/",
        DocumentRemoveView.as_view(),
        name="document_remove",
    ),
]
