"""Error pages that never echo the request path, an object or an exception's text.

403 and 404 are answered inside a working request and use the site's layout. 400, 500 and 503
(and the refused-form page) are standalone: a plain template that extends nothing, rendered
without the request's context, so it needs neither the database nor the signed-in user and
holds no inline script (strict CSP). They are in the active language: Dutch unless the user
chose English.

A database or Redis that cannot be reached is an outage, not a bug: the 503 page with
``Retry-After``, whether the error came from a view (``fjc.middleware.OutageMiddleware``) or
from a middleware, e.g. loading the session (``server_error`` looks at the exception it is
handling).
"""

import logging
import sys

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait after a 503: a database restart takes a few.
RETRY_AFTER_SECONDS = 5

# What an unreachable (or restarting) database or Redis raises. django.db's OperationalError
# also covers a server shutting down, a connection closed under us, a deadlock or a statement
# cancelled: each is worth trying again, none is the user's fault.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)


def is_outage(exception: BaseException | None) -> bool:
    return isinstance(exception, OUTAGE_ERRORS)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _standalone("errors/400.html", status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason (Django's text) is not shown: it is English and helps nobody but a developer.
    return _standalone("errors/csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django calls it while handling the exception, so it can tell an outage
    (raised in a middleware, where no process_exception sees it) from a bug."""
    exception = sys.exception()
    if is_outage(exception):
        return service_unavailable(request, exception)
    return _standalone("errors/500.html", status=500)


def service_unavailable(request: HttpRequest, exception: BaseException | None) -> HttpResponse:
    # The class and PostgreSQL's SQLSTATE only: an error's text can quote a row's values
    # (a deadlock's DETAIL), and the path may name a case number.
    cause = getattr(exception, "__cause__", None)
    logger.warning(
        "Service unavailable: %s (sqlstate %s); answered 503 with Retry-After",
        type(exception).__name__,
        getattr(cause, "sqlstate", None) or "-",
    )
    response = _standalone("errors/503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _standalone(template_name: str, *, status: int) -> HttpResponse:
    try:
        content = loader.get_template(template_name).render(
            {"installation_name": settings.FJC_INSTALLATION_NAME, "status": status}
        )
    except Exception:
        # Even the template failed (a missing static manifest, ...): a bare Dutch page still
        # beats the server's English one.
        logger.exception("The error page %s could not be rendered", template_name)
        content = (
            '<!DOCTYPE html><html lang="nl-BE"><meta charset="utf-8"><title>Fout</title>'
            f"<h1>{_('Something went wrong')}</h1></html>"
        )
    response = HttpResponse(content, status=status)
    add_never_cache_headers(response)
    return response
