"""Writes for organisations and places."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Municipality, Organisation, OrganisationKind, PoliceZone


def _group_name(name: str) -> str:
    return f"org:{name}"[:150]


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: OrganisationKind | str,
    municipality: Municipality | None = None,
    police_zone: PoliceZone | None = None,
) -> Organisation:
    group = Group.objects.create(name=_group_name(name))
    return Organisation.objects.create(
        name=name, kind=kind, municipality=municipality, police_zone=police_zone, group=group
    )


@transaction.atomic
def organisation_get_or_create(
    *,
    name: str,
    kind: OrganisationKind | str,
    municipality: Municipality | None = None,
    police_zone: PoliceZone | None = None,
) -> Organisation:
    existing = Organisation.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return organisation_create(
        name=name, kind=kind, municipality=municipality, police_zone=police_zone
    )
