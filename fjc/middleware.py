import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from access import audit, policy
from common.caching import allows_browser_storage

from . import errors


class DutchFirstMiddleware:
    """The interface is Dutch unless the user chose another language.

    Staff often use browsers set to English; the choice made with the language
    switch (a cookie) counts, the browser's Accept-Language does not.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class AuditBatchMiddleware:
    """The audit rows of a request that changes nothing (GET, HEAD, OPTIONS) go into the
    database together, in one INSERT, when the request ends (``access.audit.batched``): also
    when the view failed, since the rows are written in a ``finally`` around everything below
    this middleware (Django turns a view's exception into the error page inside it). A request
    that may change data records each row as before: inside the transaction of the change it
    belongs to, so that a rolled-back change leaves no row claiming it and a denial before it
    is never lost with it.

    Such a request also builds each permission condition once (``access.policy.
    conditions_kept``): its queries reuse them (the rule is the same; only Django's work of
    building it is saved)."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in self.SAFE_METHODS:
            return self.get_response(request)
        with audit.batched(), policy.conditions_kept():
            return self.get_response(request)


class PermissionsPolicyMiddleware:
    """A restrictive ``Permissions-Policy`` on every response, static files included (it sits
    before WhiteNoise): the application uses no camera, microphone, location, payment, ...,
    so no page, nor anything injected into one, may ask the browser for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.FJC_PERMISSIONS_POLICY)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user (pages, CSV/XLSX,
    PDFs, error pages), so no browser keeps client data on disk (OWASP ASVS 8.2.1).

    Simplest honest rule: any response to a signed-in user may hold case data, so it is not
    stored unless its view opted out with ``common.caching.browser_may_store``. Static files
    are served by WhiteNoise before this middleware and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def process_view(self, request: HttpRequest, view_func: Any, *args: Any) -> None:
        request._browser_may_store = allows_browser_storage(view_func)  # type: ignore[attr-defined]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Read before the view runs: a logout page still held the signed-in user's data.
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        response = self.get_response(request)
        if signed_in and not getattr(request, "_browser_may_store", False):
            add_never_cache_headers(response)
        return response


class SessionRenewalMiddleware:
    """The idle timeout's sliding expiry, written at most once a minute (issue 20).

    A database session expires ``SESSION_COOKIE_AGE`` seconds after it was last saved.
    Saving it on every request (``SESSION_SAVE_EVERY_REQUEST``) cost an UPDATE in a
    transaction on every page; instead the session is saved when something in it changed
    (Django does that itself) or when its last save is ``FJC_SESSION_RENEW_SECONDS`` or more
    ago: it then carries the moment of that save, which makes it modified, so Django's
    ``SessionMiddleware`` (whose response step runs right after this one's) saves it with a
    new expiry. The timeout is never longer than configured: the stored expiry is at most
    ``SESSION_COOKIE_AGE`` after the last request, and at least that minus the renewal
    interval (a session used just before the timeout is always renewed). The absolute
    lifetime (``AbsoluteSessionLifetimeMiddleware``) is counted from the sign-in as before.

    Sits right after ``SessionMiddleware``: the last to touch the session before it is saved.
    """

    KEY = "fjc_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Nothing to renew: no session, a signed-out (flushed) one, or one that had expired
        # (its load found nothing) -- renewing would create a session of its own.
        if session is None or session.is_empty() or not session.keys():
            return response
        now = int(time.time())
        if session.modified or now - session.get(self.KEY, 0) >= settings.FJC_SESSION_RENEW_SECONDS:
            session[self.KEY] = now
        return response


class AbsoluteSessionLifetimeMiddleware:
    """A session ends ``FJC_SESSION_MAX_SECONDS`` after sign-in, however active it is.

    The idle timeout alone lets a session that is used every few minutes (a shared
    computer, a stolen cookie) live for ever. The moment of sign-in is kept in the session
    at the first signed-in request and counted from there; past the limit the user is
    signed out and the request goes on as anonymous, so ``LoginRequiredMiddleware`` (whose
    check runs later, before the view) sends them to the login page with a message. (A
    password change already ends the other sessions: Django checks the session's
    password hash at every request.)
    """

    KEY = "fjc_signed_in_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._signed_in(request):
            started = request.session.get(self.KEY)
            if started is None:
                request.session[self.KEY] = int(time.time())
            elif time.time() - started > settings.FJC_SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, _("Your session has ended; please sign in again."))
        response = self.get_response(request)
        # Signed in by this very request (the login form): the clock starts now.
        if self._signed_in(request) and self.KEY not in request.session:
            request.session[self.KEY] = int(time.time())
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)


class SecondFactorRequiredMiddleware:
    """A signed-in user whose session has not passed the second factor is sent to the code
    step (which sends a person without a factor on to enrolment), whatever page they ask for.

    Runs after django-otp's ``OTPMiddleware`` (which tells whether the session is verified)
    and ``LoginRequiredMiddleware`` (the anonymous go to the password step). Let through:
    views marked ``login_not_required`` (pages for people without a session, e.g. an
    invitation link) and those marked ``second_factor_not_required`` (the code step,
    enrolment, logout). Static files never get here (WhiteNoise answers first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        if getattr(view_func, "login_required", True) is False:
            return None
        if getattr(view_func, "second_factor_required", True) is False:
            return None
        return redirect_to_login(request.get_full_path(), reverse("second_factor:verify"))


class OutageMiddleware:
    """A view that cannot reach the database or Redis gets the Dutch 503 page with
    ``Retry-After`` (fjc.errors) instead of a 500: during a database restart the user is told
    to try again in a moment, and the log gets the error's class, never its text.

    Near the top of MIDDLEWARE so that its ``process_exception`` runs last (every other
    middleware had its say). Errors raised in a middleware (loading the session, the user)
    never reach a ``process_exception``: ``fjc.errors.server_error`` answers those the same way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if errors.is_outage(exception):
            return errors.service_unavailable(request, exception)
        return None
