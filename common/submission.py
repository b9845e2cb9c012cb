"""One-time submission tokens for create forms: a resubmitted form creates nothing twice.

A create view's form gets a hidden ``submission_token`` field when it is rendered: a random
nonce signed for the user (nothing is stored on GET). When the form is valid, the nonce is
inserted as a ``SubmissionToken`` row in the same transaction as the creation, and the
row remembers where the view redirected. A second POST of the same token (double click,
back button, a retry) cannot insert it again: it waits for the first transaction and is
redirected to what the first one created, with a message. A creation that fails (a broken
rule, a conflict) rolls the token back with it, so the corrected form can be sent again.

The token is required: a create POST without one (a script, a page from before), with one
that was not signed for this user, or with one older than ``FJC_SUBMISSION_TOKEN_DAYS`` is
refused like an expired form: nothing is created, the form is shown again (200) with a Dutch
message and a fresh token, so the person checks it and sends it once more.

The nonce is signed with its time, and ``delete_old_tokens`` (a daily beat task) removes rows
older than the same number of days: a row is written after its token was issued, so a token
whose row is gone is always too old to be accepted, and a back-button resubmit from before the
clean-up is refused instead of creating a second object.
"""

import datetime
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SubmissionToken

FIELD = "submission_token"


def token_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.FJC_SUBMISSION_TOKEN_DAYS)


def _signer(user: Any) -> signing.TimestampSigner:
    # "timed": tokens of the earlier untimed form ("common.submission.<pk>") are refused.
    return signing.TimestampSigner(salt=f"common.submission.timed.{user.pk}")


def issue_token(user: Any) -> str:
    return _signer(user).sign(secrets.token_urlsafe(24))


def read_token(user: Any, value: str) -> str | None:
    """The nonce of a token issued to ``user`` less than FJC_SUBMISSION_TOKEN_DAYS ago; None
    when it was not (missing, foreign, tampered with or too old)."""
    if not value:
        return None
    try:
        return _signer(user).unsign(value, max_age=token_max_age())
    except signing.BadSignature:  # SignatureExpired too
        return None


def delete_old_tokens() -> int:
    """Remove the rows older than FJC_SUBMISSION_TOKEN_DAYS; their tokens are refused anyway."""
    cutoff = timezone.now() - token_max_age()
    deleted, _by_model = SubmissionToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted


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
        if not self.creates():
            if not form.is_valid():
                return self.form_invalid(form)  # type: ignore[attr-defined, no-any-return]
            return self.form_valid(form)  # type: ignore[attr-defined, no-any-return]
        nonce = read_token(self.request.user, form.data.get(FIELD, ""))  # type: ignore[attr-defined]
        if nonce is None:
            # Refused like an expired form, whatever else is wrong with it: shown again with
            # a fresh token (so the checked form can be sent) and nothing created.
            data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            data[FIELD] = issue_token(self.request.user)
            form.data = data
            form.full_clean()
            form.add_error(None, _("This form could not be checked. Check it and send it again."))
            return self.form_invalid(form)  # type: ignore[attr-defined, no-any-return]
        if not form.is_valid():
            return self.form_invalid(form)  # type: ignore[attr-defined, no-any-return]
        form.cleaned_data.pop(FIELD, "")
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
