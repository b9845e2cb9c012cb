"""The auditor's pages: the audit trail, the search for a data subject and their access
report; and the same report for the case team of a case the person is in."""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from access import audit
from access.models import AuditAction, AuditEvent
from access.policy import Action, restrict
from access.views import CaseScopedMixin, RoleRequiredMixin
from accounts.roles import AUDIT_ROLES
from cases.models import Case, CaseParty, Person
from reporting import subject_access
from reporting.audit_detail import detail_parts
from reporting.audit_trail import applied_filters, audit_events

PAGE_SIZE = 50
REVIEW_PURPOSE = "audit review"


class AuditorMixin(RoleRequiredMixin):
    required_roles = AUDIT_ROLES


class AuditTrailView(AuditorMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        found, events = audit_events(data=request.GET)
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(page.object_list)
        for event in shown:
            event.detail_parts = detail_parts(event.detail)  # type: ignore[attr-defined]
        # The reading of the trail is itself a row of the trail.
        audit.record(
            user=self.user,
            action=AuditAction.LIST,
            object_type=AuditEvent._meta.label_lower,
            request=request,
            purpose=REVIEW_PURPOSE,
            detail={"ids": [str(e.pk) for e in shown], "filters": applied_filters(found)},
        )
        return TemplateResponse(
            request,
            "reporting/audit/trail.html",
            {"filter": found, "events": shown, "page_obj": page},
        )


class SubjectSearchForm(forms.Form):
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class SubjectSearchView(AuditorMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = SubjectSearchForm(request.GET or None)
        people: list[Person] = []
        searched = form.is_valid()
        if searched:
            people = list(subject_access.find_people(**form.cleaned_data))
            # Who was found, by id: the name searched for is personal data and stays out.
            audit.record_list(
                user=self.user,
                model=Person,
                ids=[p.pk for p in people],
                request=request,
                purpose=subject_access.SEARCH_PURPOSE,
            )
        return TemplateResponse(
            request,
            "reporting/audit/subject_search.html",
            {"form": form, "people": people, "searched": searched},
        )


def _pdf_response(content: bytes, person: Person) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="access-report-{person.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _record_export(request: HttpRequest, user: Any, person: Person, case_id: int | None) -> None:
    audit.record(
        user=user,
        action=AuditAction.EXPORT,
        object_type=Person._meta.label_lower,
        object_id=person.pk,
        case_id=case_id,
        request=request,
        purpose=subject_access.PURPOSE,
    )


class SubjectAccessReportView(AuditorMixin, View):
    """The complete report, for the auditor role."""

    def get(self, request: HttpRequest, person_pk: int) -> HttpResponse:
        person = get_object_or_404(Person, pk=person_pk)
        content = subject_access.report_pdf(person=person, case_ids=None, requested_by=self.user)
        _record_export(request, self.user, person, None)
        return _pdf_response(content, person)


class PartyAccessReportView(CaseScopedMixin, View):
    """The report for a person in a case, for who may change that case (as the person's edit
    page): limited to the person's cases this user may see."""

    model = Case
    action = Action.CHANGE
    audit_purpose = subject_access.PURPOSE

    def get(self, request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
        case = self.get_object()
        party = get_object_or_404(
            CaseParty.objects.select_related("person"), case=case, pk=party_pk
        )
        visible = restrict(Case.objects.all(), self.user, Action.VIEW).values_list("pk", flat=True)
        content = subject_access.report_pdf(
            person=party.person, case_ids=set(visible), requested_by=self.user
        )
        _record_export(request, self.user, party.person, case.pk)
        return _pdf_response(content, party.person)


urlpatterns = [
    path("audit/", AuditTrailView.as_view(), name="audit_trail"),
    path("audit/people/", SubjectSearchView.as_view(), name="subject_access_search"),
    path(
        "audit/people/<int:person_pk>/report/",
        SubjectAccessReportView.as_view(),
        name="subject_access_report",
    ),
    path(
        "cases/<int:pk>/people/<int:party_pk>/access-report/",
        PartyAccessReportView.as_view(),
        name="party_access_report",
    ),
]
