"""Demo data for registrations by partners and their triage (issue 19): registrations by the
demo police user with Stad Mechelen, in different states — one received, one on the waiting
list, five taken on (one in track 3), two not taken on — dated realistically: registered days
or weeks ago, decided a few days later, the first contact on the case a few days after that, so
the operations lead's workload view has meaningful medians (it hides a median over fewer than
five registrations). Fictional people only; built through the services, then dated back (the
services date what they write "now"); a second seed run adds nothing."""

import datetime
from typing import Any

from django.utils import timezone

from cases.models import (
    Case,
    CaseParty,
    EntryKind,
    LegalGround,
    NotTakenOnReason,
    Registration,
    RegistrationGround,
    RegistrationStatus,
    RegistrationStatusRecord,
    ScreeningNote,
    Track,
)
from cases.services.journal import journal_entry_add
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
    today = timezone.localdate()
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
    waiting.refresh_from_db()
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
    taken_on.refresh_from_db()
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
    # (registered, note, decided, first contact): days before today.
    _dated(received, registered=2)
    _dated(waiting, registered=20, note=17, decided=15)
    _dated(taken_on, registered=40, note=38, decided=36, contact=33, director=director)
    _earlier_registrations(common, director, city)


# The earlier registrations: (name, track or not-taken-on reason, registered, decided, first
# contact) in days before today. Medians over the taken-on and refused ones: about a week to a
# decision and ten days to the first contact.
EARLIER: list[tuple[str, Any, int, int, int | None]] = [
    ("Lindevoorbeeld", Track.OUTREACH, 200, 190, 186),
    ("Beukvoorbeeld", NotTakenOnReason, 150, 148, None),
    ("Eikvoorbeeld", Track.ADVICE, 120, 113, 110),
    ("Berkvoorbeeld", Track.OUTREACH, 90, 84, 80),
    ("Essvoorbeeld", Track.ADVICE, 65, 62, 58),
    ("Wilgvoorbeeld", NotTakenOnReason, 30, 25, None),
]


def _earlier_registrations(common: dict[str, Any], director: Any, city: Any) -> None:
    reasons = iter(["regular_care", "outside_area"])
    for number, (name, outcome, registered, decided, contact) in enumerate(EARLIER, start=4):
        registration = registration_create(
            **common,
            people=[
                PersonData("victim", "Ann", name, age_band="25-44"),
                PersonData("perpetrator", "Bart", name, age_band="25-44"),
            ],
            description="Fictieve aanmelding: partnergeweld na een interventie.",
            happened_on=timezone.localdate() - datetime.timedelta(days=registered + 1),
            pv_number=f"PV-DEMO-{number:04d}",
        )
        if outcome is NotTakenOnReason:
            registration_decide(
                registration=registration,
                by=director,
                expected_version=registration.version,
                decision=RegistrationStatus.NOT_TAKEN_ON,
                reason=NotTakenOnReason.objects.get(code=next(reasons)),
            )
        else:
            registration_decide(
                registration=registration,
                by=director,
                expected_version=registration.version,
                decision=RegistrationStatus.TAKEN_ON,
                track=outcome,
                lead_organisation=city,
                case_director=director,
            )
        _dated(
            registration,
            registered=registered,
            decided=decided,
            contact=contact,
            director=director,
        )


def _moment(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _dated(
    registration: Registration,
    *,
    registered: int,
    note: int | None = None,
    decided: int | None = None,
    contact: int | None = None,
    director: Any = None,
) -> None:
    """Date the registration back: made ``registered`` days ago, the screening note and the
    statuses after it, the case opened on the decision's day and a first contact (a home visit
    through the journal service) ``contact`` days ago. The status records are written once:
    dating a demo row back is a direct update, as a migration would do, never a correction."""
    Registration.objects.filter(pk=registration.pk).update(registered_at=_moment(registered, 9))
    records = RegistrationStatusRecord.objects.filter(registration=registration)
    records.filter(status=RegistrationStatus.RECEIVED).update(recorded_at=_moment(registered, 9))
    if note is not None:
        ScreeningNote.objects.filter(registration=registration).update(written_at=_moment(note))
        records.filter(status=RegistrationStatus.IN_TRIAGE).update(recorded_at=_moment(note))
    if decided is not None:
        records.exclude(
            status__in=[RegistrationStatus.RECEIVED, RegistrationStatus.IN_TRIAGE]
        ).update(recorded_at=_moment(decided, 14))
    registration.refresh_from_db()
    case = registration.case
    if case is None or decided is None:
        return
    opened_on = timezone.localdate() - datetime.timedelta(days=decided)
    Case.objects.filter(pk=case.pk).update(opened_on=opened_on)
    CaseParty.objects.filter(case=case).update(involved_since=opened_on)
    case.refresh_from_db()
    if contact is not None:
        journal_entry_add(
            case=case,
            by=director,
            kind=EntryKind.HOME_VISIT,
            occurred_at=_moment(contact, 11),
            text="Eerste huisbezoek: kennismaking en veiligheid besproken.",
        )
