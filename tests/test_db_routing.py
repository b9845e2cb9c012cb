"""The read-replica router (issue 20, part 6): only marked reporting reads go to the replica.

A second alias, ``replica``, points at this run's test database (``TEST: {"MIRROR":
"default"}``, as ``fjc.settings`` configures it from ``DATABASE_REPLICA_URL``). It is a
connection of its own, so it sees committed rows only, as a real replica would: the tests
that use it are transactional. Which connection ran which query is captured on both.
"""

import os
import subprocess
import sys
from contextlib import suppress
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access import audit
from access.models import AuditAction, AuditEvent
from accounts.models import User
from accounts.roles import RoleCode
from cases.models import Case
from common.db_routing import REPLICA, ReportingReplicaRouter, reporting_reads
from partners.models import OrganisationKind

from .factories import make_case, make_organisation, make_user

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", autouse=True)
def _replica_alias():
    """The ``replica`` alias on the test database, for this module: added before any test's
    database set-up (a module fixture comes first), which checks the aliases it is given."""
    default = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = {
        **default,
        "TEST": {**default.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS},
    }
    yield
    connections[REPLICA].close()
    del connections.settings[REPLICA]
    with suppress(AttributeError):
        delattr(connections._connections, REPLICA)  # type: ignore[attr-defined]


# Committed rows only (the replica is a connection of its own), and both aliases allowed.
replica = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


def queries_on_both():
    return CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]), CaptureQueriesContext(
        connections[REPLICA]
    )


@pytest.fixture
def director():
    organisation = make_organisation("Stad Alfa", OrganisationKind.CITY)
    return make_user("director", organisation, RoleCode.CASE_DIRECTOR)


@replica
def test_marked_reporting_reads_go_to_the_replica_and_nothing_else_does(director):
    case = make_case(director)
    primary, copy = queries_on_both()
    with primary, copy:
        assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]
    assert len(primary) == 1 and len(copy) == 0

    primary, copy = queries_on_both()
    with primary, copy, reporting_reads():
        assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]
    assert len(primary) == 0 and len(copy) == 1
    assert '"cases_case"' in copy.captured_queries[0]["sql"]


@replica
def test_access_and_audit_rows_are_read_from_the_primary_even_in_reporting_reads(director):
    """A grant taken away counts on the next request, never after the replica caught up."""
    primary, copy = queries_on_both()
    with primary, copy, reporting_reads():
        assert User.objects.filter(pk=director.pk).exists()
        AuditEvent.objects.count()
    assert len(primary) == 2 and len(copy) == 0


@replica
def test_a_row_read_on_the_replica_leads_to_the_primary_outside_reporting_reads(director):
    case = make_case(director)
    with reporting_reads():
        copy_of_case = Case.objects.get(pk=case.pk)
    assert copy_of_case._state.db == REPLICA
    primary, copy = queries_on_both()
    with primary, copy:
        # A related row, fetched with the replica's row as its hint: still the primary.
        assert copy_of_case.owner_organisation.pk == director.organisation.pk
    assert len(copy) == 0 and len(primary) == 1


@replica
def test_inside_a_transaction_everything_goes_to_the_primary(director):
    primary, copy = queries_on_both()
    with primary, copy, reporting_reads(), transaction.atomic():
        case = make_case(director)
        # The read sees the write before it: the replica would not have it yet.
        assert Case.objects.filter(pk=case.pk).exists()
        audit.record(user=director, action=AuditAction.VIEW, obj=case, purpose="test")
    assert len(copy) == 0 and len(primary) > 0


@replica
def test_writes_in_reporting_reads_go_to_the_primary(director):
    primary, copy = queries_on_both()
    with primary, copy, reporting_reads():
        audit.record(user=director, action=AuditAction.VIEW, object_type="test", purpose="test")
    assert len(copy) == 0
    assert any("INSERT" in query["sql"] for query in primary.captured_queries)


@replica
def test_the_network_figures_and_their_export_come_from_the_replica_and_the_audit_row_goes_to_the_primary(
    director, client
):
    make_case(director)
    lead = make_user("lead", director.organisation, RoleCode.OPERATIONS_LEAD)
    client.force_login(lead)
    dashboard = reverse("reporting:dashboard")
    year = str(timezone.localdate().year)
    for query in ({}, {"period": year, "format": "xlsx"}):
        audited = AuditEvent.objects.count()
        primary, copy = queries_on_both()
        with primary, copy:
            response = client.get(dashboard, query)
        assert response.status_code == 200
        figures = [captured["sql"] for captured in copy.captured_queries]
        assert any('"cases_case"' in sql for sql in figures), figures
        assert not any("INSERT" in sql or "UPDATE" in sql for sql in figures)
        # Nothing of the figures on the primary; the session, the user and the audit are.
        on_primary = [c["sql"] for c in primary.captured_queries if '"cases_case"' in c["sql"]]
        assert not on_primary, on_primary
        # The export is audited, on the primary (the page itself is not an export).
        assert AuditEvent.objects.count() == audited + (1 if query else 0)


def test_without_a_replica_the_router_leaves_everything_to_default():
    router = ReportingReplicaRouter()
    alias = connections.settings.pop(REPLICA)
    try:
        with reporting_reads():
            assert router.db_for_read(Case) is None
    finally:
        connections.settings[REPLICA] = alias
    with reporting_reads():
        assert router.db_for_read(Case) == REPLICA
    assert router.db_for_write(Case) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "cases") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "cases") is True


def _databases(**environment: str) -> str:
    """``DATABASES`` of fjc.settings as a fresh process reads them from this environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "DJANGO_SETTINGS"))
    }
    env.update(environment)
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: [v['NAME'], v['HOST'], v.get('TEST', {}).get('MIRROR')] "
        "for k, v in settings.DATABASES.items()}), settings.DATABASE_ROUTERS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "fjc.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_the_settings_add_the_replica_only_when_its_url_is_given():
    alone = _databases(DATABASE_URL="postgres://fjc@primary:5432/fjc")
    assert '"replica"' not in alone
    both = _databases(
        DATABASE_URL="postgres://fjc@primary:5432/fjc",
        DATABASE_REPLICA_URL="postgres://fjc@standby:5432/fjc",
    )
    assert '"replica": ["fjc", "standby", "default"]' in both
    assert "common.db_routing.ReportingReplicaRouter" in both
