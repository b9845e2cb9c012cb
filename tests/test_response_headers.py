"""No browser keeps case data on disk, and no page may use browser features the application
does not need (issue 13, part 6): ``Cache-Control: no-store`` on every response to a signed-in
user unless its view opts out, and a restrictive ``Permissions-Policy`` on every response."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from common.caching import browser_may_store
from fjc.middleware import NoStoreMiddleware

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _urls(world):
    case = world.cases["city_a_shared"]
    consultation = world.consultation
    return {
        "director_city_a": [
            reverse("home"),
            reverse("cases:list"),
            reverse("cases:export"),  # CSV
            reverse("cases:detail", kwargs={"pk": case.pk}),
            reverse("cases:history", kwargs={"pk": case.pk}),
            reverse("consultations:agenda_pdf", kwargs={"pk": consultation.pk}),  # PDF
            reverse("cases:detail", kwargs={"pk": world.cases["caw_a"].pk}),  # a 404 page
            reverse("partners:gaps"),  # a 403 page
        ],
        "opslead_city_a": [
            reverse("reporting:dashboard"),
            reverse("reporting:dashboard") + "?format=xlsx",
            reverse("reporting:dashboard") + "?format=csv&table=cases_per_track",
            reverse("consultations:legal_bases"),
        ],
    }


def test_every_response_to_a_signed_in_user_is_not_stored(world, client):
    statuses = set()
    for username, urls in _urls(world).items():
        client.force_login(world.users[username])
        for url in urls:
            response = client.get(url)
            statuses.add(response.status_code)
            assert _no_store(response), (username, url, response.get("Cache-Control"))
            assert "Permissions-Policy" in response, url
    assert {200, 403, 404} <= statuses


def test_a_post_redirect_is_not_stored_either(world, client):
    client.force_login(world.users["director_city_a"])
    response = client.post(reverse("cases:search"), {"q": "Janssens"})
    assert response.status_code == 302
    assert _no_store(response)


def test_anonymous_pages_carry_the_permissions_policy(client, settings):
    response = client.get(reverse("login"))
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "*" not in policy and "self" not in policy
    assert client.get(reverse("health"))["Permissions-Policy"] == settings.FJC_PERMISSIONS_POLICY


def test_static_files_stay_cacheable_and_carry_the_policy(world, client, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client.force_login(world.users["director_city_a"])
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert not _no_store(response)
    assert "Permissions-Policy" in response


def test_a_view_may_opt_out():
    factory = RequestFactory()

    def page(request):
        response = HttpResponse("no case data")
        response["Cache-Control"] = "private, max-age=60"
        return response

    def run(view, user):
        request = factory.get("/")
        request.user = user

        def get_response(req):
            middleware.process_view(req, view, (), {})
            return view(req)

        middleware = NoStoreMiddleware(get_response)
        return middleware(request)

    signed_in = type("U", (), {"is_authenticated": True})()
    assert _no_store(run(page, signed_in))
    assert not _no_store(run(page, AnonymousUser()))
    opted_out = run(browser_may_store(page), signed_in)
    assert opted_out["Cache-Control"] == "private, max-age=60"
