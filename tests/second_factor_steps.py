"""Logging in through the real forms: the password, then the code (the two-factor tests and
the tests of what a login does; other tests use ``client.force_login``)."""

from django.urls import reverse

from accounts.models import User

from .factories import PASSWORD, totp_code

VERIFY = reverse("second_factor:verify")


def password_step(client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def code_step(client, code: str, remember: bool = False, **extra):
    data = {"code": code, **({"remember": "on"} if remember else {})}
    return client.post(VERIFY, data, **extra)


def log_in(client, user: User, **extra):
    """Both steps with the user's own app; returns the answer of the code step."""
    response = password_step(client, user.username, **extra)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    return code_step(client, totp_code(user), **extra)
