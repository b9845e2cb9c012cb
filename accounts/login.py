"""How django-axes sees a login attempt: its source, and the answer when it is locked out."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_address(request: HttpRequest) -> str | None:
    """The address the attempt came from, as our own proxies saw it.

    X-Forwarded-For is trusted only for the addresses appended by the
    ``FJC_TRUSTED_PROXY_COUNT`` proxies the installation runs: a client that writes its own
    header cannot pick a fresh source for every guess.
    """
    proxies = settings.FJC_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def same_answer_when_locked(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None = None
) -> HttpResponse:
    """A locked-out attempt gets exactly the answer of a wrong password.

    The login view has already answered "no" (axes refused the attempt before the password
    was checked); keeping that answer reveals neither whether the account exists nor whether
    it is locked. The login page's one error message mentions too many attempts for all.
    """
    if original_response is None:  # pragma: no cover - axes always passes it from its middleware
        raise RuntimeError("A locked-out login needs the login view's own answer.")
    return original_response
