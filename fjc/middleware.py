from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from common.caching import allows_browser_storage


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
