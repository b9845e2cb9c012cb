"""Honest errors (issue 15, part 4): Dutch, branded error pages that leak nothing, and an
outage of the database or Redis answered 503 with Retry-After instead of a bare 500."""

import logging

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse

from fjc import errors

from .error_urls import SECRET

pytestmark = pytest.mark.django_db

DUTCH = {
    400: "Ongeldige aanvraag",
    403: "Niet toegestaan",
    404: "Niet gevonden",
    500: "Er liep iets mis",
    503: "Tijdelijk niet beschikbaar",
}
ENGLISH = {
    400: "Invalid request",
    403: "Not allowed",
    404: "Not found",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}
KINDS = {
    "suspicious": 400,
    "denied": 403,
    "missing": 404,
    "bug": 500,
    "database": 503,
    "interface": 503,
    "redis": 503,
}


@pytest.fixture(autouse=True)
def production_errors(settings):
    # Error pages as users get them: without DEBUG's technical pages.
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"


@pytest.fixture
def anonymous(client):
    client.raise_request_exception = False
    return client


def crash_url(kind: str) -> str:
    return reverse("crash", kwargs={"kind": kind, "detail": SECRET})


@pytest.mark.parametrize("kind", KINDS)
def test_every_error_page_is_dutch_with_its_status_and_leaks_nothing(anonymous, kind):
    status = KINDS[kind]
    response = anonymous.get(crash_url(kind))
    assert response.status_code == status
    page = response.content.decode()
    assert DUTCH[status] in page
    assert '<html lang="nl-be">' in page
    # Neither the path (it holds the secret) nor the exception's text, nor Django's own page.
    assert SECRET not in page
    assert "Server Error" not in page and "Traceback" not in page
    # Strict CSP holds: a header, and nothing inline that it would have to allow.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in page and "style=" not in page


@pytest.mark.parametrize("kind", ["suspicious", "denied", "missing", "bug", "database"])
def test_error_pages_follow_the_users_choice_of_english(anonymous, settings, kind):
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = anonymous.get(crash_url(kind))
    assert ENGLISH[KINDS[kind]] in response.content.decode()


def test_an_unhandled_exception_gives_the_dutch_500_page_never_djangos_bare_one(anonymous):
    response = anonymous.get(crash_url("bug"))
    assert response.status_code == 500
    assert "Er liep iets mis" in response.content.decode()
    assert b"<h1>Server Error (500)</h1>" not in response.content
    assert "Retry-After" not in response


@pytest.mark.parametrize("kind", ["database", "interface", "redis"])
def test_an_outage_in_a_view_answers_503_with_retry_after(anonymous, kind):
    response = anonymous.get(crash_url(kind))
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    assert "Probeer het over enkele ogenblikken opnieuw" in response.content.decode()


def test_an_outage_is_logged_without_its_text(anonymous, caplog):
    """The error's class, not its text (a deadlock's text quotes row values). Django's request
    log names the path, as for every 4xx/5xx: the application's URLs hold ids, not names."""
    with caplog.at_level(logging.INFO):
        anonymous.get(crash_url("database"))
    ours = [r.getMessage() for r in caplog.records if r.name == "fjc.errors"]
    assert ours and "OperationalError" in ours[0] and SECRET not in ours[0]
    assert "server closed the connection" not in caplog.text
    assert not any(r.exc_info for r in caplog.records)


def test_an_outage_raised_in_a_middleware_answers_503_too(rf: RequestFactory):
    """A database error while loading the session or the user never reaches a
    process_exception: Django hands it to handler500, which tells the outage from a bug."""
    request = rf.get("/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = errors.server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert errors.server_error(request).status_code == 500


def test_the_500_and_503_pages_need_neither_the_database_nor_the_user(
    rf, django_assert_num_queries
):
    request = rf.get("/")  # no session, no user: the middleware may not have run
    with django_assert_num_queries(0):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            assert errors.server_error(request).status_code == 500
        assert errors.service_unavailable(request, None).status_code == 503


def test_a_refused_form_gets_the_dutch_page(settings):
    from django.test import Client

    settings.ROOT_URLCONF = "fjc.urls"
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Formulier verlopen" in page and "CSRF" not in page
