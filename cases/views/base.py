"""A base for every form that changes something on a case (the case is in the URL as ``pk``)."""

from typing import Any, ClassVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.generic import FormView

from access.policy import Action
from access.views import CaseScopedMixin
from common.views import ServiceFormMixin, safe_next

from ..models import Case


class CaseFormView(ServiceFormMixin, CaseScopedMixin, FormView):
    """Authorise (change access on the case), show the form, call ``perform``.

    A rule broken in the service (``ValidationError``) is shown on the form and nothing
    changes; an edit conflict answers 409 and keeps the user's input.
    """

    model = Case
    action = Action.CHANGE
    template_name = "cases/case_form.html"
    title: ClassVar[Any] = ""
    submit_label: ClassVar[Any] = ""
    success_message: ClassVar[Any] = ""
    case: Case

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "version": self.case.version}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "case": self.case,
            "title": self.title,
            "submit_label": self.submit_label,
        }

    # Return after save (docs/ui.md): to the page the form was opened from (a ``next`` on this
    # site, set by the link), else to this section of the steering page, where the flash
    # message shows (it stays in view: .messages is sticky).
    section: ClassVar[str] = ""

    def get_success_url(self) -> str:
        return safe_next(self.request) or self.section_url()

    def section_url(self) -> str:
        url = reverse("cases:detail", kwargs={"pk": self.case.pk})
        return f"{url}#{self.section}" if self.section else url
