"""Fictional demo data for the embedded default and for trying the application.

Places and inhabitants are public figures (Statbel, 1 January 2020); every
person and every case is invented.
"""

import datetime
from dataclasses import dataclass, replace
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from access.parts import ShareScope
from accounts.models import User
from accounts.roles import RoleCode
from accounts.services import user_create
from cases.models import (
    Case,
    ClosingReason,
    FormOfViolence,
    ReferrerKind,
    RelationshipContext,
    ShareGround,
    Status,
    Track,
)
from cases.services import (
    ShareTerms,
    case_change_status,
    case_close,
    case_create,
    case_share,
    default_share_end,
)
from common.history import attribute
from partners.models import (
    Municipality,
    MunicipalityPopulation,
    Organisation,
    OrganisationKind,
    PoliceZone,
)
from partners.services import organisation_get_or_create

from . import demo_plan
from .demo_factor import give_demo_device
from .demo_notices import seed_notices

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
    DemoUser("dpo", "Noor", "Demo-Toezicht", "Stad Mechelen", (RoleCode.AUDITOR,)),
    # A care partner's professional: the partner inbox (issue 19, part 3).
    DemoUser(
        "partner.cgg",
        "Sofie",
        "Demo-CGG",
        "CGG Mechelen (demo)",
        (RoleCode.PARTNER_PROFESSIONAL,),
    ),
    DemoUser(
        "beheerder",
        "Ilse",
        "Demo-Beheer",
        "Stad Mechelen",
        (RoleCode.ADMINISTRATOR,),
        # The role is enough to administer (accounts.roles.ADMINISTRATOR_PERMISSIONS).
        is_staff=True,
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
    # Decides on extending a restraining order (who decided is chosen from the directory).
    organisation_get_or_create(
        name="Familierechtbank Antwerpen, afdeling Mechelen", kind=OrganisationKind.PARTNER
    )


def _users() -> dict[str, User]:

    users = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(
                effective_now=True,
                username=spec.username,
                password=DEMO_PASSWORD,
                organisation=Organisation.objects.get(name=spec.organisation),
                roles=spec.roles,
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
            )
        give_demo_device(user)
        users[spec.username] = user
    return users


def _cases(users: dict[str, User]) -> None:

    if Case.objects.exists():
        return
    city, caw = users["regisseur.stad"], users["regisseur.caw"]
    prosecutor = Organisation.objects.get(name="Parket Antwerpen, afdeling Mechelen")
    today = timezone.localdate()
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
    contexts = {c.code: c for c in RelationshipContext.objects.all()}
    forms = {f.code: f for f in FormOfViolence.objects.all()}
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
            # What fits the family the case gets (_fill): ages fit the relationship.
            relationship_contexts=[
                contexts[code] for code in FAMILY_VIOLENCE[number % len(FAMILIES)][0]
            ],
            forms_of_violence=[forms[code] for code in FAMILY_VIOLENCE[number % len(FAMILIES)][1]],
            description="Fictieve melding voor de demo.",
        )
        _fill(case, director, today, FAMILIES[number % len(FAMILIES)])
        _steer_to(case, director, status, case.opened_on + datetime.timedelta(days=7))
        if track == Track.CHAIN and director is city:
            case_share(
                case=case,
                by=director,
                organisation=prosecutor,
                terms=ShareTerms(
                    ground=ShareGround.CONSULTATION_458TER,
                    consultation_reference="Casusoverleg IFG (demo)",
                    scope=ShareScope.SUMMARY_RISK_JUDICIAL,
                    ends_on=default_share_end(),
                ),
            )


# Fictional client systems: (first name, last name, date of birth, family position, roles in
# the violence). The children of partner violence witnessed it; fjc.demo_roles adds a case in
# which Lina is a direct victim.
FAMILIES = [
    [
        ("Noor", "Voorbeeld", "1991-03-14", "partner", ("victim",)),
        ("Sam", "Voorbeeld", "1989-07-02", "partner", ("perpetrator",)),
        ("Lina", "Voorbeeld", "2017-05-20", "child", ("witness",)),
    ],
    [
        ("Eva", "Proefmans", "1976-11-30", "ex_partner", ("victim",)),
        ("Tom", "Proefmans", "1974-01-09", "ex_partner", ("perpetrator",)),
    ],
    [
        ("Mira", "Fictief", "1995-08-08", "partner", ("victim",)),
        ("Ruben", "Fictief", "1993-02-17", "partner", ("perpetrator",)),
        ("Jonas", "Fictief", "2019-10-01", "child", ("witness",)),
        ("Sara", "Fictief", "2021-12-24", "child", ("witness",)),
    ],
    [
        ("Ilse", "Testaert", "1958-06-06", "parent", ("victim",)),
        ("Kevin", "Testaert", "1985-04-22", "child", ("perpetrator",)),
    ],
    [
        ("Aya", "Denkbeeld", "2001-09-19", "partner", ("victim",)),
        ("Bram", "Denkbeeld", "1999-12-03", "partner", ("perpetrator",)),
    ],
    [
        ("Hanne", "Verzon", "1983-01-27", "partner", ("victim",)),
        ("Dirk", "Verzon", "1980-05-15", "partner", ("perpetrator",)),
    ],
]


# Per family above: its relationship contexts and forms of violence.
FAMILY_VIOLENCE = [
    (("partner",), ("physical", "psychological")),
    (("partner",), ("psychological", "economic", "coercive_control")),
    (("ex_partner",), ("stalking", "psychological")),
    # A mother of 68 and her son of 41: violence against a parent who is an elderly person.
    (("child_parent", "elder"), ("psychological", "economic")),
    (("partner",), ("physical", "sexual")),
    (("ex_partner",), ("stalking",)),
]


def _fill(case: Case, director: User, today: datetime.date, family: list[Any]) -> None:
    """People, contacts, trajectory, actions and a risk assessment, as a case would have."""
    from cases.models import ConditionKind, EntryKind, MeasureKind
    from cases.services import (
        breach_add,
        case_action_add,
        condition_add,
        hearing_add,
        journal_entry_add,
        measure_add,
        partner_add,
        person_create_in_case,
        police_report_add,
        prosecution_decision_add,
    )

    if case.track == Track.ADVICE:
        return
    parties = [
        person_create_in_case(
            case=case,
            by=director,
            position=position,
            roles=roles,
            first_name=first,
            last_name=last,
            date_of_birth=datetime.date.fromisoformat(born),
            confirm_new=True,
            # Registered together with the case: involved from its opening.
            involved_since=case.opened_on,
        )
        for first, last, born, position, roles in family
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
        order = measure_add(
            case=case,
            by=director,
            kind=MeasureKind.RESTRAINING_ORDER,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=14),
            decided_by=Organisation.objects.get(name="Parket Antwerpen, afdeling Mechelen"),
        )
        # A hearing next week, for the deadline board (with the order ending above).
        hearing_add(
            case=case,
            by=director,
            held_at=datetime.datetime.combine(
                today + datetime.timedelta(days=6), datetime.time(9, 30), tzinfo=datetime.UTC
            ),
            court="Familierechtbank Mechelen",
        )
        # The judicial outcome: a probation decision, its conditions and one breach of the order.
        prosecutor = Organisation.objects.get(name="Parket Antwerpen, afdeling Mechelen")
        prosecution_decision_add(
            case=case,
            by=director,
            kind="probation",
            decided_on=start + datetime.timedelta(days=3),
            decided_by=prosecutor,
        )
        condition_add(
            case=case,
            by=director,
            kind=ConditionKind.PROBATION,
            description="Begeleiding volgen bij het justitiehuis; geen contact met het slachtoffer.",
            starts_on=start + datetime.timedelta(days=3),
            ends_on=start + datetime.timedelta(days=365),
        )
        breach_add(
            case=case,
            by=director,
            measure=order,
            occurred_on=start + datetime.timedelta(days=5),
            description="Kwam aan de woning ondanks het huisverbod.",
        )
        justice = Organisation.objects.get(name="Justitiehuis Mechelen")
        partner_add(
            case=case,
            by=director,
            organisation=justice,
            role="Begeleiding pleger tijdens het huisverbod",
            since=case.opened_on,
        )
        _assess(case, director, [p for p in parties if p.is_victim], yes=15)
        _safety_plan(case, director, next(p for p in parties if p.is_victim))
        demo_plan.plan_of_approach(case, director, parties)
        _documents(case, director)
        _letters(case, director, next(p for p in parties if p.is_victim))


def _safety_plan(case: Case, director: User, victim: Any) -> None:
    """A fictional safety plan in two versions: the first agreed a week after the opening,
    the second ten days ago; the warning signs and the agreements shared in a consultation."""
    from cases.services import PlanContent, safety_plan_create, safety_plan_update

    today = timezone.localdate()
    first = PlanContent(
        agreed_on=case.opened_on + datetime.timedelta(days=7),
        review_on=case.opened_on + datetime.timedelta(days=37),
        warning_signs="Roepen en met deuren slaan na het weekend; drinkt meer.",
        safe_places="Bij de zus van het slachtoffer (adres in het dossier, fictief).",
        people_to_call="Zus: 0470 00 00 00 (fictief); buurvrouw: 0471 00 00 00 (fictief).",
        code_word="Paraplu",
        perpetrator_agreements="Geen contact tijdens het huisverbod.",
        children_arrangements="Na school naar de grootouders.",
    )
    plan = safety_plan_create(
        case=case,
        party=victim,
        by=director,
        content=first,
        shareable_parts=["warning_signs", "perpetrator_agreements"],
    )
    safety_plan_update(
        plan=plan,
        by=director,
        expected_version=plan.version,
        content=replace(
            first,
            agreed_on=today - datetime.timedelta(days=10),
            review_on=today + datetime.timedelta(days=20),
            warning_signs=first.warning_signs + " Stuurt veel berichten 's nachts.",
        ),
    )


def _demo_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (offsets computed, so viewers open it cleanly)."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _documents(case: Case, director: User) -> None:
    """A PV copy for the team and the parket, and a confidential consent form in two versions."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import DocumentKind
    from cases.services.documents import document_add, document_add_version

    document_add(
        case=case,
        by=director,
        title="Kopie pv huisverbod",
        kind=DocumentKind.POLICE_REPORT_COPY,
        confidential=False,
        upload=SimpleUploadedFile("pv-kopie.pdf", _demo_pdf("Kopie pv (demo)")),
    )
    consent = document_add(
        case=case,
        by=director,
        title="Toestemming gegevensdeling",
        kind=DocumentKind.CONSENT_FORM,
        confidential=True,
        upload=SimpleUploadedFile("toestemming.pdf", _demo_pdf("Toestemming (demo)")),
    )
    document_add_version(
        case=case,
        by=director,
        document=consent,
        upload=SimpleUploadedFile(
            "toestemming-ondertekend.pdf", _demo_pdf("Toestemming, ondertekend (demo)")
        ),
    )


def _letters(case: Case, director: User, victim: Any) -> None:
    """The information letter and an invitation to an intake, made from the templates."""
    from cases.services.letters import letter_create

    letter_create(case=case, by=director, letter="information", addressee=victim)
    letter_create(
        case=case,
        by=director,
        letter="invitation",
        addressee=victim,
        fields={
            "meeting": "intake",
            "day": timezone.localdate() + datetime.timedelta(days=3),
            "time": datetime.time(10, 0),
            "place": "Veilig Huis, Onze-Lieve-Vrouwestraat 1, Mechelen (fictief adres)",
        },
    )


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
    from cases.services import gap_signal
    from partners.models import Gap, GapKind, Sector, Training, TrainingKind
    from partners.services import training_save

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
    today = timezone.localdate()
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


# Earlier files (last year), with their referrals, so the network dashboard has two years.
EARLIER_CASES = [
    # (director, month, day opened, partner the FJC referred to, answer)
    ("regisseur.stad", 3, 10, "CGG Mechelen (demo)", "done"),
    ("regisseur.caw", 6, 2, "Justitiehuis Mechelen", "declined"),
    ("regisseur.stad", 10, 14, "OCMW Mechelen", "accepted"),
]
REFERRAL_REASON = "Fictieve doorverwijzing voor de demo."
DECLINE_REASON = "Wachtlijst van drie maanden."


def _answer_referral(referral: Any, director: User, answer: str, day: datetime.date) -> None:
    from cases.services import referral_answer

    if answer == "pending":
        return
    referral_answer(
        referral=referral,
        by=director,
        status=answer,
        on=day,
        decline_reason=DECLINE_REASON if answer == "declined" else "",
    )


def _refer(
    case: Case, director: User, partner: Organisation, out_on: datetime.date, answer: str
) -> None:
    """An incoming referral from the case's referrer (accepted at registration) and an
    outgoing one to ``partner`` with ``answer``."""
    from cases.models import ReferralDirection
    from cases.services import referral_create

    today = timezone.localdate()
    if case.referrer_organisation is not None:
        incoming = referral_create(
            case=case,
            by=director,
            direction=ReferralDirection.INCOMING,
            partner=case.referrer_organisation,
            referred_on=case.opened_on,
            reason=REFERRAL_REASON,
        )
        _answer_referral(incoming, director, "accepted", case.opened_on)
    out_on = min(out_on, today)
    outgoing = referral_create(
        case=case,
        by=director,
        direction=ReferralDirection.OUTGOING,
        partner=partner,
        referred_on=out_on,
        reason=REFERRAL_REASON,
        ground="consent",
        consent_given_by="De cliënt (demo)",
        consent_given_on=out_on,
        consent_purpose="Doorverwijzing naar de partner",
    )
    _answer_referral(outgoing, director, answer, min(out_on + datetime.timedelta(days=5), today))


def _referrals(users: dict[str, User]) -> None:
    """Referrals in and out, last year and this year, for the network dashboard."""
    from cases.models import Referral

    if Referral.objects.exists():
        return
    today = timezone.localdate()
    partners = [Organisation.objects.get(name=name) for name, _kind in PARTNERS]
    police = list(Organisation.objects.filter(kind=OrganisationKind.POLICE_ZONE).order_by("name"))
    places = list(Municipality.objects.order_by("name"))
    for number, (username, month, day, partner_name, answer) in enumerate(EARLIER_CASES):
        director = users[username]
        case = case_create(
            by=director,
            owner_organisation=director.organisation,  # type: ignore[arg-type]
            case_director=director,
            track=Track.ADVICE,
            opened_on=datetime.date(today.year - 1, month, day),
            referrer_kind=ReferrerKind.PARTNER,
            referrer_organisation=police[number % len(police)],
            municipality=places[(number * 5) % len(places)],
            description="Fictieve melding voor de demo.",
        )
        partner = Organisation.objects.get(name=partner_name)
        _refer(case, director, partner, case.opened_on + datetime.timedelta(days=7), answer)
        _steer_to(case, director, Status.CLOSED, case.opened_on + datetime.timedelta(days=30))
    answers = ["accepted", "declined", "done", "pending"]
    open_cases = Case.objects.exclude(status=Status.CLOSED).filter(
        opened_on__year=today.year, is_anonymous_consult=False
    )
    for number, case in enumerate(open_cases.select_related("case_director").order_by("id")):
        _refer(
            case,
            case.case_director,
            partners[number % len(partners)],
            case.opened_on + datetime.timedelta(days=3),
            answers[number % len(answers)],
        )


@transaction.atomic
def seed(*, previous_year_cases: int | None = None) -> list[DemoUser]:
    """Everything the demo shows; ``previous_year_cases``: how many cases of last year
    (``demo_year.PREVIOUS_YEAR_CASES`` unless given; 0 for none)."""
    from .demo_children import seed_children
    from .demo_craft import seed_craft
    from .demo_escalation import seed_escalation
    from .demo_inbox import seed_inbox
    from .demo_registrations import seed_registrations
    from .demo_roles import seed_child_roles
    from .demo_year import PREVIOUS_YEAR_CASES, seed_previous_year

    places = _places()
    _organisations(places)
    users = _users()
    _cases(users)
    _network(users)
    _referrals(users)
    _consultation(users)
    # After _consultation: it adds its protocol only while there is no legal basis at all.
    _network_history(users)
    _consultations_held(users)
    _funding(users)
    seed_registrations(users)  # issue 19: registrations by the police, one taken on
    seed_craft(users)  # issue 19 part 5: attendance, paper secrecy, review date, triage table
    seed_inbox(users)  # issue 19: the CGG's inbox, one referral new and one accepted
    seed_escalation(users)
    seed_child_roles()
    seed_children()  # issue 18 part 3: a child file and a conversation
    # Last: the steps above look for last year's few cases of their own.
    seed_previous_year(
        users=users,
        size=PREVIOUS_YEAR_CASES if previous_year_cases is None else previous_year_cases,
    )
    seed_notices()  # after everything: the notices read the deadline boards the seed made
    return DEMO_USERS


def _funding(users: dict[str, User]) -> None:
    """Last year's funding, so the operations lead's annual report has its funding chapter.

    The amounts and staffing are invented; the inhabitants carry the public 2020 figures forward.
    """
    from decimal import Decimal

    from reporting.models import Funder, FundingYear, StaffRole
    from reporting.services import StaffingInput, funding_year_create, funding_year_update

    year = timezone.localdate().year - 1
    if FundingYear.objects.filter(year=year).exists():
        return
    lead = users["operationeel"]
    funding = funding_year_create(by=lead, year=year)
    funding_year_update(
        funding=funding,
        by=lead,
        expected_version=funding.version,
        flemish_amount=Decimal("182500.00"),
        local_amount=Decimal("274999.99"),
        notes="Fictieve demo-bedragen.",
        staffing=[
            StaffingInput(
                Funder.FLEMISH_GOVERNMENT, StaffRole.NETWORK_COORDINATOR, Decimal("1.00")
            ),
            StaffingInput(Funder.LOCAL_GOVERNMENTS, StaffRole.OPERATIONS_LEAD, Decimal("1.00")),
            StaffingInput(Funder.LOCAL_GOVERNMENTS, StaffRole.CASE_DIRECTOR, Decimal("2.50")),
            StaffingInput(Funder.OTHER, StaffRole.ADMINISTRATION, Decimal("0.50")),
        ],
        inhabitants={
            Municipality.objects.get(name=name): inhabitants
            for name, inhabitants, _zone in MUNICIPALITIES
        },
    )


def _protocol_agreement() -> Any:
    """The partner agreement that holds the demo's 458ter protocol (legal bases link it)."""
    from partners.models import Agreement, AgreementKind

    agreement, _created = Agreement.objects.get_or_create(
        organisation=Organisation.objects.get(name="Stad Mechelen"),
        kind=AgreementKind.PROTOCOL_458TER,
        title="Protocol intersectoraal casusoverleg IFG (demo)",
        defaults={"signed_on": datetime.date(timezone.localdate().year - 1, 1, 1)},
    )
    return agreement


def _consultation(users: dict[str, User]) -> None:
    """One protocol and an upcoming art. 458ter consultation on the city's track-3 case, with
    the demo prosecutor liaison as a participant who confirmed the duty of secrecy."""
    from consultations.models import LegalBasis, LegalBasisKind
    from consultations.services import legal_bases, planning

    if LegalBasis.objects.exists():
        return
    director = users["regisseur.stad"]
    case = Case.objects.filter(track=Track.CHAIN, case_director=director).order_by("id").first()
    if case is None:
        return
    today = timezone.localdate()
    basis = legal_bases.legal_basis_create(
        by=users["operationeel"],
        agreement=_protocol_agreement(),
        kind=LegalBasisKind.PROTOCOL,
        reference="Protocol intersectoraal casusoverleg IFG (demo)",
        dated_on=today - datetime.timedelta(days=365),
        purpose="De fysieke en psychische integriteit van gezinsleden beschermen.",
        arrangements="Maandelijks casusoverleg, voorgezeten door het FJC.",
        allowed_organisations=Organisation.objects.filter(
            name__in=[
                "Stad Mechelen",
                "CAW Boom Mechelen Lier",
                "Parket Antwerpen, afdeling Mechelen",
                "Politiezone Rivierenland",
            ]
        ),
    )
    when = datetime.datetime.combine(
        today + datetime.timedelta(days=1), datetime.time(14, 0), tzinfo=datetime.UTC
    )
    consultation = planning.consultation_create(
        by=director,
        legal_basis=basis,
        scheduled_at=when,
        location="Vergaderzaal FJC",
        secrecy_confirmed=True,
    )
    planning.agenda_item_add(
        consultation=consultation, by=director, case=case, reason="Demo: traject 3"
    )
    planning.participant_add_user(consultation=consultation, by=director, user=users["parket"])
    planning.secrecy_confirm(consultation=consultation, user=users["parket"])


# Trainings of last year and this year for the network dashboard:
# (year offset, month, day, kind, topic, participants, organisation names or kinds)
NETWORK_TRAININGS = [
    (1, 2, 12, "training", "Signalen van intrafamiliaal geweld herkennen", 24, ["police_zone"]),
    (1, 5, 20, "intervision", "Intervisie casusregie", 9, ["CAW Boom Mechelen Lier"]),
    (1, 9, 30, "advice", "Adviessessie doorverwijzen", 6, ["OCMW Mechelen"]),
    (
        1,
        11,
        18,
        "training",
        "Risicotaxatie voor partners",
        15,
        ["Justitiehuis Mechelen", "Vertrouwenscentrum Kindermishandeling Antwerpen"],
    ),
    (0, 2, 3, "training", "Veiligheidsplanning met slachtoffers", 20, ["police_zone"]),
    (0, 4, 22, "intervision", "Intervisie ketenaanpak", 8, ["CAW Boom Mechelen Lier"]),
    (0, 6, 10, "advice", "Adviessessie kindermishandeling", 5, ["CGG Mechelen (demo)"]),
]
# Gaps in the care offer: (year offset, month, day, kind, status, description)
NETWORK_GAPS = [
    (1, 1, 20, "waiting_list", "closed", "Wachtlijst slachtofferhulp van zes weken."),
    (1, 4, 8, "missing_service", "addressed", "Geen opvang voor mannelijke slachtoffers."),
    (1, 8, 26, "service_refused", "follow_up", "Dienst weigert zonder verwijsbrief."),
    (0, 3, 3, "waiting_list", "follow_up", "Wachtlijst CGG van vier maanden."),
    (0, 5, 14, "missing_service", "new", "Geen tolk beschikbaar op korte termijn."),
    (0, 7, 1, "other", "new", "Onduidelijke doorverwijsroute voor ouderenmis­behandeling."),
]


def _demo_day(offset: int, month: int, day: int, today: datetime.date) -> datetime.date:
    """A day in last year (offset 1) or this year (0), never after today."""
    return min(datetime.date(today.year - offset, month, day), today)


def _network_history(users: dict[str, User]) -> None:
    """Trainings and gaps over last year and this year, for the network dashboard."""
    from partners.models import Gap, GapStatus, Training
    from partners.services import gap_add_follow_up, gap_set_status, training_save

    if Training.objects.filter(topic=NETWORK_TRAININGS[0][4]).exists():
        return
    today = timezone.localdate()
    coordinator = users["netwerk"]
    for offset, month, day, kind, topic, participants, names in NETWORK_TRAININGS:
        organisations = Organisation.objects.filter(
            models.Q(name__in=names) | models.Q(kind__in=names)
        )
        training_save(
            training=Training(
                date=_demo_day(offset, month, day, today),
                kind=kind,
                topic=topic,
                participants=participants,
            ),
            by=coordinator,
            organisations=organisations,
        )
    director = users["regisseur.caw"]
    helper = Organisation.objects.get(name="OCMW Mechelen")
    for offset, month, day, kind, status, description in NETWORK_GAPS:
        signalled_on = _demo_day(offset, month, day, today)
        # Built directly so it can carry its past date (gap_signal signals today); without
        # a case, as a gap heard of at a network meeting.
        gap = Gap(
            kind=kind, description=description, signalled_on=signalled_on, signalled_by=director
        )
        attribute(gap, director)
        gap.save()
        if status != GapStatus.NEW:
            gap_add_follow_up(
                gap=gap,
                by=coordinator,
                date=min(signalled_on + datetime.timedelta(days=14), today),
                action="Besproken op het netwerkoverleg.",
                organisation=helper,
            )
        if status not in (GapStatus.NEW, GapStatus.FOLLOW_UP):
            gap_set_status(
                gap=gap,
                by=coordinator,
                status=status,
                changed_on=min(signalled_on + datetime.timedelta(days=28), today),
            )


# Partners represented at the held consultations, in turn.
CONSULTATION_PARTNERS = [
    ["Politiezone Rivierenland", "Justitiehuis Mechelen", "OCMW Mechelen"],
    ["Politiezone Rivierenland", "Vertrouwenscentrum Kindermishandeling Antwerpen"],
    ["Justitiehuis Mechelen", "CGG Mechelen (demo)", "Politiezone Rivierenland"],
]


def _consultations_held(users: dict[str, User]) -> None:
    """Case consultations held last year and this year, with partner representatives, for
    the network dashboard's participation figures."""
    from consultations.models import AgendaItem, Consultation, ConsultationStatus, LegalBasisKind
    from consultations.services import legal_bases, minutes, planning

    if Consultation.objects.filter(status=ConsultationStatus.HELD).exists():
        return
    today = timezone.localdate()
    city, caw = users["regisseur.stad"], users["regisseur.caw"]
    basis = legal_bases.legal_basis_create(
        by=users["operationeel"],
        agreement=_protocol_agreement(),
        kind=LegalBasisKind.PROTOCOL,
        reference="Protocol casusoverleg IFG met de partners (demo)",
        dated_on=datetime.date(today.year - 1, 1, 1),
        purpose="De fysieke en psychische integriteit van gezinsleden beschermen.",
        arrangements="Casusoverleg met de partners van het netwerk, voorgezeten door het FJC.",
        allowed_organisations=Organisation.objects.filter(is_active=True),
    )

    def held(chair: User, day: datetime.date, number: int, cases: list[Case]) -> None:
        when = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=datetime.UTC)
        consultation = planning.consultation_create(
            by=chair,
            legal_basis=basis,
            scheduled_at=when,
            location="Vergaderzaal FJC",
            secrecy_confirmed=True,
        )
        for name in CONSULTATION_PARTNERS[number % len(CONSULTATION_PARTNERS)]:
            planning.participant_add_named(
                consultation=consultation,
                by=chair,
                name="Vertegenwoordiger (demo)",
                organisation=Organisation.objects.get(name=name),
            )
        items = []
        for case in cases:
            if case.is_closed:
                # A case closed since: the planning service rightly refuses to put a closed
                # case on an agenda now, so last year's discussion is written as it stood.
                item = AgendaItem(
                    consultation=consultation, case=case, discussed=True, added_by=chair
                )
                item.decisions = "Afspraken over de veiligheid en de opvolging."
                attribute(item, chair)
                item.save()
            else:
                items.append(
                    planning.agenda_item_add(consultation=consultation, by=chair, case=case)
                )
        planning.consultation_mark_held(consultation=consultation, by=chair)
        for item in items:
            minutes.agenda_item_record_decisions(
                agenda_item=item,
                by=chair,
                expected_version=item.version,
                decisions="Afspraken over de veiligheid en de opvolging.",
            )
            demo_plan.plan_review(item, chair, day)

    earlier = Case.objects.filter(opened_on__year=today.year - 1).order_by("opened_on", "id")
    for number, case in enumerate(earlier):
        # Two weeks after registration, while the case was still open.
        day = min(case.opened_on + datetime.timedelta(days=14), today - datetime.timedelta(days=1))
        held(case.case_director, day, number, [case])
    for number, chair in enumerate([city, caw, city]):
        cases = list(
            Case.objects.filter(case_director=chair, track__in=[Track.OUTREACH, Track.CHAIN])
            .exclude(status=Status.CLOSED)
            .order_by("opened_on", "id")[:2]
        )
        day = today - datetime.timedelta(days=40 - 15 * number)
        opened = [case for case in cases if case.opened_on <= day]
        if opened:
            held(chair, day, number + 1, opened)
