"""Writes for organisations and places."""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.history import save_validated

from .models import (
    Agreement,
    ContactPerson,
    Gap,
    GapFollowUp,
    GapStatus,
    Municipality,
    Organisation,
    OrganisationKind,
    PoliceZone,
    Training,
)


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


# --- the partner directory, trainings and gaps (kept by the network coordinator) ---


@transaction.atomic
def organisation_directory_create(
    *,
    by: User,
    name: str,
    kind: OrganisationKind | str,
    sector: str = "",
    is_core_partner: bool = False,
    municipalities_served: Iterable[Municipality] = (),
) -> Organisation:
    if Organisation.objects.filter(name=name).exists():
        raise ValidationError({"name": _("An organisation with this name already exists.")})
    organisation = organisation_create(name=name, kind=kind)
    organisation.sector = sector
    organisation.is_core_partner = is_core_partner
    save_validated(organisation, by)
    organisation.municipalities_served.set(municipalities_served)
    return organisation


@transaction.atomic
def organisation_directory_update(
    *,
    organisation: Organisation,
    by: User,
    sector: str,
    is_core_partner: bool,
    municipalities_served: Iterable[Municipality],
) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.sector = sector
    organisation.is_core_partner = is_core_partner
    save_validated(organisation, by)
    organisation.municipalities_served.set(municipalities_served)
    return organisation


@transaction.atomic
def contact_save(*, contact: ContactPerson, by: User) -> ContactPerson:
    save_validated(contact, by)
    return contact


@transaction.atomic
def agreement_save(*, agreement: Agreement, by: User) -> Agreement:
    if agreement.valid_until and agreement.valid_until < agreement.signed_on:
        raise ValidationError({"valid_until": _("An agreement cannot end before it was signed.")})
    save_validated(agreement, by)
    return agreement


@transaction.atomic
def training_save(
    *, training: Training, by: User, organisations: Iterable[Organisation]
) -> Training:
    save_validated(training, by)
    training.organisations.set(organisations)
    return training


@transaction.atomic
def gap_set_status(*, gap: Gap, by: User, status: str) -> Gap:
    gap = Gap.objects.select_for_update().get(pk=gap.pk)
    gap.status = status
    save_validated(gap, by)
    return gap


@transaction.atomic
def gap_add_follow_up(
    *,
    gap: Gap,
    by: User,
    date: datetime.date,
    action: str,
    organisation: Organisation | None = None,
) -> GapFollowUp:
    follow_up = GapFollowUp(gap=gap, date=date, action=action, organisation=organisation, by=by)
    save_validated(follow_up, by)
    if gap.status == GapStatus.NEW:
        gap_set_status(gap=gap, by=by, status=GapStatus.FOLLOW_UP)
    return follow_up
