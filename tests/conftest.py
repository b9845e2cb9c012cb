import copy
import datetime
import importlib
import os
import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import RoleCode
from cases.models import Case, Track
from cases.services import share_create
from partners.models import Organisation, OrganisationKind

from . import party_roles as pr
from . import risk_factories
from .clock import BRUSSELS, NOON, WORLD_BUILT_AT, runs_at_noon
from .consultation_fixtures import setting  # noqa: F401  (the consultation tests' fixture)
from .factories import PASSWORD, make_case, make_organisation, make_user

# Idempotent data migrations: the reference data every test expects.
DATA_MIGRATIONS = [
    ("accounts.migrations.0003_roles", "create_roles"),
    ("accounts.migrations.0004_auditor_role", "create_auditor_role"),
    ("cases.migrations.0004_reference_lists", "forward"),
    ("cases.migrations.0029_violence_dimensions", "seed_lists"),
    ("cases.migrations.0034_registration_reasons", "seed_reasons"),
    ("risk.migrations.0002_shipped_instruments", "forward"),
]
# What the migrations do beyond the models' tables: run on the tables made from the models.
DATABASE_RULES = [
    ("access.migrations.0003_audit_append_only", "forward"),
    ("reporting.migrations.0005_published_report_frozen", "forward"),
]
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MATRIX_MODULE = "test_permission_matrix.py"


def _is_transactional(item: Any) -> bool:
    """The way pytest-django decides: these tests commit, and the database is emptied after."""
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


def pytest_configure(config: pytest.Config) -> None:
    # One seed per run, chosen by the controller: xdist workers inherit the environment, so
    # every worker collects the permission matrix in the same (random) order.
    os.environ.setdefault("FJC_TEST_SEED", str(random.randrange(1_000_000)))
    # Each xdist worker gets a Redis database of its own: a Celery worker started by a test on
    # one of them must never take a task queued by the other (it would run on the wrong
    # test database).
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and os.environ.get("REDIS_URL"):
        base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
        os.environ["REDIS_URL"] = f"{base}/{int(worker[2:]) + 1}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    seed = os.environ["FJC_TEST_SEED"]
    terminalreporter.write_line(
        f"The permission matrix ran in a random order: FJC_TEST_SEED={seed} repeats it."
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests without the shared world first, then the tests on it; transactional ones last,
    those on the world first among them.

    The world is committed once per worker when the first test asks for it (see ``world``), so
    a test that does not ask for it never sees it; the first transactional test empties the
    database when it ends. xdist hands each worker its tests in this order. The permission
    matrix runs in a random order each run, to prove that order never matters there.
    """
    for item in items:
        # ``world`` asks for the database only when it runs, which pytest-django cannot see
        # when it decides whether to create the test database at all: a run of world tests
        # alone (one file, one process) would then reach the real database's name.
        if (
            "world" in getattr(item, "fixturenames", ())
            and item.get_closest_marker("django_db") is None
            and not _is_transactional(item)
        ):
            item.add_marker(pytest.mark.django_db)
    matrix = [item for item in items if item.path.name == MATRIX_MODULE]
    random.Random(os.environ["FJC_TEST_SEED"]).shuffle(matrix)
    shuffled = iter(matrix)
    items[:] = [next(shuffled) if item.path.name == MATRIX_MODULE else item for item in items]

    def group(item: pytest.Item) -> tuple[bool, bool, bool]:
        transactional = _is_transactional(item)
        on_world = "world" in getattr(item, "fixturenames", ())
        # Among the transactional tests, the long browser journeys first, so that the two
        # workers finish together rather than one waiting on the other's last journey.
        return transactional, on_world != transactional, item.get_closest_marker("browser") is None

    items.sort(key=group)


@pytest.fixture(autouse=True)
def _on_the_suites_day(request) -> Iterator[None]:
    """Every test runs on the day the shared world was built for (tests/clock.py). A suite
    that runs across midnight would otherwise test yesterday's world against today's date:
    a deadline "in two days" is then one day away, and a date one day before the world's
    becomes the world's own. Such a test runs at noon of the suite's day instead, its clock
    ticking; a test that travels itself still goes where it says. A test marked ``real_clock``
    stays on the real clock: another process it starts (a Celery worker) cannot travel."""
    if request.node.get_closest_marker("real_clock") or not runs_at_noon(
        datetime.datetime.now(BRUSSELS)
    ):
        yield
        return
    with time_machine.travel(NOON, tick=True):
        yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test empties every table when it ends, the rows the data migrations
    made too (serialized_rollback cannot restore them once Playwright has its own database
    connection). Transactional tests run last, so each of them re-creates the reference data
    first; one that does not use the shared world first empties the database of it."""
    if not _is_transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    committed = _CommittedWorld.current
    if "world" not in request.fixturenames and committed and committed.take():
        call_command("flush", interactive=False, verbosity=0)
    _run_migration_functions(DATA_MIGRATIONS)


def _run_migration_functions(functions: list[tuple[str, str]], schema_editor: Any = None) -> None:
    """Run these functions of our migrations on today's models."""
    from django.apps import apps

    for module, function in functions:
        getattr(importlib.import_module(module), function)(apps, schema_editor)


@pytest.fixture(scope="session")
def django_db_use_migrations() -> bool:
    """Each worker's test database gets its tables straight from the models, in a second
    instead of replaying every migration (most of a worker's start). The migrations are not
    trusted blindly for it: tests/test_migrations.py replays all of them into a database of
    its own and compares its schema with this one."""
    return False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data and the database rules of the migrations, from the migrations' own
    functions."""
    from django.db import connection

    with django_db_blocker.unblock():
        _run_migration_functions(DATA_MIGRATIONS)
        with connection.schema_editor() as editor:
            _run_migration_functions(DATABASE_RULES, editor)


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    # One folder per worker: the shared world's files must be found by every test.
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, _media_root):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Sessions in a signed cookie: no database round trips for a session on every request
    # (SESSION_SAVE_EVERY_REQUEST), and a test can put a client back to a session it had.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    settings.MEDIA_ROOT = _media_root
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Figures computed per request: a test sees the data it just made.
    settings.FJC_FIGURES_CACHE_SECONDS = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class World:
    """Two organisations of every kind, a user for every role that kind has, and cases."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    # Per case key: URL parameter name -> an object inside that case (see CHILDREN).
    children: dict[str, dict[str, Any]] = field(default_factory=dict)
    # URL parameter name -> one partner-directory/network object (not inside any case).
    directory: dict[str, Any] = field(default_factory=dict)
    # The art. 458ter consultation on the shared case (see _consultation).
    legal_basis: Any = None
    consultation: Any = None
    agenda_item: Any = None
    # URL parameter name -> an object inside the world's consultation (see CONSULTATION_CHILDREN).
    consultation_children: dict[str, Any] = field(default_factory=dict)


ORGS = {
    "city_a": ("Stad Alfa", OrganisationKind.CITY),
    "city_b": ("Gemeente Beta", OrganisationKind.CITY),
    "caw_a": ("CAW Alfa", OrganisationKind.CAW),
    "caw_b": ("CAW Beta", OrganisationKind.CAW),
    "parket_a": ("Parket Alfa", OrganisationKind.PROSECUTOR),
    "parket_b": ("Parket Beta", OrganisationKind.PROSECUTOR),
    "police_a": ("Politiezone Alfa", OrganisationKind.POLICE_ZONE),
    "police_b": ("Politiezone Beta", OrganisationKind.POLICE_ZONE),
    "vo_a": ("Vlaamse overheid Alfa", OrganisationKind.FLEMISH_GOVERNMENT),
    "vo_b": ("Vlaamse overheid Beta", OrganisationKind.FLEMISH_GOVERNMENT),
    "partner_a": ("Justitiehuis Alfa", OrganisationKind.PARTNER),
    "partner_b": ("CGG Beta", OrganisationKind.PARTNER),
}

# username -> (organisation key, roles, extra flags)
USERS = {
    "director_city_a": ("city_a", [RoleCode.CASE_DIRECTOR], {}),
    "director_city_b": ("city_b", [RoleCode.CASE_DIRECTOR], {}),
    "director_caw_a": ("caw_a", [RoleCode.CASE_DIRECTOR], {}),
    "director_caw_b": ("caw_b", [RoleCode.CASE_DIRECTOR], {}),
    "opslead_city_a": ("city_a", [RoleCode.OPERATIONS_LEAD], {}),
    "opslead_city_b": ("city_b", [RoleCode.OPERATIONS_LEAD], {}),
    "netcoord_vo_a": ("vo_a", [RoleCode.NETWORK_COORDINATOR], {}),
    "netcoord_vo_b": ("vo_b", [RoleCode.NETWORK_COORDINATOR], {}),
    "liaison_parket_a": ("parket_a", [RoleCode.PROSECUTOR_LIAISON], {}),
    "liaison_parket_b": ("parket_b", [RoleCode.PROSECUTOR_LIAISON], {}),
    "partner_police_a": ("police_a", [RoleCode.PARTNER_PROFESSIONAL], {}),
    "partner_police_b": ("police_b", [RoleCode.PARTNER_PROFESSIONAL], {}),
    "partner_partner_a": ("partner_a", [RoleCode.PARTNER_PROFESSIONAL], {}),
    "partner_partner_b": ("partner_b", [RoleCode.PARTNER_PROFESSIONAL], {}),
    "admin_city_a": ("city_a", [RoleCode.ADMINISTRATOR], {"is_staff": True}),
    "admin_caw_b": ("caw_b", [RoleCode.ADMINISTRATOR], {"is_staff": True}),
    # A superuser who also (wrongly) holds a case role still reads no case.
    "superuser": ("city_a", [RoleCode.CASE_DIRECTOR], {"is_staff": True, "is_superuser": True}),
    "inactive_director_city_a": ("city_a", [RoleCode.CASE_DIRECTOR], {"is_active": False}),
    # Co-director of every case in the world (not in the matrix: their access is by design).
    "co_director": ("partner_b", [RoleCode.CASE_DIRECTOR], {}),
}


class _CommittedWorld:
    """The world as committed in this worker's database, until a transactional test ends
    (pytest-django then empties every table)."""

    current: "_CommittedWorld | None" = None

    def __init__(self, world: World) -> None:
        self.world: World | None = world
        _CommittedWorld.current = self

    def take(self) -> World | None:
        world, self.world = self.world, None
        return world


@pytest.fixture(scope="session")
def _committed_world(django_db_setup, django_db_blocker, _media_root) -> _CommittedWorld:
    """Built once per worker, outside any test's transaction, so that every test's rollback
    returns to it. Session-scoped, so it is set up before any test's own transaction opens.
    It is built at a fixed moment of today (see tests/clock.py)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=_media_root),
        time_machine.travel(WORLD_BUILT_AT, tick=True),
    ):
        return _CommittedWorld(build_world())


@pytest.fixture
def world(request, _committed_world) -> World:
    """Two organisations of every kind, a user for every role, cases with one object of every
    kind inside them, a consultation: the same rows for every test, each test rolled back.

    Each test gets its own copy of the Python objects, so one test's in-memory changes never
    reach the next one."""
    if _is_transactional(request.node):
        request.getfixturevalue("transactional_db")
        # The committed world is emptied when this test ends: the next one builds its own.
        return _committed_world.take() or build_world()
    request.getfixturevalue("db")
    assert _committed_world.world is not None, "a non-transactional test after a transactional one"
    return _copy_on_read(_committed_world.world)


class _CopiedOnRead(Mapping[str, Any]):
    """A dict of the committed world whose values are deep-copied when a test first reads
    them: copying the whole world for every test would cost more than the test itself. One
    memo per test, so an object reached by two paths is still one object."""

    def __init__(self, source: dict[str, Any], memo: dict[int, Any]) -> None:
        self._source, self._memo = source, memo
        self._copies: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._copies:
            value = self._source[key]
            self._copies[key] = (
                _CopiedOnRead(value, self._memo)
                if isinstance(value, dict)
                else copy.deepcopy(value, self._memo)
            )
        return self._copies[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)


def _copy_on_read(world: World) -> World:
    memo: dict[int, Any] = {}
    copied = World(
        legal_basis=copy.deepcopy(world.legal_basis, memo),
        consultation=copy.deepcopy(world.consultation, memo),
        agenda_item=copy.deepcopy(world.agenda_item, memo),
    )
    for name in ("orgs", "users", "cases", "children", "directory", "consultation_children"):
        setattr(copied, name, _CopiedOnRead(getattr(world, name), memo))
    return copied


def whole_file_share(**changes: Any) -> Any:
    """Terms of a share of the whole file on a legal duty, until the default end."""
    from access.parts import ShareScope
    from cases.models import ShareGround
    from cases.services import ShareTerms, default_share_end

    terms = {
        "ground": ShareGround.LEGAL_DUTY,
        "legal_duty": "Art. 29 Sv. (melding aan het parket)",
        "scope": ShareScope.WHOLE_FILE,
        "ends_on": default_share_end(),
        **changes,
    }
    return ShareTerms(**terms)


def build_world() -> World:
    w = World()
    for key, (name, kind) in ORGS.items():
        w.orgs[key] = make_organisation(name, kind)
    for username, (org_key, roles, extra) in USERS.items():
        w.users[username] = make_user(username, w.orgs[org_key], *roles, **extra)
    u = w.users
    w.cases["city_a"] = make_case(u["director_city_a"])
    w.cases["city_b"] = make_case(u["director_city_b"])
    w.cases["caw_a"] = make_case(u["director_caw_a"])
    w.cases["caw_b"] = make_case(u["director_caw_b"])
    # A track-3 case of city A, shared (the whole file) with prosecutor's office A only.
    w.cases["city_a_shared"] = make_case(u["director_city_a"], track=Track.CHAIN)
    share_create(
        case=w.cases["city_a_shared"],
        organisation=w.orgs["parket_a"],
        by=u["director_city_a"],
        terms=whole_file_share(),
    )
    for key, case in w.cases.items():
        w.children[key] = {param: make(w, case) for param, make in CHILDREN.items()}
    w.directory = _directory_objects(w)
    w.directory["run_pk"] = _report_run(w)
    w.directory["published_pk"] = _published_report(w)
    w.directory["funding_year_pk"] = _funding_year(w)
    w.directory["break_glass_pk"] = _ended_break_glass(w)
    w.directory["registration_pk"], w.directory["attachment_pk"] = _registration(w)

    w.directory["notification_pk"] = _notice(w)
    # The partner inbox (issue 19, part 3): city A's referral to partner B, and an action of
    # city A's case assigned to partner B.
    w.directory["inbox_referral_pk"] = w.children["city_a"]["referral_pk"]
    w.directory["inbox_action_pk"] = _inbox_action(w)
    # A person, for the auditor's data-subject report (any person: the auditor's is not a
    # case-scoped page).
    w.directory["person_pk"] = w.children["city_a"]["party_pk"].person
    _consultation(w)
    return w


def _consultation(w: World) -> None:
    """A consultation tomorrow on the shared case: director_city_a chairs, liaison_parket_a
    takes part, both confirmed the duty of secrecy."""
    import datetime

    from django.utils import timezone

    from consultations.models import LegalBasisKind
    from consultations.services import legal_bases, planning

    director = w.users["director_city_a"]
    # The operations lead keeps the legal bases (issue 13); a protocol names its agreement.
    w.legal_basis = legal_bases.legal_basis_create(
        by=w.users["opslead_city_a"],
        agreement=w.directory["agreement_pk"],
        kind=LegalBasisKind.PROTOCOL,
        reference="Protocol IFG Alfa 2025",
        dated_on=timezone.localdate() - datetime.timedelta(days=365),
        purpose="Protect the physical and psychological integrity of family members.",
        arrangements="Monthly consultation chaired by the FJC.",
        allowed_organisations=[w.orgs[k] for k in ("city_a", "caw_a", "parket_a", "police_a")],
    )
    w.directory["legal_basis_pk"] = w.legal_basis
    w.directory["authorisation_pk"] = _authorisation(w)
    w.consultation = planning.consultation_create(
        by=director,
        legal_basis=w.legal_basis,
        scheduled_at=timezone.now() + datetime.timedelta(days=1),
        location="Vergaderzaal FJC",
        secrecy_confirmed=True,
    )
    w.agenda_item = planning.agenda_item_add(
        consultation=w.consultation, by=director, case=w.cases["city_a_shared"]
    )
    liaison = w.users["liaison_parket_a"]
    planning.participant_add_user(consultation=w.consultation, by=director, user=liaison)
    planning.secrecy_confirm(consultation=w.consultation, user=liaison)
    w.consultation_children = {
        param: make(w, w.consultation) for param, make in CONSULTATION_CHILDREN.items()
    }


def _authorisation(w: World) -> Any:
    """A reasoned authorisation of prosecutor's office A with a signed copy, not yet
    confirmed in the application (its liaison may confirm it)."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from consultations.models import LegalBasisKind
    from consultations.services import legal_bases

    return legal_bases.legal_basis_create(
        by=w.users["opslead_city_a"],
        kind=LegalBasisKind.AUTHORISATION,
        reference="Machtiging PK Alfa 2025/1",
        dated_on=timezone.localdate() - datetime.timedelta(days=10),
        purpose="Overleg over één gezin.",
        issuing_office=w.orgs["parket_a"],
        allowed_organisations=[w.orgs[k] for k in ("city_a", "parket_a")],
        signed_document=SimpleUploadedFile("machtiging.pdf", b"%PDF-1.7 signed authorisation"),
    )


def _directory_objects(w: World) -> dict[str, Any]:
    """One object of each kind the partners/network URLs name; none touches a case."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from partners.models import (
        Agreement,
        AgreementKind,
        ContactPerson,
        Gap,
        GapKind,
        Training,
        TrainingKind,
    )

    today = timezone.localdate()
    organisation = w.orgs["partner_b"]
    agreement = Agreement(
        organisation=organisation,
        kind=AgreementKind.PROTOCOL_458TER,
        title="Protocol 458ter",
        signed_on=today,
    )
    agreement.document.save("protocol.pdf", ContentFile(b"%PDF-1.4 protocol"), save=True)
    training = Training.objects.create(
        date=today, kind=TrainingKind.TRAINING, topic="Risicotaxatie", participants=12
    )
    training.organisations.add(organisation)
    return {
        "contact_pk": ContactPerson.objects.create(
            organisation=organisation, name="Contact Beta", function="Coordinator"
        ),
        "agreement_pk": agreement,
        "training_pk": training,
        "gap_pk": Gap.objects.create(
            kind=GapKind.WAITING_LIST,
            description="Wachtlijst daderhulp",
            signalled_on=today,
            signalled_by=w.users["director_city_b"],
        ),
    }


def _registration(w: World) -> tuple[Any, Any]:
    """A registration by police zone A with city A (received, one attachment): its
    registrant's organisation and city A's triage table read it (issue 19)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import LegalGround, RegistrationGround
    from cases.services.registrations import PersonData, registration_create

    registration = registration_create(
        by=w.users["partner_police_a"],
        owner_organisation=w.orgs["city_a"],
        people=[
            PersonData(
                role="victim", first_name="Wereld", last_name="Aanmelding", age_band="25-44"
            ),
            PersonData(role="child", first_name="Kind", last_name="Aanmelding", age_band="0-5"),
        ],
        attachments=[SimpleUploadedFile("pv.pdf", b"%PDF-1.7 police report")],
        description="Interventie na een melding van de buren.",
        urgency="urgent",
        children_present=True,
        ground=RegistrationGround.LEGAL,
        legal_ground=LegalGround.POLICE_REPORT,
        pv_number="PV-AM-0001",
    )
    return registration, registration.attachments.get()


def _inbox_action(w: World) -> Any:
    from django.utils import timezone

    from cases.services import case_action_add

    case = w.cases["city_a"]
    return case_action_add(
        case=case,
        by=case.case_director,
        description="Matrix partner action",
        due_on=timezone.localdate(),
        assignee_organisation=w.orgs["partner_b"],
    )


def _notice(w: World) -> Any:
    """A notice of director_city_a's (the notice list is each user's own)."""
    from django.utils import timezone

    from notices.models import NoticeKind
    from notices.services import notify

    return notify(
        user=w.users["director_city_a"],
        kind=NoticeKind.REFERRAL_UNANSWERED,
        object_key="matrix:1",
        due_on=timezone.localdate(),
        url="/",
        email=False,
    )


def _ended_break_glass(w: World) -> Any:
    """An emergency access of director_caw_b to city A's case, already ended (so it opens
    nothing in the matrix), awaiting review by city A's directors."""
    from cases.services.break_glass import break_glass_end, break_glass_open

    access = break_glass_open(
        by=w.users["director_caw_b"],
        reference=w.cases["city_a"].reference,
        reason="Collega ziek, dringende vraag van de politie.",
        hours=1,
        link=lambda case: f"http://testserver/cases/{case.pk}/",
    )
    return break_glass_end(access=access, by=w.users["director_caw_b"])


def _funding_year(w: World) -> Any:
    """A funding year (no case in it) for the operations lead's funding pages."""
    from django.utils import timezone

    from reporting.services import funding_year_create

    return funding_year_create(by=w.users["opslead_city_a"], year=timezone.localdate().year - 1)


def _report_run(w: World) -> Any:
    """A finished annual report run with its (stand-in) PDF: runs belong to no case."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reporting.models import ReportRun, ReportStatus

    run = ReportRun.objects.create(
        requested_by=w.users["opslead_city_a"],
        year=timezone.localdate().year - 1,
        status=ReportStatus.DONE,
        progress=100,
        checksum="0" * 64,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    run.figures = world_snapshot()
    run.file.save("report.pdf", ContentFile(b"%PDF-1.7 annual figures"), save=True)
    return run


def world_snapshot() -> dict[str, Any]:
    """A small stored snapshot of figures for the world's run (computing the real annual
    figures while the world is built would cost every worker its time)."""
    from reporting.figures import Chapter, Column, Table
    from reporting.snapshot import figures_snapshot

    table = Table(
        key="cases_per_track",
        title="Nieuwe en lopende dossiers per spoor",
        columns=(Column("track", "Spoor", is_label=True), Column("new", "Nieuwe dossiers", True)),
        rows=[["Spoor 1", 7], ["Spoor 3", 1]],
        row_keys=["1", "3"],
    )
    return figures_snapshot([Chapter(key="cases", title="Dossiers", tables=[table])], language="nl")


def _published_report(w: World) -> Any:
    """The world's run, published as version 1 of its year."""
    from reporting.publishing import report_publish

    return report_publish(run=w.directory["run_pk"], by=w.users["opslead_city_a"])


def _co_director(w: World, case: Case) -> Any:
    from cases.services import case_add_co_director

    return case_add_co_director(case=case, by=case.case_director, user=w.users["co_director"])


def _police_report(w: World, case: Case) -> Any:
    from django.utils import timezone

    from cases.services import police_report_add

    return police_report_add(
        case=case, by=case.case_director, number="PV-0001", drawn_up_on=timezone.localdate()
    )


def _measure(w: World, case: Case) -> Any:
    import datetime

    from django.utils import timezone

    from cases.models import MeasureKind
    from cases.services import measure_add

    today = timezone.localdate()
    return measure_add(
        case=case,
        by=case.case_director,
        kind=MeasureKind.RESTRAINING_ORDER,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=14),
    )


def _condition(w: World, case: Case) -> Any:
    import datetime

    from django.utils import timezone

    from cases.models import ConditionKind
    from cases.services import condition_add

    today = timezone.localdate()
    return condition_add(
        case=case,
        by=case.case_director,
        kind=ConditionKind.RELEASE,
        description="Matrix conditions",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=90),
    )


def _breach(w: World, case: Case) -> Any:
    from django.utils import timezone

    from cases.services import breach_add

    return breach_add(
        case=case,
        by=case.case_director,
        condition=_condition(w, case),
        occurred_on=timezone.localdate(),
        description="Matrix breach",
    )


def _hearing(w: World, case: Case) -> Any:
    import datetime

    from django.utils import timezone

    from cases.services import hearing_add

    return hearing_add(
        case=case,
        by=case.case_director,
        held_at=timezone.now() + datetime.timedelta(days=30),
        court="Familierechtbank",
    )


def _case_partner(w: World, case: Case) -> Any:
    from django.utils import timezone

    from cases.services import partner_add

    return partner_add(
        case=case,
        by=case.case_director,
        organisation=w.orgs["partner_a"],
        role="Begeleiding pleger",
        since=timezone.localdate(),
    )


def _referral(w: World, case: Case) -> Any:
    from django.utils import timezone

    from cases.models import ReferralDirection
    from cases.services import referral_create

    # Pending, so the answer form has something to answer.
    return referral_create(
        case=case,
        by=case.case_director,
        direction=ReferralDirection.OUTGOING,
        partner=w.orgs["partner_b"],
        referred_on=timezone.localdate(),
        reason="Matrix referral",
        ground="necessity",
        necessity_reason="Matrix",
    )


def _party(w: World, case: Case, first_name: str = "Kind") -> Any:
    from cases.models import AgeBand
    from cases.services import person_create_in_case

    # Roles that never make a repeat, so the cases' versions stay as they were.
    return person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.CHILD,
        first_name=first_name,
        last_name=f"Matrix {case.pk}",
        age_band=AgeBand.UNDER_6,
        confirm_new=True,
    )


def _relation(w: World, case: Case) -> Any:
    from cases.models import RelationKind
    from cases.services import relation_create

    return relation_create(
        case=case,
        by=case.case_director,
        from_party=_party(w, case, "Broer"),
        kind=RelationKind.SIBLING,
        to_party=_party(w, case, "Zus"),
    )


def _journal_entry(w: World, case: Case) -> Any:
    from cases.models import EntryKind
    from cases.services import journal_entry_add

    # Written now by the case director, so the director may still correct it today.
    return journal_entry_add(
        case=case, by=case.case_director, kind=EntryKind.NOTE, text="Matrix note"
    )


def _case_action(w: World, case: Case) -> Any:
    from django.utils import timezone

    from cases.services import case_action_add

    return case_action_add(
        case=case,
        by=case.case_director,
        description="Matrix action",
        due_on=timezone.localdate(),
        assignee_user=case.case_director,
    )


def _safety_plan(w: World, case: Case) -> Any:
    import datetime

    from django.utils import timezone

    from cases.services import PlanContent, safety_plan_create

    today = timezone.localdate()
    return safety_plan_create(
        case=case,
        party=_party(w, case, "Veilig"),
        by=case.case_director,
        content=PlanContent(
            agreed_on=today,
            review_on=today + datetime.timedelta(days=30),
            warning_signs="Hij drinkt op vrijdagavond.",
            code_word="Matrixwoord",
        ),
        shareable_parts=["warning_signs"],
    )


def _plan_goal(w: World, case: Case) -> Any:
    """A goal (with one agreement) on the case's plan of approach, made when the case has none
    yet; the goal is for the family as a whole, so it needs no person."""
    import datetime

    from django.utils import timezone

    from cases.models import PlanOfApproach, PlanStatus
    from cases.services import AgreementLine, GoalContent, PlanFacts, plan_create, plan_goal_add

    today = timezone.localdate()
    plan = PlanOfApproach.objects.filter(case=case).first() or plan_create(
        case=case,
        by=case.case_director,
        facts=PlanFacts(
            made_on=today,
            status=PlanStatus.ACTIVE,
            next_evaluation_on=today + datetime.timedelta(days=42),
        ),
    )
    return plan_goal_add(
        plan=plan,
        by=case.case_director,
        content=GoalContent(
            description="Matrixdoel: rust in het gezin",
            team_note="Matrixnotitie",
            agreements=[
                AgreementLine(
                    organisation=w.orgs["partner_a"],
                    what="Matrixafspraak",
                    due_on=today + datetime.timedelta(days=14),
                )
            ],
        ),
        shared_in_consultation=True,
    )


def _hit_notice(w: World, case: Case) -> Any:
    from cases.models import HitNotice

    # To the case's director, about no other case (tests/test_hit_notices.py tells them apart).
    return HitNotice.objects.create(
        recipient=case.case_director, case=case, other_organisation=w.orgs["partner_a"]
    )


def _document(w: World, case: Case) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import DocumentKind
    from cases.services.documents import document_add

    # Not confidential: a reader of the whole file (the parket on the shared case) may fetch it.
    return document_add(
        case=case,
        by=case.case_director,
        title="Matrix document",
        kind=DocumentKind.LETTER,
        confidential=False,
        upload=SimpleUploadedFile("brief.pdf", b"%PDF-1.7 matrix"),
    )


# URL parameter name -> how to make one such object inside a case. Every URL parameter
# that names an object inside a case needs an entry, so the permission matrix can reach it.
CHILDREN: dict[str, Callable[[World, Case], Any]] = {
    "co_director_pk": _co_director,
    "entry_pk": _journal_entry,
    "action_pk": _case_action,
    "party_pk": _party,
    "child_pk": _party,
    "relation_pk": _relation,
    "police_report_pk": _police_report,
    "measure_pk": _measure,
    "hearing_pk": _hearing,
    "condition_pk": _condition,
    "breach_pk": _breach,
    "case_partner_pk": _case_partner,
    "referral_pk": _referral,
    "notice_pk": _hit_notice,
    "safety_plan_pk": _safety_plan,
    "goal_pk": _plan_goal,
    "document_pk": _document,
    # --- risk ---
    "version_pk": lambda w, case: risk_factories.matrix_version(case),
    "assessment_pk": lambda w, case: risk_factories.matrix_assessment(case),
    "joint_pk": lambda w, case: risk_factories.matrix_joint(case),
}


def _named_participant(w: World, consultation: Any) -> Any:
    from consultations.services import planning

    return planning.participant_add_named(
        consultation=consultation,
        by=consultation.chair,
        name="Inspecteur Matrix",
        organisation=w.orgs["police_a"],
    )


# URL parameter name -> how to make one such object inside the world's consultation (URL
# parameters of consultation pages other than pk, which is the consultation).
CONSULTATION_CHILDREN: dict[str, Callable[[World, Any], Any]] = {
    "item_pk": lambda w, consultation: w.agenda_item,
    "participant_pk": _named_participant,
}


def drop_celery_connections() -> None:
    """Celery keeps the broker connection pool (and its producers) of the first broker it
    published to; a test that points the app at another broker must start without them."""
    from fjc.celery import app

    app._pool = None
    app.amqp._producer_pool = None


def empty_broker() -> None:
    """Nothing of an earlier test stays in this worker's Redis database: no queued message,
    none held back for its countdown, none unacknowledged by a worker that was killed (Redis
    hands those out again after the visibility timeout, many tests later)."""
    import redis

    with redis.Redis.from_url(os.environ["REDIS_URL"]) as connection:
        connection.flushdb()


@pytest.fixture
def redis_celery(settings):
    """Celery as deployed: the Redis of scripts/test.sh (this worker's database), nothing
    eager, and an empty broker, as every test has an empty database. The app reads the
    Django settings live, so overriding them is enough."""
    from fjc.celery import app

    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs the Redis of scripts/test.sh (REDIS_URL)")
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    drop_celery_connections()
    empty_broker()
    assert app.conf.broker_url == os.environ["REDIS_URL"]
    assert app.conf.task_always_eager is False
    yield app
    drop_celery_connections()
    empty_broker()


def _is_one_time_form(path: str) -> bool:
    from common.submission import OneTimeSubmissionMixin

    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None)
    return view_class is not None and issubclass(view_class, OneTimeSubmissionMixin)


SUBMISSION_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


class VerifiedClient(Client):
    """``force_login`` and ``login`` mean "logged in with both factors": the session is also
    verified with the user's own TOTP device (made if they have none). The two-factor tests
    log in through the real forms instead (tests/test_second_factor.py).

    A create form (``common.submission``, which requires its one-time token) is posted as a
    browser posts it: when the data has no ``submission_token``, the form's page is opened
    first and its token sent along (none when the page is refused: a 403/404 test).
    ``submission_token=False`` sends the data as it is (the tests of the token itself)."""

    def post(  # type: ignore[override]
        self, path: str, data: Any = None, *args: Any, submission_token: bool = True, **extra: Any
    ) -> Any:
        from common.submission import FIELD

        if (
            submission_token
            and (data is None or (isinstance(data, dict) and not isinstance(data, MultiValueDict)))
            and FIELD not in (data or {})
            and _is_one_time_form(path)
        ):
            page = self.get(path)
            found = (
                SUBMISSION_TOKEN.search(page.content.decode()) if page.status_code == 200 else None
            )
            if found:
                data = {**(data or {}), FIELD: found.group(1)}
        return super().post(path, data, *args, **extra)

    def _login(self, user, backend=None):
        from django.contrib.auth import login as auth_login

        request = HttpRequest()
        request.session = (
            self.session or import_module(django_settings.SESSION_ENGINE).SessionStore()
        )
        request.user = user  # Django's login sets it only if present; django-otp reads it
        auth_login(request, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        otp_login(request, device)
        request.session.save()
        self._set_login_cookies(request)  # type: ignore[attr-defined]


@pytest.fixture
def client() -> VerifiedClient:
    return VerifiedClient()


@pytest.fixture
def login(client):
    def _login(user: User):
        # django-axes checks every authentication against a request.
        assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
