"""Demo data for registrations by partners and their triage (issue 19): three registrations
by the demo police user with Stad Mechelen, in different states — one received, one on the
waiting list, one taken on in track 3 (a case of the city's case director). Fictional people
only; built through the services; a second seed run adds nothing."""

import datetime
from typing import Any

from cases.models import (
    LegalGround,
    Registration,
    RegistrationGround,
    RegistrationStatus,
    Track,
)
from cases.services.registrations import (
    PersonData,
    registration_create,
    registration_decide,
    screening_note_add,
)
from partners.models import Organisation


def seed_registrations(users: dict[str, Any]) -> None:
    if Registration.objects.exists():
        return
    police, director = users["politie"], users["regisseur.stad"]
    city = Organisation.objects.get(name="Stad Mechelen")
    today = datetime.date.today()
    common: dict[str, Any] = {
        "by": police,
        "owner_organisation": city,
        "ground": RegistrationGround.LEGAL,
        "legal_ground": LegalGround.POLICE_REPORT,
    }
    received = registration_create(
        **common,
        people=[
            PersonData("victim", "Roos", "Aanmeldvoorbeeld", datetime.date(1987, 2, 11)),
            PersonData("perpetrator", "Wout", "Aanmeldvoorbeeld", datetime.date(1985, 9, 3)),
        ],
        description="Fictieve aanmelding: interventie na een melding van huiselijk geweld.",
        happened_on=today - datetime.timedelta(days=1),
        urgency="urgent",
        risk_threat_to_kill=True,
        pv_number="PV-DEMO-0001",
    )
    waiting = registration_create(
        **common,
        people=[
            PersonData("victim", "Fien", "Wachtvoorbeeld", age_band="45-64"),
            PersonData("perpetrator", "Jan", "Wachtvoorbeeld", age_band="45-64"),
        ],
        description="Fictieve aanmelding: herhaalde ruzies, geen acuut gevaar.",
        happened_on=today - datetime.timedelta(days=12),
        pv_number="PV-DEMO-0002",
    )
    screening_note_add(
        registration=waiting, by=director, text="Geen capaciteit deze week; opvolgen."
    )
    registration_decide(
        registration=waiting,
        by=director,
        expected_version=waiting.version,
        decision=RegistrationStatus.WAITING_LIST,
    )
    taken_on = registration_create(
        **common,
        people=[
            PersonData("victim", "Saar", "Ketenvoorbeeld", datetime.date(1992, 5, 17)),
            PersonData("perpetrator", "Kobe", "Ketenvoorbeeld", datetime.date(1990, 1, 29)),
            PersonData("child", "Mo", "Ketenvoorbeeld", datetime.date(2018, 8, 8)),
        ],
        description="Fictieve aanmelding: escalerend partnergeweld, kinderen aanwezig.",
        happened_on=today - datetime.timedelta(days=4),
        urgency="acute",
        risk_strangulation=True,
        risk_escalation=True,
        children_present=True,
        pv_number="PV-DEMO-0003",
    )
    screening_note_add(registration=taken_on, by=director, text="Hoog risico; voorstel spoor 3.")
    registration_decide(
        registration=taken_on,
        by=director,
        expected_version=taken_on.version,
        decision=RegistrationStatus.TAKEN_ON,
        track=Track.CHAIN,
        lead_organisation=city,
        case_director=director,
    )
    assert received.pk  # received: waits for the triage table
