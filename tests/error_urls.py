"""The site's URLs plus views that fail on purpose (tests/test_error_pages.py). The error
handlers are the site's own: Django reads them from the root URLconf."""

import redis.exceptions
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from fjc.urls import handler400, handler403, handler404, handler500
from fjc.urls import urlpatterns as site

# What an error page must never show: the path asked for and the exception's text.
SECRET = "Jansen-Peeters-1984"


@login_not_required
def crash(request: HttpRequest, kind: str, detail: str) -> HttpResponse:
    errors = {
        "bug": RuntimeError(f"unexpected {SECRET}"),
        "database": OperationalError(f"server closed the connection unexpectedly {SECRET}"),
        "interface": InterfaceError(f"connection already closed {SECRET}"),
        "redis": redis.exceptions.ConnectionError(f"Error 111 connecting {SECRET}"),
        "suspicious": SuspiciousOperation(f"bad {SECRET}"),
        "denied": PermissionDenied(f"no {SECRET}"),
        "missing": Http404(f"no case {SECRET}"),
    }
    raise errors[kind]


urlpatterns = [*site, path("crash/<str:kind>/<str:detail>/", crash, name="crash")]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
