"""Fictional demo data for the embedded default and for trying the application.

Places and inhabitants are public figures (Statbel, 1 January 2020); every
person and every case is invented.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from accounts.roles import RoleCode
from accounts.services import user_create
from cases.models import Case, ClosingReason, Status, Track
from cases.services import case_change_status, case_close, case_create, case_share
from partners.models import Municipality, MunicipalityPopulation, OrganisationKind, PoliceZone
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
    from partners.models import Organisation

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
    from partners.models import Organisation

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
    for director, track, status, days_ago in plan:
        case = case_create(
            by=director,
            owner_organisation=director.organisation,  # type: ignore[arg-type]
            case_director=director,
            track=track,
            opened_on=today - datetime.timedelta(days=days_ago),
        )
        _steer_to(case, director, status, case.opened_on + datetime.timedelta(days=7))
        if track == Track.CHAIN and director is city:
            case_share(
                case=case, by=director, organisation=prosecutor, reason="458ter case consultation"
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


@transaction.atomic
def seed() -> list[DemoUser]:
    places = _places()
    _organisations(places)
    users = _users()
    _cases(users)
    return DEMO_USERS
