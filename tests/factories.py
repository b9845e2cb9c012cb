"""Factories for fictional test data."""

import time
from typing import Any

import factory
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import user_create
from cases.models import Case, Track
from cases.services import case_create
from partners.models import Municipality, Organisation, OrganisationKind, PoliceZone
from partners.services import organisation_create

PASSWORD = "test-password-123"
# Every test user's authenticator app (make_user): 20 bytes, hex, as django-otp keeps it.
TOTP_KEY = "3132333435363738393031323334353637383930"


class PoliceZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceZone
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Zone {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    police_zone = factory.SubFactory(PoliceZoneFactory)


def make_organisation(name: str, kind: OrganisationKind) -> Organisation:
    return organisation_create(name=name, kind=kind)


def make_user(
    username: str,
    organisation: Organisation | None,
    *roles: str,
    second_factor: bool = True,
    **extra: Any,
) -> User:
    """A user with the password PASSWORD and (unless asked otherwise) a confirmed TOTP device
    with the key TOTP_KEY, as if they had enrolled."""
    user = user_create(
        effective_now=True,
        username=username,
        password=PASSWORD,
        organisation=organisation,
        roles=roles,
        first_name=username.split("_")[0].title(),
        last_name="Test",
        **extra,
    )
    if second_factor:
        TOTPDevice.objects.create(user=user, name="test", key=TOTP_KEY, confirmed=True)
    return user


def totp_code(user: User) -> str:
    """A code of the user's app (their confirmed TOTP device) that the device will accept now.

    django-otp refuses a time step already used (no replay): after a login within the same
    30 seconds, this is the next step's code, which the device's tolerance of one step accepts.
    """
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    now = int((time.time() - device.t0) // device.step)
    step = max(now, (device.last_t or -1) + 1)
    assert step <= now + device.tolerance, "two logins of one user within one time step"
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits)
    clock.time = device.t0 + step * device.step
    return f"{clock.token():0{device.digits}d}"


def make_case(director: User, track: int = Track.ADVICE) -> Case:
    assert director.organisation is not None
    return case_create(
        by=director, owner_organisation=director.organisation, case_director=director, track=track
    )
