"""Fictional art. 458ter consultations for the minutes, documents and liaison tests.

Built from the models directly (as the planning services would leave them), so these tests
do not depend on the planning pages.
"""

import datetime
import itertools
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from consultations.models import (
    AgendaItem,
    Consultation,
    LegalBasis,
    LegalBasisKind,
    Participant,
)
from consultations.services.access import grant_for_consultation
from partners.models import Organisation

_numbers = itertools.count(1)


def make_legal_basis(by: Any, organisations: Iterable[Organisation] | None = None) -> LegalBasis:
    basis = LegalBasis.objects.create(
        kind=LegalBasisKind.PROTOCOL,
        reference=f"Protocol IFG test {next(_numbers)}",
        dated_on=timezone.localdate() - datetime.timedelta(days=365),
        purpose="Bescherming van de fysieke en psychische integriteit",
        arrangements="Verslag door de voorzitter",
        created_by=by,
    )
    basis.allowed_organisations.set(
        organisations if organisations is not None else Organisation.objects.all()
    )
    return basis


def grant_accesses(consultation: Consultation) -> None:
    """The access rows the planning services would have granted."""
    grant_for_consultation(consultation=consultation, by=consultation.chair, reason="test set-up")


def make_consultation(
    world: Any,
    *,
    case_keys: Iterable[str] = ("city_a_shared",),
    participants: Iterable[str] = ("liaison_parket_a",),
    confirmed: bool = True,
    chair: str = "director_city_a",
    scheduled_at: datetime.datetime | None = None,
    named: Iterable[tuple[str, str]] = (),
) -> Consultation:
    """A planned consultation chaired by ``chair`` with the given cases on its agenda."""
    chair_user = world.users[chair]
    now = timezone.now()
    consultation = Consultation.objects.create(
        legal_basis=make_legal_basis(chair_user),
        scheduled_at=scheduled_at or now + datetime.timedelta(days=1),
        location="Stadhuis, zaal 2",
        chair=chair_user,
        created_by=chair_user,
    )
    Participant.objects.create(
        consultation=consultation,
        user=chair_user,
        organisation=chair_user.organisation,
        secrecy_confirmed_at=now,
        added_by=chair_user,
    )
    for username in participants:
        user = world.users[username]
        Participant.objects.create(
            consultation=consultation,
            user=user,
            organisation=user.organisation,
            secrecy_confirmed_at=now if confirmed else None,
            added_by=chair_user,
        )
    for name, org_key in named:
        Participant.objects.create(
            consultation=consultation,
            name=name,
            organisation=world.orgs[org_key],
            added_by=chair_user,
        )
    for order, key in enumerate(case_keys):
        AgendaItem.objects.create(
            consultation=consultation,
            case=world.cases[key],
            order=order,
            reason="Hoog risico",
            summary=f"Samenvatting {key}",
            added_by=chair_user,
        )
    grant_accesses(consultation)
    return consultation


def participant(consultation: Consultation, user: Any) -> Participant:
    return Participant.objects.get(consultation=consultation, user=user)
