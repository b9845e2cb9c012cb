"""One-time submission tokens for create forms: a resubmitted form creates nothing twice.

A create view's form gets a hidden ``submission_token`` field when it is rendered: a random
nonce signed for the user (nothing is stored on GET). When the form is valid, the nonce is
inserted as a ``SubmissionToken`` row in the same transaction as the creation, and the
row remembers where the view redirected. A second POST of the same token (double click,
back button, a retry) cannot insert it again: it waits for the first transaction and is
redirected to what the first one created, with a message. A creation that fails (a broken
rule, a conflict) rolls the token back with it, so the corrected form can be sent again.

A POST without a token is handled as before (scripts and old pages); a token that was not
signed for this user is refused.
"""

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .models import SubmissionToken

FIELD = "submission_token"


def _signer(user: Any) -> signing.Signer:
    return signing.Signer(salt=f"common.submission.{user.pk}")


def issue_token(user: Any) -> str:
    return _signer(user).sign(secrets.token_urlsafe(24))


def read_token(user: Any, value: str) -> str | None:
    """The nonce of a token issued to ``user``; None when it was not."""
    try:
        return _signer(user).unsign(value)
    except signing.BadSignature:
        return None


class OneTimeSubmissionMixin:
    """For a create view (a ``FormView`` that redirects after creating): put it first in
    the bases, so that its ``post`` wraps the view's own ``form_valid``."""

    request: HttpRequest

    def creates(self) -> bool:
        """Whether this request's form creates (a view shared by create and edit says no
        for an edit, which its version protects)."""
        return True

    def get_form(self, form_class: Any = None) -> forms.Form:
        form = super().get_form(form_class)  # type: ignore[misc]
        if not self.creates():
            return form  # type: ignore[no-any-return]
        # A bound form shows the token it was sent with, so a corrected form keeps it.
        form.fields[FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=issue_token(self.request.user)
        )
        return form  # type: ignore[no-any-return]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # ``post`` rather than ``form_valid``, which the create views define themselves.
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)  # type: ignore[attr-defined, no-any-return]
        raw = form.cleaned_data.pop(FIELD, "")
        if not raw or not self.creates():
            return self.form_valid(form)  # type: ignore[attr-defined, no-any-return]
        nonce = read_token(self.request.user, raw)
        if nonce is None:
            data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            data[FIELD] = issue_token(self.request.user)
            form.data = data
            form.add_error(None, _("This form could not be checked. Check it and send it again."))
            return self.form_invalid(form)  # type: ignore[attr-defined, no-any-return]
        with transaction.atomic():
            try:
                with transaction.atomic():
                    token = SubmissionToken.objects.create(nonce=nonce, user_id=self._user_pk())
            except IntegrityError:
                # Inserted by an earlier submission that committed (we waited for it).
                return self._already_sent(nonce)
            response = self.form_valid(form)  # type: ignore[attr-defined]
            if isinstance(response, HttpResponseRedirect):
                token.result_url = response.url
                token.save(update_fields=["result_url"])
            else:
                transaction.set_rollback(True)  # nothing was created: the token stays unused
            return response  # type: ignore[no-any-return]

    def _user_pk(self) -> int:
        pk = self.request.user.pk
        assert pk is not None  # create views are for signed-in users only
        return pk

    def _already_sent(self, nonce: str) -> HttpResponse:
        earlier = SubmissionToken.objects.filter(nonce=nonce, user_id=self._user_pk()).first()
        messages.info(self.request, _("This form was already sent; this is what it created then."))
        return redirect(earlier.result_url if earlier and earlier.result_url else "home")
