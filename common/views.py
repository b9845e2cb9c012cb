"""Views whose work is one service call."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

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
            # ``edit_conflict``: the error summary links to the page as it is now (a reload
            # would send the stale page again).
            return self.render_to_response(  # type: ignore[attr-defined, no-any-return]
                self.get_context_data(form=form, edit_conflict=True),  # type: ignore[attr-defined]
                status=409,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)  # type: ignore[attr-defined, no-any-return]
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())  # type: ignore[attr-defined]


# --- Asking first: destructive and access-ending actions ---

# The field the confirmation page posts. A POST without it only shows the confirmation page,
# so an old one-click form (or a crafted POST) cannot skip the question.
CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says: the question, what it concerns and what follows.

    ``subject`` names the object as the page it came from does (a reference, a role, a
    number), without personal data the decision does not need.
    """

    title: str
    subject: str
    cancel_url: str
    consequences: tuple[str, ...] = ()
    button: str = field(default_factory=lambda: gettext("Yes, remove"))
    cancel_label: str = field(default_factory=lambda: gettext("Cancel"))


class ConfirmationMixin:
    """Ask before doing: GET (or a POST without ``confirm=yes``) shows ``confirm.html``;
    the confirmed POST calls ``act``.

    Put it *before* the view's base in the bases (its ``get``/``post`` must win) and keep the
    access checks where they are: ``get_confirmation`` and ``act`` look the object up through
    the same access-checked methods, so the question is never shown about something the user
    may not change. ``act`` returns the response (a redirect with a flash message).
    """

    request: HttpRequest
    http_method_names: Sequence[str] = ("get", "post")
    confirm_template_name: ClassVar[str] = "confirm.html"

    def get_confirmation(self) -> Confirmation:
        raise NotImplementedError

    # ``act(request, *args, **kwargs) -> HttpResponse`` comes from the view (or its base, as
    # in ConsultationActionView): no stub here, or it would shadow the base's by the MRO.

    def render_confirmation(self) -> HttpResponse:
        return TemplateResponse(
            self.request,
            self.confirm_template_name,
            {
                "confirmation": self.get_confirmation(),
                "confirm_field": CONFIRM_FIELD,
                "confirm_value": CONFIRM_VALUE,
            },
        )

    def is_confirmed(self) -> bool:
        return (
            self.request.method == "POST" and self.request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE
        )

    def request_changes(self) -> bool:
        """Only the confirmed POST changes anything: the access base views audit the question
        (GET or an unconfirmed POST) as a VIEW (access.views.AccessControlledView)."""
        return self.is_confirmed()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_confirmation()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.is_confirmed():
            return self.render_confirmation()
        return self.act(request, *args, **kwargs)  # type: ignore[attr-defined, no-any-return]


# --- Return after save ---


def safe_next(request: HttpRequest) -> str | None:
    """The ``next`` page the form was opened from, when it is on this site; else ``None``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
