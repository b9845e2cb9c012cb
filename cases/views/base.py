"""A base for every form that changes something on a case (the case is in the URL as ``pk``)."""

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.generic import FormView

from access.policy import Action
from access.views import CaseScopedMixin

from ..models import Case
from ..services import EditConflict


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Show each broken rule beside the field it names (services key them by field), or
    above the form when it names none."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class ServiceFormMixin:
    """``form_valid`` for forms whose work is one service call, made in ``perform``.

    A rule broken in the service (``ValidationError``) is shown on the form and nothing
    changes; an edit conflict answers 409 and keeps the user's input.
    """

    request: HttpRequest
    success_message: ClassVar[Any] = ""

    def perform(self, form: Any) -> None:
        raise NotImplementedError

    def form_valid(self, form: Form) -> HttpResponse:
        try:
            self.perform(form)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
            return self.render_to_response(  # type: ignore[attr-defined, no-any-return]
                self.get_context_data(form=form),  # type: ignore[attr-defined]
                status=409,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)  # type: ignore[attr-defined, no-any-return]
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())  # type: ignore[attr-defined]


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

    def get_success_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", kwargs={"pk": self.case.pk})
