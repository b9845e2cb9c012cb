"""Fictional demo data for the embedded default and for trying the application.

Places and inhabitants are public figures (Statbel, 1 January 2020); every
person and every case is invented.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.roles import RoleCode
from accounts.services import user_create
from cases.models import Case, ClosingReason, ReferrerKind, Status, Track, ViolenceForm
from cases.services import case_change_status, case_close, case_create, case_share
from partners.models import (
    Municipality,
    MunicipalityPopulation,
    Organisation,
    OrganisationKind,
    PoliceZone,
)
from partners.services import organisation_get_or_create

DEMO_PASSWORD = "demo-veilig-huis"
POPULATION_YEAR = 2020

MUNICIPALITIES = [
    ("Mechelen", 86921, "Rivierenland"),
    ("Heist-op-den-Berg", 42950, "Heist"),
    ("Lier", 36646, "Lier"),
    ("Willebroek", 26826, "Rivierenland"),
    ("Puurs-Sint-Amands", 26142, "Rivierenland"),
    ("Nijlen", 22936, "Berlaar-Nijlen"),
    ("Bornem", 21353, "Rivierenland"),
    ("Sint-Katelijne-Waver", 21026, "Bodukap"),
    ("Putte", 17927, "Bodukap"),
    ("Duffel", 17664, "Bodukap"),
    ("Bonheiden", 15078, "Bodukap"),
    ("Berlaar", 11656, "Berlaar-Nijlen"),
]

PARTNERS = [
    ("Justitiehuis Mechelen", OrganisationKind.PARTNER),
    ("Vertrouwenscentrum Kindermishandeling Antwerpen", OrganisationKind.PARTNER),
    ("CGG Mechelen (demo)", OrganisationKind.PARTNER),
    ("OCMW Mechelen", OrganisationKind.PARTNER),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    organisation: str
    roles: tuple[RoleCode, ...]
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = [
    DemoUser("regisseur.stad", "Lotte", "Demo-Stad", "Stad Mechelen", (RoleCode.CASE_DIRECTOR,)),
    DemoUser(
        "regisseur.caw", "Yusuf", "Demo-CAW", "CAW Boom Mechelen Lier", (RoleCode.CASE_DIRECTOR,)
    ),
    DemoUser(
        "operationeel", "Mira", "Demo-Operationeel", "Stad Mechelen", (RoleCode.OPERATIONS_LEAD,)
    ),
    DemoUser(
        "netwerk", "Jonas", "Demo-Netwerk", "Vlaamse overheid", (RoleCode.NETWORK_COORDINATOR,)
    ),
    DemoUser(
        "parket",
        "Eline",
        "Demo-Parket",
        "Parket Antwerpen, afdeling Mechelen",
        (RoleCode.PROSECUTOR_LIAISON,),
    ),
    DemoUser(
        "politie",
        "Tom",
        "Demo-Politie",
        "Politiezone Rivierenland",
        (RoleCode.PARTNER_PROFESSIONAL,),
    ),
    DemoUser(
        "beheerder",
        "Ilse",
        "Demo-Beheer",
        "Stad Mechelen",
        (RoleCode.ADMINISTRATOR,),
        is_staff=True,
        is_superuser=True,
    ),
]


def _places() -> dict[str, Municipality]:
    places = {}
    for name, inhabitants, zone_name in MUNICIPALITIES:
        zone, _ = PoliceZone.objects.get_or_create(name=zone_name)
        municipality, _ = Municipality.objects.get_or_create(
            name=name, defaults={"police_zone": zone}
        )
        MunicipalityPopulation.objects.get_or_create(
            municipality=municipality,
            year=POPULATION_YEAR,
            defaults={"inhabitants": inhabitants, "source": "Statbel 1/1/2020"},
        )
        places[name] = municipality
    return places


def _organisations(places: dict[str, Municipality]) -> None:
    organisation_get_or_create(
        name="Stad Mechelen", kind=OrganisationKind.CITY, municipality=places["Mechelen"]
    )
    organisation_get_or_create(name="CAW Boom Mechelen Lier", kind=OrganisationKind.CAW)
    organisation_get_or_create(
        name="Parket Antwerpen, afdeling Mechelen", kind=OrganisationKind.PROSECUTOR
    )
    organisation_get_or_create(name="Vlaamse overheid", kind=OrganisationKind.FLEMISH_GOVERNMENT)
    for zone in PoliceZone.objects.all():
        organisation_get_or_create(
            name=f"Politiezone {zone.name}", kind=OrganisationKind.POLICE_ZONE, police_zone=zone
        )
    for name, kind in PARTNERS:
        organisation_get_or_create(name=name, kind=kind)


def _users() -> dict[str, User]:

    users = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(
                username=spec.username,
                password=DEMO_PASSWORD,
                organisation=Organisation.objects.get(name=spec.organisation),
                roles=spec.roles,
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
            )
        users[spec.username] = user
    return users


def _cases(users: dict[str, User]) -> None:

    if Case.objects.exists():
        return
    city, caw = users["regisseur.stad"], users["regisseur.caw"]
    prosecutor = Organisation.objects.get(name="Parket Antwerpen, afdeling Mechelen")
    today = datetime.date.today()
    plan = [
        (city, Track.ADVICE, Status.CLOSED, 200),
        (city, Track.OUTREACH, Status.ACTIVE, 90),
        (city, Track.CHAIN, Status.ACTIVE, 60),
        (city, Track.OUTREACH, Status.INTAKE, 20),
        (city, Track.ADVICE, Status.REGISTERED, 3),
        (caw, Track.OUTREACH, Status.ACTIVE, 120),
        (caw, Track.CHAIN, Status.FOLLOW_UP, 75),
        (caw, Track.ADVICE, Status.REGISTERED, 5),
    ]
    places = list(Municipality.objects.order_by("name"))
    police = list(Organisation.objects.filter(kind=OrganisationKind.POLICE_ZONE))
    forms = list(ViolenceForm.objects.order_by("id"))
    for number, (director, track, status, days_ago) in enumerate(plan):
        case = case_create(
            by=director,
            owner_organisation=director.organisation,  # type: ignore[arg-type]
            case_director=director,
            track=track,
            opened_on=today - datetime.timedelta(days=days_ago),
            referrer_kind=ReferrerKind.PARTNER,
            referrer_organisation=police[number % len(police)],
            municipality=places[number % len(places)],
            violence_forms=[forms[number % 3]],
            description="Fictieve melding voor de demo.",
        )
        _fill(case, director, today)
        _steer_to(case, director, status, case.opened_on + datetime.timedelta(days=7))
        if track == Track.CHAIN and director is city:
            case_share(
                case=case, by=director, organisation=prosecutor, reason="458ter case consultation"
            )


# Fictional client systems: (first name, last name, date of birth, role).
FAMILIES = [
    [
        ("Noor", "Voorbeeld", "1991-03-14", "victim"),
        ("Sam", "Voorbeeld", "1989-07-02", "perpetrator"),
        ("Lina", "Voorbeeld", "2017-05-20", "child"),
    ],
    [
        ("Eva", "Proefmans", "1976-11-30", "victim"),
        ("Tom", "Proefmans", "1974-01-09", "perpetrator"),
    ],
    [
        ("Mira", "Fictief", "1995-08-08", "victim"),
        ("Ruben", "Fictief", "1993-02-17", "perpetrator"),
        ("Jonas", "Fictief", "2019-10-01", "child"),
        ("Sara", "Fictief", "2021-12-24", "child"),
    ],
    [
        ("Ilse", "Testaert", "1958-06-06", "victim"),
        ("Kevin", "Testaert", "1985-04-22", "perpetrator"),
    ],
    [
        ("Aya", "Denkbeeld", "2001-09-19", "victim"),
        ("Bram", "Denkbeeld", "1999-12-03", "perpetrator"),
    ],
    [("Hanne", "Verzon", "1983-01-27", "victim"), ("Dirk", "Verzon", "1980-05-15", "perpetrator")],
]


def _fill(case: Case, director: User, today: datetime.date) -> None:
    """People, contacts, trajectory, actions and a risk assessment, as a case would have."""
    from cases.models import EntryKind, MeasureKind, PartyRole
    from cases.services import (
        case_action_add,
        journal_entry_add,
        measure_add,
        partner_add,
        person_create_in_case,
        police_report_add,
    )

    if case.track == Track.ADVICE:
        return
    family = FAMILIES[case.pk % len(FAMILIES)]
    parties = [
        person_create_in_case(
            case=case,
            by=director,
            role=role,
            first_name=first,
            last_name=last,
            date_of_birth=datetime.date.fromisoformat(born),
            confirm_new=True,
        )
        for first, last, born, role in family
    ]
    opened = datetime.datetime.combine(case.opened_on, datetime.time(10), tzinfo=datetime.UTC)
    for day, kind, channel, reached in [
        (1, EntryKind.CONTACT_ATTEMPT, "phone", False),
        (2, EntryKind.CONTACT_ATTEMPT, "text", False),
        (4, EntryKind.CONTACT, "in_person", None),
    ]:
        journal_entry_add(
            case=case,
            by=director,
            kind=kind,
            channel=channel,
            reached=reached,
            occurred_at=opened + datetime.timedelta(days=day),
            text="Afspraak via de veilige weg die het slachtoffer opgaf.",
        )
    police = Organisation.objects.filter(kind="police_zone").first()
    case_action_add(
        case=case,
        by=director,
        description="Veiligheidsplan bespreken",
        due_on=today - datetime.timedelta(days=2),
        assignee_user=director,
    )
    case_action_add(
        case=case,
        by=director,
        description="Terugkoppeling politie vragen",
        due_on=today + datetime.timedelta(days=5),
        assignee_organisation=police,
    )
    if case.track == Track.CHAIN:
        police_report_add(
            case=case, by=director, number=f"ME.12.L1.{case.pk:06d}/26", drawn_up_on=case.opened_on
        )
        start = today - datetime.timedelta(days=12)
        measure_add(
            case=case,
            by=director,
            kind=MeasureKind.RESTRAINING_ORDER,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=14),
            decided_by="Parket",
        )
        justice = Organisation.objects.get(name="Justitiehuis Mechelen")
        partner_add(
            case=case,
            by=director,
            organisation=justice,
            role="Begeleiding pleger tijdens het huisverbod",
            since=case.opened_on,
        )
        _assess(case, director, [p for p in parties if p.role == PartyRole.VICTIM], yes=15)


def _assess(case: Case, director: User, parties: list[Any], yes: int) -> None:
    from risk.models import InstrumentVersion, VersionStatus
    from risk.services import assessment_create

    version = (
        InstrumentVersion.objects.filter(
            instrument__code="checklist-24", status=VersionStatus.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        return
    codes = list(version.items.values_list("code", flat=True))
    answers = {code: "yes" if i < yes else "no" for i, code in enumerate(codes)}
    assessment_create(
        case=case,
        by=director,
        instrument_version=version,
        assessed_on=case.opened_on + datetime.timedelta(days=5),
        parties=parties,
        answers=answers,
    )


def _steer_to(case: Case, director: User, status: Status, day: datetime.date) -> None:
    """Walk the case along the usual status path up to ``status``."""
    path = [Status.INTAKE, Status.ACTIVE, Status.FOLLOW_UP]
    target = path.index(status) + 1 if status in path else (3 if status == Status.CLOSED else 0)
    for step in path[:target]:
        case = case_change_status(case=case, by=director, to_status=step, changed_on=day)
    if status == Status.CLOSED:
        case_close(
            case=case, by=director, closing_reason=ClosingReason.objects.first(), closed_on=day
        )


def _network(users: dict[str, User]) -> None:
    """Sectors, a training and a gap, for the network coordinator's pages."""
    from partners.models import Gap, GapKind, Sector, Training, TrainingKind
    from partners.services import gap_signal, training_save

    sectors = {
        OrganisationKind.CITY: Sector.MUNICIPALITY,
        OrganisationKind.CAW: Sector.WELFARE,
        OrganisationKind.PROSECUTOR: Sector.PROSECUTOR,
        OrganisationKind.POLICE_ZONE: Sector.POLICE,
    }
    for organisation in Organisation.objects.filter(kind__in=sectors, sector=""):
        organisation.sector = sectors[OrganisationKind(organisation.kind)]
        organisation.is_core_partner = True
        organisation.save()  # save(), not update(): the directory keeps its history
    if Training.objects.exists():
        return
    today = datetime.date.today()
    coordinator = users["netwerk"]
    training = Training(
        date=today - datetime.timedelta(days=30),
        kind=TrainingKind.TRAINING,
        topic="Risicotaxatie bij partnergeweld",
        participants=18,
    )
    training_save(
        training=training,
        by=coordinator,
        organisations=Organisation.objects.filter(kind=OrganisationKind.POLICE_ZONE),
    )
    case = Case.objects.filter(track=Track.CHAIN).order_by("id").first()
    if case is not None and not Gap.objects.exists():
        gap_signal(
            case=case,
            by=case.case_director,
            kind=GapKind.WAITING_LIST,
            description="Wachtlijst daderhulp van drie maanden.",
        )


@transaction.atomic
def seed() -> list[DemoUser]:
    places = _places()
    _organisations(places)
    users = _users()
    _cases(users)
    _network(users)
    return DEMO_USERS
