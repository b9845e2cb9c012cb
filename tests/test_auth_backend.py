"""The authentication backend reads the user's organisation with the user (issue 20): every
page names it in the header, without a query of its own; django-axes still answers first."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import UserWithOrganisationBackend
from partners.models import OrganisationKind

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def test_axes_answers_first_and_the_backend_replaces_django_s():
    backends = settings.AUTHENTICATION_BACKENDS
    assert backends[0] == "axes.backends.AxesStandaloneBackend"
    assert "accounts.backends.UserWithOrganisationBackend" in backends
    assert "django.contrib.auth.backends.ModelBackend" not in backends


def test_the_user_comes_with_the_organisation_and_an_inactive_one_not_at_all():
    organisation = make_organisation("Stad backend", OrganisationKind.CITY)
    user = make_user("director_backend", organisation, "case_director")
    with CaptureQueriesContext(connection) as queries:
        loaded = UserWithOrganisationBackend().get_user(user.pk)
        assert loaded.organisation.name == "Stad backend"
    assert len(queries.captured_queries) == 1
    assert UserWithOrganisationBackend().get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert UserWithOrganisationBackend().get_user(user.pk) is None


def test_the_header_shows_the_current_organisation(client):
    first = make_organisation("Stad voorheen", OrganisationKind.CITY)
    user = make_user("director_moves", first, "case_director")
    client.force_login(user)
    assert "Stad voorheen" in client.get(reverse("home")).content.decode()
    # Moved to another organisation: the next page names the new one.
    user.organisation = make_organisation("Stad nu", OrganisationKind.CITY)
    user.save()
    page = client.get(reverse("home")).content.decode()
    assert "Stad nu" in page and "Stad voorheen" not in page


def test_a_user_without_organisation_is_served(client):
    user = make_user("beheerder_backend", None, "administrator")
    client.force_login(user)
    assert client.get(reverse("health")).status_code == 200
