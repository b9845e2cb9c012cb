"""Views whose work is one service call."""

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .versioning import EditConflict


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
