"""Consultation craft pages: the attendance register and a secrecy confirmation given on
paper or orally (the chair), the review date of an agenda case (its case team) and the
registrations on a triage table's agenda (the chair). Rules live in ``services.craft``."""

from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from access.policy import Action
from access.views import ConsultationScopedMixin
from common.submission import OneTimeSubmissionMixin
from common.views import ServiceFormMixin

from ..forms.craft import AttendanceForm, ReviewDateForm, SecrecyGivenForm, TriageAddForm
from ..services import craft as services
from .planning import ConsultationFormView


class AttendanceView(ConsultationFormView):
    form_class = AttendanceForm
    title = gettext_lazy("Attendance register")
    success_message = gettext_lazy("Attendance register saved.")
    audit_purpose = "attendance register"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "consultation": self.consultation}

    def perform(self, form: Any) -> None:
        services.attendance_record(
            consultation=self.consultation,
            by=self.user,
            version=form.cleaned_data["version"],
            entries=form.entries(),
        )


class SecrecyGivenView(OneTimeSubmissionMixin, ConsultationFormView):
    form_class = SecrecyGivenForm
    title = gettext_lazy("Record a confirmation of the duty of secrecy given on paper or orally")
    success_message = gettext_lazy("Confirmation of the duty of secrecy recorded.")
    audit_purpose = "record secrecy confirmation"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "consultation": self.consultation}

    def perform(self, form: Any) -> None:
        participant, for_representative = form.chosen()
        services.secrecy_record_given(
            consultation=self.consultation,
            by=self.user,
            participant=participant,
            for_representative=for_representative,
            given_at=form.cleaned_data["given_at"],
            method=form.cleaned_data["method"],
        )


class TriageAddView(OneTimeSubmissionMixin, ConsultationFormView):
    form_class = TriageAddForm
    title = gettext_lazy("Put a registration on the triage agenda")
    success_message = gettext_lazy("Registration put on the agenda.")
    audit_purpose = "add registration to triage agenda"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "consultation": self.consultation,
            "user": self.user,
        }

    def perform(self, form: Any) -> None:
        services.triage_item_add(
            consultation=self.consultation,
            by=self.user,
            registration=form.cleaned_data["registration"],
        )


class ReviewDateView(ServiceFormMixin, ConsultationScopedMixin, FormView):
    """The case team sets the date from which the case returns to a later agenda."""

    form_class = ReviewDateForm
    template_name = "consultations/planning/form.html"
    success_message = gettext_lazy("Review date saved.")
    audit_purpose = "agenda item review date"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.consultation = self.get_consultation(record=False)
        self.item = self.get_agenda_item(action=Action.CHANGE)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"review_on": self.item.review_on, "version": self.item.version}

    def get_success_url(self) -> str:
        return reverse(
            "consultations:item", kwargs={"pk": self.consultation.pk, "item_pk": self.item.pk}
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "consultation": self.consultation,
            "title": _("Review date of case %(ref)s") % {"ref": self.item.case.reference},
            "back_url": self.get_success_url(),
        }

    def perform(self, form: Any) -> None:
        services.agenda_item_set_review(
            item=self.item,
            by=self.user,
            version=form.cleaned_data["version"],
            review_on=form.cleaned_data["review_on"],
        )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/attendance/", AttendanceView.as_view(), name="attendance"),
    path("<int:pk>/secrecy/record/", SecrecyGivenView.as_view(), name="secrecy_record"),
    path("<int:pk>/triage/add/", TriageAddView.as_view(), name="triage_add"),
    path("<int:pk>/items/<int:item_pk>/review/", ReviewDateView.as_view(), name="item_review"),
]
