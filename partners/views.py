"""The partner directory (read by case-working staff, kept by the network coordinator),
trainings and gaps in the care offer (the network coordinator's).

The network coordinator never sees a case: nothing here shows or links the case a gap
was signalled from. The signal form itself lives on a case (``cases.views.gaps``, change
access needed).
"""

from typing import Any, ClassVar

from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView, View

from access import audit
from access.models import AuditAction
from access.views import RoleRequiredMixin
from accounts.roles import DIRECTORY_READ_ROLES, NETWORK_ROLES
from common.submission import OneTimeSubmissionMixin
from common.views import ServiceFormMixin

from . import services
from .forms import (
    AgreementForm,
    ContactPersonForm,
    DirectoryFilterForm,
    GapFilterForm,
    GapFollowUpForm,
    GapStatusForm,
    OrganisationCreateForm,
    OrganisationDirectoryForm,
    TrainingForm,
)
from .models import Agreement, ContactPerson, Gap, GapKind, Organisation, Training


class DirectoryReadMixin(RoleRequiredMixin):
    required_roles = DIRECTORY_READ_ROLES


class NetworkMixin(RoleRequiredMixin):
    required_roles = NETWORK_ROLES


class NetworkFormView(ServiceFormMixin, NetworkMixin, FormView):
    """A coordinator's form: a broken rule shows on the form and nothing changes, a stale
    one is a 409 (``common.views.ServiceFormMixin``)."""

    template_name = "partners/form.html"
    title: ClassVar[Any] = ""
    back_url_name: ClassVar[str] = "partners:directory"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": self.title, "back": self.back_url()}

    def back_url(self) -> str:
        return reverse(self.back_url_name)

    def get_success_url(self) -> str:
        return self.back_url()


# --- the directory ---


class DirectoryView(DirectoryReadMixin, ListView):
    template_name = "partners/directory.html"
    context_object_name = "organisations"

    def get_queryset(self) -> QuerySet[Organisation]:
        self.filters = DirectoryFilterForm(self.request.GET or None)
        queryset = Organisation.objects.filter(is_active=True).prefetch_related(
            "municipalities_served"
        )
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["sector"]:
                queryset = queryset.filter(sector=data["sector"])
            if data["municipality"]:
                queryset = queryset.filter(municipalities_served=data["municipality"])
            if data["core"]:
                queryset = queryset.filter(is_core_partner=True)
        return queryset.distinct()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "filters": self.filters,
            "can_edit": self.user.has_role(*NETWORK_ROLES),
        }


class OrganisationDetailView(DirectoryReadMixin, DetailView):
    template_name = "partners/organisation_detail.html"
    context_object_name = "organisation"
    pk_url_kwarg = "organisation_pk"

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.prefetch_related(
            "municipalities_served",
            Prefetch("contacts", queryset=ContactPerson.objects.order_by("-is_active", "name")),
            "agreements",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "can_edit": self.user.has_role(*NETWORK_ROLES),
        }


class AgreementDownloadView(DirectoryReadMixin, View):
    def get(self, request: Any, agreement_pk: int) -> FileResponse:
        agreement = get_object_or_404(Agreement, pk=agreement_pk)
        if not agreement.document:
            raise Http404
        # A signed document leaves the application: the trail says who took it.
        audit.record(
            user=request.user,
            action=AuditAction.EXPORT,
            obj=agreement,
            request=request,
            purpose="download agreement document",
        )
        return FileResponse(
            agreement.document.open("rb"),
            as_attachment=True,
            filename=(agreement.document.name or "").rsplit("/", 1)[-1],
        )


class OrganisationCreateView(OneTimeSubmissionMixin, NetworkFormView):
    form_class = OrganisationCreateForm
    title = _("Add an organisation to the directory")
    success_message = _("The organisation was added.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user}

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        self.organisation = services.organisation_directory_create(
            by=self.user,
            name=data["name"],
            kind=data["kind"],
            sector=data["sector"],
            is_core_partner=data["is_core_partner"],
            municipalities_served=data["municipalities_served"],
        )

    def get_success_url(self) -> str:
        return reverse("partners:organisation", kwargs={"organisation_pk": self.organisation.pk})


class OrganisationObjectMixin:
    kwargs: dict[str, Any]

    def get_organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            self._organisation = get_object_or_404(Organisation, pk=self.kwargs["organisation_pk"])
        return self._organisation

    def back_url(self) -> str:
        return reverse(
            "partners:organisation", kwargs={"organisation_pk": self.get_organisation().pk}
        )


class OrganisationEditView(OrganisationObjectMixin, NetworkFormView):
    form_class = OrganisationDirectoryForm
    title = _("Edit the directory entry")
    success_message = _("The directory entry was saved.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.get_organisation()}

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.organisation_directory_update(
            organisation=self.get_organisation(),
            by=self.user,
            sector=data["sector"],
            is_core_partner=data["is_core_partner"],
            municipalities_served=data["municipalities_served"],
            expected_version=data["version"],
        )


class ContactAddView(OneTimeSubmissionMixin, OrganisationObjectMixin, NetworkFormView):
    form_class = ContactPersonForm
    title = _("Add a contact person")
    success_message = _("The contact person was added.")

    def perform(self, form: Any) -> None:
        contact = form.save(commit=False)
        contact.organisation = self.get_organisation()
        services.contact_save(contact=contact, by=self.user)


class ContactEditView(OrganisationObjectMixin, NetworkFormView):
    form_class = ContactPersonForm
    title = _("Edit a contact person")
    success_message = _("The contact person was saved.")

    def get_organisation(self) -> Organisation:
        return self.get_contact().organisation

    def get_contact(self) -> ContactPerson:
        if not hasattr(self, "_contact"):
            self._contact = get_object_or_404(
                ContactPerson.objects.select_related("organisation"), pk=self.kwargs["contact_pk"]
            )
        return self._contact

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.get_contact()}

    def perform(self, form: Any) -> None:
        services.contact_save(
            contact=form.save(commit=False),
            by=self.user,
            expected_version=form.cleaned_data["version"],
        )


class AgreementAddView(OneTimeSubmissionMixin, OrganisationObjectMixin, NetworkFormView):
    form_class = AgreementForm
    title = _("Add an agreement")
    success_message = _("The agreement was added.")

    def perform(self, form: Any) -> None:
        agreement = form.save(commit=False)
        agreement.organisation = self.get_organisation()
        services.agreement_save(agreement=agreement, by=self.user)


class AgreementEditView(OrganisationObjectMixin, NetworkFormView):
    form_class = AgreementForm
    title = _("Edit an agreement")
    success_message = _("The agreement was saved.")

    def get_organisation(self) -> Organisation:
        return self.get_agreement().organisation

    def get_agreement(self) -> Agreement:
        if not hasattr(self, "_agreement"):
            self._agreement = get_object_or_404(
                Agreement.objects.select_related("organisation"), pk=self.kwargs["agreement_pk"]
            )
        return self._agreement

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.get_agreement()}

    def perform(self, form: Any) -> None:
        services.agreement_save(
            agreement=form.save(commit=False),
            by=self.user,
            expected_version=form.cleaned_data["version"],
        )


# --- trainings and expertise sessions ---


class TrainingListView(NetworkMixin, ListView):
    template_name = "partners/trainings.html"
    context_object_name = "trainings"

    def get_year(self) -> int:
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            return timezone.localdate().year
        return year if 1990 <= year <= 9999 else timezone.localdate().year

    def get_queryset(self) -> QuerySet[Training]:
        self.year = self.get_year()
        return Training.objects.filter(date__year=self.year).prefetch_related("organisations")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        trainings = kwargs.get("object_list", self.object_list)
        return {
            **super().get_context_data(**kwargs),
            "year": self.year,
            "previous_year": self.year - 1,
            "next_year": self.year + 1,
            "total_participants": sum(t.participants for t in trainings),
        }


class TrainingAddView(OneTimeSubmissionMixin, NetworkFormView):
    form_class = TrainingForm
    title = _("Record a training or session")
    success_message = _("The training was recorded.")
    back_url_name = "partners:trainings"

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "date": timezone.localdate()}

    def perform(self, form: Any) -> None:
        services.training_save(
            training=form.save(commit=False),
            by=self.user,
            organisations=form.cleaned_data["organisations"],
        )


class TrainingEditView(NetworkFormView):
    form_class = TrainingForm
    title = _("Edit a training or session")
    success_message = _("The training was saved.")
    back_url_name = "partners:trainings"

    def get_form_kwargs(self) -> dict[str, Any]:
        training = get_object_or_404(Training, pk=self.kwargs["training_pk"])
        return {**super().get_form_kwargs(), "instance": training}

    def perform(self, form: Any) -> None:
        services.training_save(
            training=form.save(commit=False),
            by=self.user,
            organisations=form.cleaned_data["organisations"],
            expected_version=form.cleaned_data["version"],
        )


# --- gaps in the care offer ---


class GapListView(NetworkMixin, ListView):
    template_name = "partners/gaps.html"
    context_object_name = "gaps"

    def get_queryset(self) -> QuerySet[Gap]:
        self.filters = GapFilterForm(self.request.GET or None)
        # No select_related("case") and no case field in the template: the network
        # coordinator sees the gap, never the case.
        queryset = Gap.objects.select_related("organisation", "municipality")
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["kind"]:
                queryset = queryset.filter(kind=data["kind"])
            if data["status"]:
                queryset = queryset.filter(status=data["status"])
            if data["municipality"]:
                queryset = queryset.filter(municipality=data["municipality"])
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        counts = dict(self.get_queryset().order_by().values_list("kind").annotate(n=Count("pk")))
        by_kind = [(label, counts.get(value, 0)) for value, label in GapKind.choices]
        return {**super().get_context_data(**kwargs), "filters": self.filters, "by_kind": by_kind}


class GapObjectMixin:
    kwargs: dict[str, Any]

    def get_gap(self) -> Gap:
        if not hasattr(self, "_gap"):
            self._gap = get_object_or_404(
                # Not signalled_by: the coordinator's pages never name who signalled a gap.
                Gap.objects.select_related("organisation", "municipality"),
                pk=self.kwargs["gap_pk"],
            )
        return self._gap

    def back_url(self) -> str:
        return reverse("partners:gap", kwargs={"gap_pk": self.get_gap().pk})


class GapDetailView(GapObjectMixin, NetworkMixin, View):
    def get(self, request: Any, gap_pk: int) -> HttpResponse:
        from django.shortcuts import render

        gap = self.get_gap()
        follow_ups = gap.follow_ups.select_related("organisation", "by")
        return render(request, "partners/gap_detail.html", {"gap": gap, "follow_ups": follow_ups})


class GapStatusView(GapObjectMixin, NetworkFormView):
    form_class = GapStatusForm
    title = _("Change the status of the gap")
    success_message = _("The status was changed.")

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "status": self.get_gap().status}

    def perform(self, form: Any) -> None:
        services.gap_set_status(
            gap=self.get_gap(),
            by=self.user,
            status=form.cleaned_data["status"],
            changed_on=form.cleaned_data["changed_on"],
        )


class GapFollowUpAddView(OneTimeSubmissionMixin, GapObjectMixin, NetworkFormView):
    form_class = GapFollowUpForm
    title = _("Add a follow-up")
    success_message = _("The follow-up was added.")

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "date": timezone.localdate()}

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.gap_add_follow_up(
            gap=self.get_gap(),
            by=self.user,
            date=data["date"],
            action=data["action"],
            organisation=data["organisation"],
        )


urlpatterns = [
    path("partners/", DirectoryView.as_view(), name="directory"),
    path("partners/add/", OrganisationCreateView.as_view(), name="organisation_create"),
    path("partners/<int:organisation_pk>/", OrganisationDetailView.as_view(), name="organisation"),
    path(
        "partners/<int:organisation_pk>/edit/",
        OrganisationEditView.as_view(),
        name="organisation_edit",
    ),
    path(
        "partners/<int:organisation_pk>/contacts/add/", ContactAddView.as_view(), name="contact_add"
    ),
    path(
        "partners/contacts/<int:contact_pk>/edit/", ContactEditView.as_view(), name="contact_edit"
    ),
    path(
        "partners/<int:organisation_pk>/agreements/add/",
        AgreementAddView.as_view(),
        name="agreement_add",
    ),
    path(
        "partners/agreements/<int:agreement_pk>/edit/",
        AgreementEditView.as_view(),
        name="agreement_edit",
    ),
    path(
        "partners/agreements/<int:agreement_pk>/document/",
        AgreementDownloadView.as_view(),
        name="agreement_download",
    ),
    path("network/trainings/", TrainingListView.as_view(), name="trainings"),
    path("network/trainings/add/", TrainingAddView.as_view(), name="training_add"),
    path(
        "network/trainings/<int:training_pk>/edit/",
        TrainingEditView.as_view(),
        name="training_edit",
    ),
    path("network/gaps/", GapListView.as_view(), name="gaps"),
    path("network/gaps/<int:gap_pk>/", GapDetailView.as_view(), name="gap"),
    path("network/gaps/<int:gap_pk>/status/", GapStatusView.as_view(), name="gap_status"),
    path(
        "network/gaps/<int:gap_pk>/follow-ups/add/",
        GapFollowUpAddView.as_view(),
        name="gap_follow_up_add",
    ),
]
