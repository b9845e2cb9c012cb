"""A fictional Veilig Huis at the scale of a region, built in bulk (issue 20, part 1).

The fixed part (municipalities, organisations, case directors, a benchmark user) is made
through the project's own services; the cases and everything in them are made by
``INSERT ... SELECT`` over ``generate_series`` and the rows just made, in a handful of SQL
statements per table, so 100,000 cases take minutes, not hours. Cumulative: growing from
10,000 to 100,000 cases adds 90,000.

Per 100,000 cases (the shape of the issue): about 285,000 people and their involvements,
1,000,000 journal entries, 300,000 actions, 50,000 risk assessments, 400,000 grants,
~10,000 shares and ~2.3 million history rows. Cases are spread over ten years.

Grants go through the project's grant tables as the services write them: each case to its
owning organisation's case group (view and change) and its director (view and change), a
co-director on 5 % of the cases (a ``CoDirector`` and a personal grant), and 10 % shared with
another organisation through a ``CaseShare`` (a ground, a scope and an end date) whose group
grant carries the share; a share whose end date passed is ended (``expired``) and its grant
gone, as ``cases.tasks.end_expired_shares`` leaves it.

Every name is made up. Nothing here is used by the application.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection, models
from django.utils import timezone

from accounts.models import User
from accounts.roles import RoleCode
from accounts.services import user_create
from cases.models import (
    Case,
    CaseAction,
    CaseEvent,
    CaseGroupObjectPermission,
    CaseParty,
    CaseShare,
    CaseUserObjectPermission,
    ClosingReason,
    CoDirector,
    FormOfViolence,
    JournalEntry,
    Person,
    RelationshipContext,
    StatusChange,
    TrackChange,
)
from partners.models import (
    Municipality,
    MunicipalityPopulation,
    Organisation,
    OrganisationKind,
    PoliceZone,
)
from partners.services import organisation_create
from risk.models import Assessment, InstrumentVersion, Level

# The twelve municipalities of the demo's Veilig Huis (fjc/demo.py), with their population.
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
# The share of all cases owned by the biggest city (its directors see ~12,000 cases at
# 100,000) and by the CAW; the other cities share the rest by population.
BIG_CITY_SHARE = 0.12
CAW_SHARE = 0.12
BIG_CITY_DIRECTORS = 20
CAW_DIRECTORS = 16
PREFIX = "Benchmark"  # in every organisation's name: never mistaken for real ones

FIRST_NAMES = [
    "Anouk", "Bram", "Chloé", "Daan", "Elif", "Fien", "Gust", "Hanne", "Ilias", "Jolien",
    "Kobe", "Lien", "Milan", "Nora", "Omar", "Pien", "Quinten", "Rania", "Sander", "Tess",
    "Uma", "Vic", "Wout", "Yara", "Zoë", "Amir", "Britt", "Cas", "Dina", "Emre",
]  # fmt: skip
NAME_STEMS = [
    "Verbr", "Van Dael", "De Wyng", "Marck", "Hoefn", "Stapp", "Vlier", "Bockst", "Callew",
    "Dierck", "Elsl", "Fonck", "Gheyl", "Haem", "Isebr", "Jordens", "Kerck", "Lauw", "Moerm",
    "Nuyt", "Oost", "Pauw", "Quaeg", "Roels", "Stuyv", "Tuerl", "Uytt", "Vyncke", "Wuyt", "Zwaen",
]  # fmt: skip
NAME_ENDINGS = ["aert", "ens", "elmans", "eghem", "ijns", "oeck", "ouwe", "eels", "ier", "ack"]


@dataclass
class OwnerSpec:
    """An organisation that owns cases, its share of them, its directors."""

    organisation: Organisation
    weight: float
    directors: list[User] = field(default_factory=list)


@dataclass
class Region:
    """The fixed part of the fictional Veilig Huis, made once; ``made`` cases so far."""

    owners: list[OwnerSpec]
    recipients: list[Organisation]  # who cases are shared with
    municipalities: list[Municipality]
    user: User  # the benchmark's case director, of the biggest city
    made: int = 0
    timings: dict[int, dict[str, float]] = field(default_factory=dict)

    @property
    def big_city(self) -> Organisation:
        return self.owners[0].organisation


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())[:12]


def make_region(*, scale: float = 1.0) -> Region:
    """Municipalities, the 12 cities' organisations, the CAW, the prosecutor's office, the
    police zones, and case directors in each case-owning organisation (through the services).

    ``scale`` below 1 makes fewer directors (the smoke test's tiny region)."""
    zones: dict[str, PoliceZone] = {}
    municipalities = []
    year = timezone.localdate().year - 1
    for name, inhabitants, zone_name in MUNICIPALITIES:
        zone = zones.get(zone_name)
        if zone is None:
            zone, _ = PoliceZone.objects.get_or_create(name=zone_name)
            zones[zone_name] = zone
        municipality, _ = Municipality.objects.get_or_create(
            name=name, defaults={"police_zone": zone}
        )
        MunicipalityPopulation.objects.get_or_create(
            municipality=municipality, year=year, defaults={"inhabitants": inhabitants}
        )
        municipalities.append(municipality)

    def organisation(name: str, kind: str, **extra: Any) -> Organisation:
        full = f"{name} ({PREFIX})"
        return Organisation.objects.filter(name=full).first() or organisation_create(
            name=full, kind=kind, **extra
        )

    owners = []
    other_population = sum(p for _, p, _ in MUNICIPALITIES[1:])
    for index, (municipality, (name, inhabitants, _zone)) in enumerate(
        zip(municipalities, MUNICIPALITIES, strict=True)
    ):
        kind = OrganisationKind.CITY
        org = organisation(f"Stad {name}", kind, municipality=municipality)
        if index == 0:
            weight = BIG_CITY_SHARE
        else:
            weight = (1 - BIG_CITY_SHARE - CAW_SHARE) * inhabitants / other_population
        owners.append(OwnerSpec(org, weight))
    caw = organisation("CAW Boom Mechelen Lier", OrganisationKind.CAW)
    owners.append(OwnerSpec(caw, CAW_SHARE))
    recipients = [
        caw,
        organisation("Parket Antwerpen, afdeling Mechelen", OrganisationKind.PROSECUTOR),
        *(
            organisation(f"Politiezone {zone.name}", OrganisationKind.POLICE_ZONE, police_zone=zone)
            for zone in zones.values()
        ),
        *(owner.organisation for owner in owners[:4]),
    ]
    for index, owner in enumerate(owners):
        if index == 0:
            count = BIG_CITY_DIRECTORS
        elif owner.organisation == caw:
            count = CAW_DIRECTORS
        else:
            count = max(2, round(MUNICIPALITIES[index][1] / 8000))
        count = max(1, round(count * scale))
        slug = _slug(owner.organisation.name)
        for number in range(count):
            username = f"bench.{slug}.{number}"
            user = User.objects.filter(username=username).first() or user_create(
                effective_now=True,
                username=username,
                password=None,
                organisation=owner.organisation,
                roles=[RoleCode.CASE_DIRECTOR],
                first_name=FIRST_NAMES[(index + number) % len(FIRST_NAMES)],
                last_name=f"Regisseur {number + 1}",
            )
            owner.directors.append(user)
    return Region(
        owners=owners,
        recipients=recipients,
        municipalities=municipalities,
        user=owners[0].directors[0],
    )


# --- SQL helpers ---


def _literal_columns(
    model: type[models.Model], given: Iterable[str]
) -> tuple[list[str], list[str], list[Any]]:
    """The columns of ``model`` not in ``given`` that need a value (NOT NULL, no database
    default): each gets its Django default as a parameter, so a field another change adds
    with a default needs nothing here."""
    columns: list[str] = []
    placeholders: list[str] = []
    params: list[Any] = []
    given = set(given)
    for f in model._meta.concrete_fields:
        if f.column is None or f.column in given or f.primary_key or f.null:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            columns.append(f.column)
            placeholders.append("now()")
            continue
        default = f.get_default()
        if default is None:
            raise ValueError(f"{model._meta.label}.{f.name} needs a value in the benchmark")
        columns.append(f.column)
        placeholders.append("%s")
        params.append(f.get_db_prep_save(default, connection))
    return columns, placeholders, params


def insert_select(
    model: type[models.Model], values: dict[str, str], source: str, *, prefix: str = ""
) -> int:
    """``INSERT INTO model (...) SELECT <values> FROM <source>``: ``values`` maps columns to
    SQL expressions over ``source``; the other required columns get their defaults.
    ``prefix``: a ``WITH`` clause before the insert (a data-modifying CTE). The SQL is the
    benchmark's own (no outside input): values such as today's date are written inline, so
    the only parameters are the defaults."""
    extra_columns, extra_values, extra_params = _literal_columns(model, values)
    columns = [*values, *extra_columns]
    select = [*values.values(), *extra_values]
    sql = (
        f"{prefix} INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, extra_params)
        return cursor.rowcount


def _run(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _history(
    model: type[models.Model],
    where: str,
    *,
    history_type: str = "+",
    at: str,
    user: str,
    overrides: dict[str, str] | None = None,
    joins: str = "",
) -> int:
    """Historical rows for the rows of ``model`` (alias ``t``) matching ``where``, as
    simple-history writes them: every field copied, ``history_date`` = ``at``."""
    historical = model.history.model  # type: ignore[attr-defined]
    values: dict[str, str] = {}
    for f in historical._meta.concrete_fields:
        if f.column.startswith("history_"):
            continue
        values[f.column] = f"t.{f.column}"
    values.update(overrides or {})
    values["history_date"] = at
    values["history_type"] = f"'{history_type}'"
    values["history_user_id"] = user
    values["history_change_reason"] = "NULL"
    return insert_select(historical, values, f"{model._meta.db_table} t {joins} WHERE {where}")


def _hash(expression: str, salt: int, modulo: int) -> str:
    """A stable pseudo-random integer in [0, modulo) from an integer expression."""
    multiplier = 2654435761 + 2 * salt
    return f"mod(mod(({expression})::bigint * {multiplier} + {salt * 97}, 1000003), {modulo})::int"


# --- the cases ---


def _owners_table(region: Region) -> None:
    """A temporary table: per owner its cumulative share (lo, hi], group and directors."""
    _run("DROP TABLE IF EXISTS bench_owner")
    _run(
        "CREATE TEMP TABLE bench_owner (idx int, org_id bigint, group_id int, "
        "municipality_id bigint, lo int, hi int, directors bigint[])"
    )
    low = 0.0
    rows = []
    for index, owner in enumerate(region.owners):
        high = low + owner.weight
        rows.append(
            (
                index,
                owner.organisation.pk,
                owner.organisation.group_id,
                owner.organisation.municipality_id,
                round(low * 100000),
                round(high * 100000) if index < len(region.owners) - 1 else 100000,
                [d.pk for d in owner.directors],
            )
        )
        low = high
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_owner VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
    _run("DROP TABLE IF EXISTS bench_recipient")
    _run("CREATE TEMP TABLE bench_recipient (idx int, org_id bigint, group_id int)")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_recipient VALUES (%s, %s, %s)",
            [(i, o.pk, o.group_id) for i, o in enumerate(region.recipients)],
        )


def _ids(model: type[models.Model]) -> list[int]:
    return list(model._default_manager.order_by("pk").values_list("pk", flat=True))


def _array(values: Sequence[Any]) -> str:
    return "ARRAY[" + ", ".join(str(int(v)) for v in values) + "]::bigint[]"


def _text_array(values: Sequence[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def add_cases(region: Region, count: int) -> dict[str, float]:
    """``count`` more cases with everything in them; returns seconds per step."""
    import time

    steps: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        steps[name] = now - started
        started = now

    _owners_table(region)
    first = region.made + 1
    last = region.made + count
    last_case_id = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    today = timezone.localdate()
    day = f"DATE '{today.isoformat()}'"
    reasons = _ids(ClosingReason)
    municipalities = [m.pk for m in region.municipalities]
    u = _hash("g", 1, 100000)
    # Case g: its owner by its share, its director round-robin within the owner.
    insert_select(
        Case,
        {
            "reference": "to_char(d.opened_on, 'YYYY') || '-' || lpad(g::text, 6, '0')",
            "owner_organisation_id": "o.org_id",
            "case_director_id": "o.directors[1 + mod(g, array_length(o.directors, 1))]",
            "track": "d.track",
            "status": "CASE WHEN d.closed THEN 'closed' ELSE (ARRAY['registered', 'intake', "
            "'active', 'active', 'follow_up'])[1 + " + _hash("g", 3, 5) + "] END",
            "opened_on": "d.opened_on",
            "referrer_kind": "(ARRAY['partner', 'partner', 'partner', 'client', 'anonymous', "
            "'other'])[1 + " + _hash("g", 4, 6) + "]",
            "municipality_id": "CASE WHEN o.municipality_id IS NOT NULL AND "
            + _hash("g", 5, 10)
            + f" < 9 THEN o.municipality_id ELSE ({_array(municipalities)})[1 + "
            + _hash("g", 6, len(municipalities))
            + "] END",
            "urgency": "CASE WHEN " + _hash("g", 7, 20) + " = 0 THEN 'urgent' ELSE 'normal' END",
            "is_anonymous_consult": "d.track = 1 AND " + _hash("g", 8, 100) + " < 6",
            "closing_reason_id": f"CASE WHEN d.closed THEN ({_array(reasons)})[1 + "
            + _hash("g", 9, len(reasons))
            + "] END",
            "closed_on": "CASE WHEN d.closed THEN least(d.opened_on + 30 + "
            + _hash("g", 10, 300)
            + f", {day} - 1) END",
            "description": "'Fictieve situatie voor de benchmark.'",
            "created_at": "d.opened_on::timestamptz",
            "updated_at": "d.opened_on::timestamptz",
        },
        f"""(SELECT g, {day} - {_hash("g", 2, 3650)} AS opened_on,
                    CASE WHEN {_hash("g", 11, 10)} < 5 THEN 1 WHEN {_hash("g", 11, 10)} < 8
                         THEN 2 ELSE 3 END AS track,
                    ({_hash("g", 2, 3650)} > 365 AND {_hash("g", 12, 10)} < 9)
                    OR {_hash("g", 12, 10)} < 2 AS closed,
                    {u} AS u
             FROM generate_series({int(first)}, {int(last)}) AS g) AS d
           JOIN bench_owner o ON d.u >= o.lo AND d.u < o.hi""",  # noqa: S608
    )
    step("cases")
    new = f"c.id > {int(last_case_id)}"
    for through, column, model in (
        (Case.relationship_contexts.through, "relationshipcontext_id", RelationshipContext),
        (Case.forms_of_violence.through, "formofviolence_id", FormOfViolence),
    ):
        ids = _ids(model)
        if ids:
            insert_select(
                through,
                {
                    "case_id": "c.id",
                    column: f"({_array(ids)})[1 + {_hash('c.id', 13, len(ids))}]",
                },
                f"cases_case c WHERE {new}",
            )
    # Status and track records, as the services date them.
    insert_select(
        StatusChange,
        {
            "case_id": "c.id",
            "from_status": "'registered'",
            "to_status": "CASE WHEN c.status = 'closed' THEN 'active' ELSE c.status END",
            "changed_on": "c.opened_on + 3",
            "changed_by_id": "c.case_director_id",
        },
        f"cases_case c WHERE {new} AND c.status <> 'registered'",
    )
    insert_select(
        StatusChange,
        {
            "case_id": "c.id",
            "from_status": "'active'",
            "to_status": "'closed'",
            "changed_on": "c.closed_on",
            "closing_reason_id": "c.closing_reason_id",
            "changed_by_id": "c.case_director_id",
        },
        f"cases_case c WHERE {new} AND c.status = 'closed'",
    )
    insert_select(
        TrackChange,
        {
            "case_id": "c.id",
            "from_track": "c.track - 1",
            "to_track": "c.track",
            "changed_on": "c.opened_on + 10",
            "decided_by_id": "c.case_director_id",
        },
        f"cases_case c WHERE {new} AND c.track > 1 AND {_hash('c.id', 14, 10)} < 3",
    )
    step("records")

    # People and their involvement: 2 to 4 per case (2.85 on average), none for an
    # anonymous consult. One statement: the people's ids are taken first, then both made.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('cases_person', 'id')")
        sequence = cursor.fetchone()[0]
    first_names = _text_array(FIRST_NAMES)
    stems = _text_array(NAME_STEMS)
    endings = _text_array(NAME_ENDINGS)
    people_cte = f"""
        WITH src AS MATERIALIZED (
            SELECT c.id AS case_id, c.opened_on, k, nextval('{sequence}') AS person_id,
                   ({first_names})[1 + {_hash("c.id * 7 + k", 15, len(FIRST_NAMES))}]
                       AS first_name,
                   ({stems})[1 + {_hash("c.id", 16, len(NAME_STEMS))}]
                       || ({endings})[1 + {_hash("c.id", 17, len(NAME_ENDINGS))}] AS last_name
            FROM cases_case c
            CROSS JOIN LATERAL generate_series(1, CASE
                WHEN {_hash("c.id", 18, 20)} < 7 THEN 2
                WHEN {_hash("c.id", 18, 20)} < 16 THEN 3 ELSE 4 END) AS k
            WHERE {new} AND NOT c.is_anonymous_consult
        ), people AS (
            INSERT INTO cases_person (id, first_name, last_name, name_key, age_band, gender,
                                      language, interpreter_needed, version)
            SELECT person_id, first_name, last_name,
                   lower(last_name || ' ' || first_name),
                   CASE WHEN k <= 2 THEN (ARRAY['18-24', '25-44', '25-44', '45-64', '65+'])
                        [1 + {_hash("person_id", 19, 5)}]
                        ELSE (ARRAY['0-5', '6-11', '12-17'])[1 + {_hash("person_id", 20, 3)}]
                   END,
                   CASE WHEN k = 1 THEN 'female' WHEN k = 2 THEN 'male'
                        ELSE (ARRAY['female', 'male'])[1 + {_hash("person_id", 21, 2)}] END,
                   'nl', false, 1
            FROM src
        )"""  # noqa: S608 - the benchmark's own SQL, no outside input
    insert_select(
        CaseParty,
        {
            "case_id": "case_id",
            "person_id": "person_id",
            "position": "CASE WHEN k <= 2 THEN 'partner' ELSE 'child' END",
            "is_victim": "k = 1",
            "is_perpetrator": "k = 2",
            "is_witness": "k > 2",
            "is_involved": "false",
            "added_on": "opened_on",
            "involved_since": "opened_on",
            "address": "'Fictieve straat ' || k",
            "address_confidential": f"k = 1 AND {_hash('case_id', 22, 10)} = 0",
        },
        "src",
        prefix=people_cte,
    )
    step("people")

    # Journal: 10 entries per case, one in five for the case team only.
    insert_select(
        JournalEntry,
        {
            "case_id": "c.id",
            "kind": "(ARRAY['contact', 'note', 'home_visit', 'phone_call', "
            "'contact_attempt'])[1 + mod(k, 5)]",
            "occurred_at": "(c.opened_on + k * 9)::timestamptz + interval '10 hours'",
            "channel": "(ARRAY['phone', 'email', 'in_person', 'home_visit', 'letter'])"
            "[1 + mod(k, 5)]",
            "reached": "mod(k, 3) <> 0",
            "text": "'Fictief gesprek ' || k || ': afspraken gemaakt, opvolging gepland.'",
            "visibility": "CASE WHEN mod(k, 5) = 0 THEN 'team' ELSE 'all' END",
            "author_id": "c.case_director_id",
            "created_at": "(c.opened_on + k * 9)::timestamptz + interval '11 hours'",
        },
        f"cases_case c CROSS JOIN generate_series(1, 10) AS k WHERE {new}",
    )
    step("journal")
    # Actions: 3 per case; closed cases' are done, open cases' mostly, a few overdue.
    insert_select(
        CaseAction,
        {
            "case_id": "c.id",
            "description": "'Fictieve actie ' || k",
            "assignee_user_id": "c.case_director_id",
            "due_on": "c.opened_on + k * 21",
            "done_on": f"""CASE WHEN c.status = 'closed' THEN least(c.opened_on + k * 21,
                                c.closed_on)
                           WHEN c.opened_on + k * 21 < {day} - 30
                                AND {_hash("c.id * 3 + k", 23, 10)} < 8
                           THEN c.opened_on + k * 21 END""",
            "created_by_id": "c.case_director_id",
            "created_at": "c.opened_on::timestamptz",
        },
        f"cases_case c CROSS JOIN generate_series(1, 3) AS k WHERE {new}",
    )
    step("actions")

    # Risk: one assessment for every second case that has people.
    version = InstrumentVersion.objects.filter(published_at__isnull=False).order_by("pk").first()
    levels = list(Level.objects.filter(version=version).values_list("pk", flat=True))
    if version is not None and levels:
        insert_select(
            Assessment,
            {
                "case_id": "c.id",
                "instrument_version_id": str(int(version.pk)),
                "assessor_id": "c.case_director_id",
                "organisation_id": "c.owner_organisation_id",
                "assessed_on": "c.opened_on + 5",
                "score": _hash("c.id", 24, 30),
                "computed_level_id": f"({_array(levels)})[1 + {_hash('c.id', 25, len(levels))}]",
                "level_id": f"({_array(levels)})[1 + {_hash('c.id', 25, len(levels))}]",
                "created_at": "c.opened_on::timestamptz",
            },
            f"cases_case c WHERE {new} AND mod(c.id, 2) = 0 AND NOT c.is_anonymous_consult",
        )
    step("risk")

    # Grants, as case_create and case_add_co_director write them.
    view = Permission.objects.get(content_type__app_label="cases", codename="view_case").pk
    change = Permission.objects.get(content_type__app_label="cases", codename="change_case").pk
    insert_select(
        CaseGroupObjectPermission,
        {"content_object_id": "c.id", "group_id": "o.group_id", "permission_id": "p"},
        f"cases_case c JOIN partners_organisation o ON o.id = c.owner_organisation_id "
        f"CROSS JOIN unnest(ARRAY[{int(view)}, {int(change)}]) AS p WHERE {new}",
    )
    insert_select(
        CaseUserObjectPermission,
        {"content_object_id": "c.id", "user_id": "c.case_director_id", "permission_id": "p"},
        f"cases_case c CROSS JOIN unnest(ARRAY[{int(view)}, {int(change)}]) AS p WHERE {new}",
    )
    # A co-director (another director of the same organisation) on 5 % of the cases.
    co_source = f"""cases_case c
        JOIN bench_owner o ON o.org_id = c.owner_organisation_id
        CROSS JOIN LATERAL (SELECT o.directors[1 + mod(array_position(o.directors,
            c.case_director_id), array_length(o.directors, 1))] AS user_id) AS co
        WHERE {new} AND {_hash("c.id", 26, 20)} = 0 AND array_length(o.directors, 1) > 1"""
    insert_select(
        CoDirector,
        {"case_id": "c.id", "user_id": "co.user_id", "added_on": "c.opened_on + 2"},
        co_source,
    )
    insert_select(
        CaseUserObjectPermission,
        {"content_object_id": "cd.case_id", "user_id": "cd.user_id", "permission_id": "p"},
        f"cases_codirector cd CROSS JOIN unnest(ARRAY[{int(view)}, {int(change)}]) AS p "
        f"WHERE cd.case_id > {int(last_case_id)}",
    )
    step("grants")
    # Shares: 10 % of the cases, with another organisation, on a ground, for a scope,
    # for half a year; the ones past their end are ended and their grant gone.
    share_cte = f"""
        WITH src AS MATERIALIZED (
            SELECT c.id AS case_id, c.case_director_id, r.org_id, r.group_id,
                   c.opened_on + 14 AS starts_on, c.opened_on + 14 + 180 AS ends_on,
                   {_hash("c.id", 27, 10)} < 6 AS by_consent,
                   (ARRAY['summary', 'summary_risk', 'summary_risk_judicial', 'whole_file'])
                       [1 + {_hash("c.id", 28, 4)}] AS scope
            FROM cases_case c
            CROSS JOIN LATERAL (
                SELECT * FROM bench_recipient r
                WHERE r.org_id <> c.owner_organisation_id
                ORDER BY mod(r.idx + c.id, {len(region.recipients)}) LIMIT 1) AS r
            WHERE {new} AND {_hash("c.id", 29, 10)} = 0 AND NOT c.is_anonymous_consult
        ), shares AS (
            INSERT INTO cases_caseshare (case_id, organisation_id, ground, consent_given_by,
                consent_given_on, consent_purpose, consultation_reference, necessity_reason,
                legal_duty, legacy_reason, scope, starts_on, ends_on, shared_by_id, created_at,
                ended_at, end_reason)
            SELECT case_id, org_id,
                   CASE WHEN by_consent THEN 'consent' ELSE 'necessity' END,
                   CASE WHEN by_consent THEN 'De cliënt (fictief)' ELSE '' END,
                   CASE WHEN by_consent THEN starts_on END,
                   CASE WHEN by_consent THEN 'Opvolging door de partner' ELSE '' END,
                   '', CASE WHEN by_consent THEN '' ELSE 'Acuut gevaar (fictief)' END,
                   '', '', scope, starts_on, ends_on, case_director_id, starts_on::timestamptz,
                   CASE WHEN ends_on < {day} THEN (ends_on + 1)::timestamptz END,
                   CASE WHEN ends_on < {day} THEN 'expired' ELSE '' END
            FROM src
            RETURNING id, case_id, organisation_id, ended_at
        )"""  # noqa: S608 - the benchmark's own SQL, no outside input
    insert_select(
        CaseGroupObjectPermission,
        {
            "content_object_id": "s.case_id",
            "group_id": "r.group_id",
            "permission_id": str(int(view)),
            "share_id": "s.id",
        },
        "shares s JOIN bench_recipient r ON r.org_id = s.organisation_id WHERE s.ended_at IS NULL",
        prefix=share_cte,
    )
    step("shares")

    # The timeline: registered, shared, closed.
    insert_select(
        CaseEvent,
        {
            "case_id": "c.id",
            "at": "c.opened_on::timestamptz",
            "kind": "'registered'",
            "actor_id": "c.case_director_id",
            "summary": "'Track ' || c.track",
        },
        f"cases_case c WHERE {new}",
    )
    insert_select(
        CaseEvent,
        {
            "case_id": "s.case_id",
            "at": "s.created_at",
            "kind": "'shared'",
            "actor_id": "s.shared_by_id",
            "summary": "o.name",
        },
        "cases_caseshare s JOIN partners_organisation o ON o.id = s.organisation_id "
        f"WHERE s.case_id > {int(last_case_id)}",
    )
    insert_select(
        CaseEvent,
        {
            "case_id": "c.id",
            "at": "c.closed_on::timestamptz",
            "kind": "'closed'",
            "actor_id": "c.case_director_id",
            "summary": "''",
        },
        f"cases_case c WHERE {new} AND c.status = 'closed'",
    )
    step("events")

    # History, as simple-history writes it: a row per creation, one per later change.
    since = int(last_case_id)
    _history(
        Case,
        f"t.id > {since}",
        at="t.opened_on::timestamptz",
        user="t.case_director_id",
        overrides={
            "status": "'registered'",
            "closed_on": "NULL",
            "closing_reason_id": "NULL",
        },
    )
    _history(
        Case,
        f"t.id > {since} AND t.status <> 'registered'",
        history_type="~",
        at="coalesce(t.closed_on, t.opened_on + 3)::timestamptz",
        user="t.case_director_id",
    )
    case_join = "JOIN cases_case c ON c.id = t.case_id"
    _history(
        CaseParty,
        f"t.case_id > {since}",
        at="t.added_on::timestamptz",
        user="c.case_director_id",
        joins=case_join,
    )
    _history(
        Person,
        f"p.case_id > {since}",
        at="c.opened_on::timestamptz",
        user="c.case_director_id",
        joins="JOIN cases_caseparty p ON p.person_id = t.id JOIN cases_case c ON c.id = p.case_id",
    )
    _history(JournalEntry, f"t.case_id > {since}", at="t.created_at", user="t.author_id")
    _history(
        CaseAction,
        f"t.case_id > {since}",
        at="t.created_at",
        user="t.created_by_id",
        overrides={"done_on": "NULL"},
    )
    _history(
        CaseAction,
        f"t.case_id > {since} AND t.done_on IS NOT NULL",
        history_type="~",
        at="t.done_on::timestamptz",
        user="t.created_by_id",
    )
    _history(Assessment, f"t.case_id > {since}", at="t.created_at", user="t.assessor_id")
    _history(
        CoDirector,
        f"t.case_id > {since}",
        at="t.added_on::timestamptz",
        user="c.case_director_id",
        joins=case_join,
    )
    step("history")
    _run("ANALYZE")
    step("analyze")
    region.made = last
    return steps


def counts() -> dict[str, int]:
    """Rows per table of the built region (for the report)."""
    tables = {
        "cases": Case,
        "people": Person,
        "involvements": CaseParty,
        "journal entries": JournalEntry,
        "actions": CaseAction,
        "risk assessments": Assessment,
        "shares": CaseShare,
        "group grants": CaseGroupObjectPermission,
        "personal grants": CaseUserObjectPermission,
    }
    result = {name: model._default_manager.count() for name, model in tables.items()}
    history = 0
    for model in (Case, CaseParty, Person, JournalEntry, CaseAction, Assessment, CoDirector):
        history += model.history.model._default_manager.count()  # type: ignore[attr-defined]
    result["history rows"] = history
    return result
