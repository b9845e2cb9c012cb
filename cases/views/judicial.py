"""Track 3: the judicial trajectory (PVs, measures, hearings) and the care trajectory (partners)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from access.policy import Action
from access.views import CaseScopedMixin
from common.submission import OneTimeSubmissionMixin
from common.views import Confirmation, ConfirmationMixin

from .. import services
from ..forms.trajectory import (
    HearingForm,
    MeasureExtendForm,
    MeasureForm,
    PartnerAddForm,
    PartnerEndForm,
    PoliceReportForm,
    TrajectoryNotesForm,
)
from ..models import Case, CasePartner, Hearing, Measure, MeasureExtension, PoliceReport
from .base import CaseFormView


class TrajectoryFormView(CaseFormView):
    """A case form whose service errors name the field they are about, shown beside it."""

    section = "judicial-heading"


class TrajectoryNotesView(TrajectoryFormView):
    form_class = TrajectoryNotesForm
    title = gettext_lazy("Parket notice number and alignment")
    success_message = gettext_lazy("Changes saved.")
    audit_purpose = "edit trajectory notes"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.case}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.case_update_trajectory_notes(
            case=self.case,
            by=self.user,
            expected_version=d["version"],
            parket_notice_number=d["parket_notice_number"],
            alignment_notes=d["alignment_notes"],
        )


class PoliceReportAddView(OneTimeSubmissionMixin, TrajectoryFormView):
    form_class = PoliceReportForm
    title = gettext_lazy("Add a police report (PV)")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Police report added.")
    audit_purpose = "add police report"

    def perform(self, form: Any) -> None:
        services.police_report_add(case=self.case, by=self.user, **form.cleaned_data)


class MeasureAddView(OneTimeSubmissionMixin, TrajectoryFormView):
    form_class = MeasureForm
    title = gettext_lazy("Add a measure")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Measure added.")
    audit_purpose = "add measure"

    def perform(self, form: Any) -> None:
        services.measure_add(case=self.case, by=self.user, **form.cleaned_data)


class MeasureExtendView(TrajectoryFormView):
    form_class = MeasureExtendForm
    template_name = "cases/trajectory/measure_extend.html"
    title = gettext_lazy("Extend a measure")
    submit_label = gettext_lazy("Extend")
    success_message = gettext_lazy("Measure extended.")
    audit_purpose = "extend measure"
    measure: Measure

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        self.measure = get_object_or_404(
            Measure.objects.filter(case=self.case)
            .select_related("decided_by")
            .prefetch_related(
                Prefetch("extensions", MeasureExtension.objects.select_related("decided_by"))
            ),
            pk=kwargs["measure_pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        # The measure's own version: a concurrent extension must not be overwritten.
        return {**super().get_initial(), "version": self.measure.version}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "measure": self.measure,
            "extension_max_days": settings.FJC_RESTRAINING_ORDER_EXTENSION_MAX_DAYS,
        }

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.measure_extend(
            measure=self.measure,
            by=self.user,
            new_end=d["new_end"],
            decided_on=d["decided_on"],
            decided_by=d["decided_by"],
            expected_version=d["version"],
        )


class HearingAddView(OneTimeSubmissionMixin, TrajectoryFormView):
    form_class = HearingForm
    title = gettext_lazy("Plan a hearing")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Hearing added.")
    audit_purpose = "add hearing"

    def perform(self, form: Any) -> None:
        services.hearing_add(case=self.case, by=self.user, **form.cleaned_data)


class PartnerAddView(OneTimeSubmissionMixin, TrajectoryFormView):
    form_class = PartnerAddForm
    title = gettext_lazy("Add a partner to the care trajectory")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Partner added to the care trajectory.")
    audit_purpose = "add care partner"
    section = "care-heading"

    def perform(self, form: Any) -> None:
        services.partner_add(case=self.case, by=self.user, **form.cleaned_data)


class PartnerEndView(TrajectoryFormView):
    form_class = PartnerEndForm
    template_name = "cases/trajectory/partner_end.html"
    title = gettext_lazy("End a partner's part in the care trajectory")
    submit_label = gettext_lazy("End")
    success_message = gettext_lazy("The partner has left the care trajectory.")
    audit_purpose = "end care partner"
    section = "care-heading"
    partner: CasePartner

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        # Only a partner still in the trajectory can leave it.
        self.partner = get_object_or_404(
            CasePartner.objects.filter(case=self.case, until__isnull=True).select_related(
                "organisation"
            ),
            pk=kwargs["case_partner_pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "partner": self.partner}

    def perform(self, form: Any) -> None:
        services.partner_end(
            case=self.case, by=self.user, partner=self.partner, until=form.cleaned_data["until"]
        )


class _ChildRemoveView(ConfirmationMixin, CaseScopedMixin, View):
    """Remove an object of the case's judicial trajectory, after asking."""

    model = Case
    action = Action.CHANGE
    child_model: type[PoliceReport] | type[Hearing]
    child_kwarg: str
    done_message: Any
    question: Any

    def remove(self, case: Case, child: Any) -> None:
        raise NotImplementedError

    def describe(self, child: Any) -> str:
        raise NotImplementedError

    def get_child(self) -> Any:
        return get_object_or_404(
            self.child_model, case=self.get_object(), pk=self.kwargs[self.child_kwarg]
        )

    def judicial_section(self) -> str:
        return reverse("cases:detail", kwargs={"pk": self.get_object().pk}) + "#judicial-heading"

    def get_confirmation(self) -> Confirmation:
        child = self.get_child()
        return Confirmation(
            title=str(self.question),
            subject=_("%(what)s, in case %(case)s.")
            % {"what": self.describe(child), "case": self.get_object().reference},
            consequences=(_("The change is kept in the history of the case."),),
            cancel_url=self.judicial_section(),
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.remove(self.get_object(), self.get_child())
        messages.success(request, self.done_message)
        return redirect(self.judicial_section())


class PoliceReportRemoveView(_ChildRemoveView):
    audit_purpose = "remove police report"
    child_model = PoliceReport
    child_kwarg = "police_report_pk"
    done_message = gettext_lazy("Police report removed.")
    question = gettext_lazy("Remove this police report?")

    def describe(self, child: Any) -> str:
        return _("Police report %(number)s of %(date)s") % {
            "number": child.number,
            "date": date_format(child.drawn_up_on, "SHORT_DATE_FORMAT"),
        }

    def remove(self, case: Case, child: Any) -> None:
        services.police_report_remove(case=case, by=self.user, report=child)


class HearingRemoveView(_ChildRemoveView):
    audit_purpose = "remove hearing"
    child_model = Hearing
    child_kwarg = "hearing_pk"
    done_message = gettext_lazy("Hearing removed.")
    question = gettext_lazy("Remove this hearing?")

    def describe(self, child: Any) -> str:
        return _("Hearing at %(court)s on %(when)s") % {
            "court": child.court,
            "when": date_format(timezone.localtime(child.held_at), "SHORT_DATETIME_FORMAT"),
        }

    def remove(self, case: Case, child: Any) -> None:
        services.hearing_remove(case=case, by=self.user, hearing=child)


urlpatterns: list[URLPattern] = [
    path(
        "<int:pk>/trajectory/notes/",
        TrajectoryNotesView.as_view(),
        name="trajectory_notes",
    ),
    path(
        "<int:pk>/trajectory/police-reports/add/",
        PoliceReportAddView.as_view(),
        name="police_report_add",
    ),
    path(
        "<int:pk>/trajectory/police-reports/<int:police_report_pk>/remove/",
        PoliceReportRemoveView.as_view(),
        name="police_report_remove",
    ),
    path("<int:pk>/trajectory/measures/add/", MeasureAddView.as_view(), name="measure_add"),
    path(
        "<int:pk>/trajectory/measures/<int:measure_pk>/extend/",
        MeasureExtendView.as_view(),
        name="measure_extend",
    ),
    path("<int:pk>/trajectory/hearings/add/", HearingAddView.as_view(), name="hearing_add"),
    path(
        "<int:pk>/trajectory/hearings/<int:hearing_pk>/remove/",
        HearingRemoveView.as_view(),
        name="hearing_remove",
    ),
    path(
        "<int:pk>/trajectory/partners/add/",
        PartnerAddView.as_view(),
        name="care_partner_add",
    ),
    path(
        "<int:pk>/trajectory/partners/<int:case_partner_pk>/end/",
        PartnerEndView.as_view(),
        name="care_partner_end",
    ),
]
