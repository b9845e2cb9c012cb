"""Consultation craft pages: the attendance register and a secrecy confirmation given on
paper or orally (the chair), the review date of an agenda case (its case team) and the
registrations on a triage table's agenda (the chair). Rules live in ``services.craft``."""

from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy

from common.submission import OneTimeSubmissionMixin

from ..forms.craft import AttendanceForm, ReviewDateForm, SecrecyGivenForm, TriageAddForm
from ..services import craft as services
from .planning import AgendaItemFormView, ConsultationFormView


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


class ReviewDateView(AgendaItemFormView):
    """The case team sets the date from which the case returns to a later agenda."""

    form_class = ReviewDateForm
    success_message = gettext_lazy("Review date saved.")
    title_format = gettext_lazy("Review date of case %(ref)s")
    audit_purpose = "agenda item review date"

    def get_initial(self) -> dict[str, Any]:
        return {"review_on": self.item.review_on, "version": self.item.version}

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
