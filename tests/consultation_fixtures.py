"""A small art. 458ter setting for the consultation tests (lighter than the matrix world)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from accounts.roles import RoleCode
from cases.models import Track
from consultations.models import LegalBasisKind
from consultations.services import legal_bases, planning
from partners.models import Agreement, AgreementKind, OrganisationKind

from .factories import make_case, make_organisation, make_user


@dataclass
class Setting:
    orgs: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    cases: dict[str, Any] = field(default_factory=dict)
    basis: Any = None
    agreement: Any = None
    consultation: Any = None
    items: dict[str, Any] = field(default_factory=dict)

    def plan(self, *, days: int = 1, by: Any = None) -> Any:
        return planning.consultation_create(
            by=by or self.users["director"],
            legal_basis=self.basis,
            scheduled_at=timezone.now() + datetime.timedelta(days=days),
            location="Zaal 1",
            secrecy_confirmed=True,
        )

    def add_liaison(self, consultation: Any, *, confirm: bool = True) -> Any:
        participant = planning.participant_add_user(
            consultation=consultation, by=consultation.chair, user=self.users["liaison"]
        )
        if confirm:
            planning.secrecy_confirm(consultation=consultation, user=self.users["liaison"])
        return participant


@pytest.fixture
def setting(db) -> Setting:
    return build_setting()


def build_setting() -> Setting:
    s = Setting()
    for key, kind in {
        "city": OrganisationKind.CITY,
        "parket": OrganisationKind.PROSECUTOR,
        "police": OrganisationKind.POLICE_ZONE,
        "partner": OrganisationKind.PARTNER,
        "caw": OrganisationKind.CAW,
    }.items():
        s.orgs[key] = make_organisation(f"Org {key}", kind)
    s.users["director"] = make_user("director", s.orgs["city"], RoleCode.CASE_DIRECTOR)
    s.users["liaison"] = make_user("liaison", s.orgs["parket"], RoleCode.PROSECUTOR_LIAISON)
    s.users["helper"] = make_user("helper", s.orgs["partner"], RoleCode.PARTNER_PROFESSIONAL)
    s.users["outsider"] = make_user("outsider", s.orgs["caw"], RoleCode.CASE_DIRECTOR)
    s.users["admin"] = make_user("admin", s.orgs["city"], RoleCode.ADMINISTRATOR, is_staff=True)
    s.users["opslead"] = make_user("opslead", s.orgs["city"], RoleCode.OPERATIONS_LEAD)
    s.agreement = Agreement.objects.create(
        organisation=s.orgs["city"],
        kind=AgreementKind.PROTOCOL_458TER,
        title="Protocol 458ter IFG",
        signed_on=timezone.localdate() - datetime.timedelta(days=60),
    )
    director = s.users["director"]
    for key in ("x", "y", "z"):
        s.cases[key] = make_case(director, track=Track.CHAIN)
    s.cases["other"] = make_case(s.users["outsider"], track=Track.CHAIN)
    s.basis = legal_bases.legal_basis_create(
        by=s.users["opslead"],
        agreement=s.agreement,
        kind=LegalBasisKind.PROTOCOL,
        reference="Protocol IFG",
        dated_on=timezone.localdate() - datetime.timedelta(days=30),
        purpose="Protect family members.",
        arrangements="Monthly.",
        allowed_organisations=[s.orgs[k] for k in ("city", "parket", "police", "partner")],
    )
    s.consultation = s.plan()
    for key in ("x", "y"):
        s.items[key] = planning.agenda_item_add(
            consultation=s.consultation, by=director, case=s.cases[key]
        )
    return s
