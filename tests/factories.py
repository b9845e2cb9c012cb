"""Factories for fictional test data."""

from typing import Any

import factory

from accounts.models import User
from accounts.services import user_create
from cases.models import Case, Track
from cases.services import case_create
from partners.models import Municipality, Organisation, OrganisationKind, PoliceZone
from partners.services import organisation_create

PASSWORD = "test-password-123"


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


def make_user(username: str, organisation: Organisation | None, *roles: str, **extra: Any) -> User:
    return user_create(
        effective_now=True,
        username=username,
        password=PASSWORD,
        organisation=organisation,
        roles=roles,
        first_name=username.split("_")[0].title(),
        last_name="Test",
        **extra,
    )


def make_case(director: User, track: int = Track.ADVICE) -> Case:
    assert director.organisation is not None
    return case_create(
        by=director, owner_organisation=director.organisation, case_director=director, track=track
    )
