from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from access.policy import Action
from access.services import grant_case_to_organisation
from accounts.models import User
from accounts.roles import RoleCode
from cases.models import Case, Track
from partners.models import Organisation, OrganisationKind

from .factories import PASSWORD, make_case, make_organisation, make_user


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
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


@pytest.fixture
def world(db) -> World:
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
    # A track-3 case of city A, shared with prosecutor's office A only.
    w.cases["city_a_shared"] = make_case(u["director_city_a"], track=Track.CHAIN)
    grant_case_to_organisation(
        case=w.cases["city_a_shared"],
        organisation=w.orgs["parket_a"],
        actions=(Action.VIEW,),
        by=u["director_city_a"],
    )
    for key, case in w.cases.items():
        w.children[key] = {param: make(w, case) for param, make in CHILDREN.items()}
    return w


def _co_director(w: World, case: Case) -> Any:
    from cases.services import case_add_co_director

    return case_add_co_director(case=case, by=case.case_director, user=w.users["co_director"])


# URL parameter name -> how to make one such object inside a case. Every URL parameter
# that names an object inside a case needs an entry, so the permission matrix can reach it.
CHILDREN: dict[str, Callable[[World, Case], Any]] = {
    "co_director_pk": _co_director,
}


@pytest.fixture
def login(client):
    def _login(user: User):
        assert client.login(username=user.username, password=PASSWORD)
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
