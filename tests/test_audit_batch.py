"""The audit rows of a request that changes nothing are written in one INSERT at its end
(access.audit.batched, fjc.middleware.AuditBatchMiddleware), error or not (issue 20, part 3)."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access import audit
from access.models import AuditAction, AuditEvent
from cases import selectors

pytestmark = pytest.mark.django_db

AUDIT_INSERT = 'INSERT INTO "access_auditevent"'


def _audit_inserts(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(AUDIT_INSERT)]


def test_a_page_writes_its_audit_rows_in_one_insert_after_the_view(world, client):
    user, case = world.users["director_city_a"], world.cases["city_a"]
    client.force_login(user)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    inserts = _audit_inserts(ctx)
    assert len(inserts) == 1
    # After every read of the page: the row waits for the request's end.
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sql.index(inserts[0]) > max(i for i, s in enumerate(sql) if "cases_caseevent" in s)
    [row] = AuditEvent.objects.order_by("id")[before:]
    assert (row.action, row.case_id, row.view_name, row.user) == (
        AuditAction.VIEW,
        case.pk,
        "cases:detail",
        user,
    )


def test_the_row_is_written_when_the_page_fails_after_the_read(world, monkeypatch):
    user, case = world.users["director_city_a"], world.cases["city_a"]

    def broken(**kwargs):
        raise RuntimeError("the page broke after the case was read")

    monkeypatch.setattr(selectors, "case_steering", broken)
    from .conftest import VerifiedClient

    client = VerifiedClient(raise_request_exception=False)
    client.force_login(user)
    before = AuditEvent.objects.filter(case_id=case.pk, action=AuditAction.VIEW).count()
    response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert response.status_code == 500
    assert AuditEvent.objects.filter(case_id=case.pk, action=AuditAction.VIEW).count() == before + 1


def test_a_denial_is_written_with_the_404(world, client):
    client.force_login(world.users["director_caw_a"])
    case = world.cases["city_a"]
    response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert response.status_code == 404
    denial = AuditEvent.objects.latest("id")
    assert (denial.action, denial.object_id) == (AuditAction.DENIED, str(case.pk))


def test_rows_keep_their_order_and_time_in_the_batch(world):
    user = world.users["director_city_a"]
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx, audit.batched():
        for purpose in ("first", "second", "third"):
            audit.record(user=user, action=AuditAction.VIEW, object_type="x", purpose=purpose)
        assert AuditEvent.objects.count() == before  # not yet written
    assert len(_audit_inserts(ctx)) == 1
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [r.purpose for r in rows] == ["first", "second", "third"]
    assert rows[0].at <= rows[1].at <= rows[2].at


def test_a_row_inside_a_transaction_is_written_at_once_and_shares_its_fate(world):
    user = world.users["director_city_a"]
    with audit.batched():
        with transaction.atomic():
            audit.record(user=user, action=AuditAction.GRANT, object_type="x", purpose="kept")
            assert AuditEvent.objects.filter(purpose="kept").exists()
        try:
            with transaction.atomic():
                audit.record(user=user, action=AuditAction.GRANT, object_type="x", purpose="gone")
                raise ValueError
        except ValueError:
            pass
    assert AuditEvent.objects.filter(purpose="kept").count() == 1
    assert not AuditEvent.objects.filter(purpose="gone").exists()


def test_an_exception_inside_the_batch_still_writes_its_rows(world):
    user = world.users["director_city_a"]

    def failing_request() -> None:
        with audit.batched():
            audit.record(
                user=user, action=AuditAction.VIEW, object_type="x", purpose="before error"
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_request()
    assert AuditEvent.objects.filter(purpose="before error").exists()


def test_a_post_records_as_it_goes(world, client):
    """A request that may change data is not batched: its rows are written when recorded."""
    user, case = world.users["director_city_a"], world.cases["city_a"]
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        client.post(reverse("cases:co_director_add", kwargs={"pk": case.pk}), {"user": ""})
    sql = [q["sql"] for q in ctx.captured_queries]
    inserts = _audit_inserts(ctx)
    assert inserts
    # The CHANGE row of the fetch comes before the form's own reads, not at the end.
    assert sql.index(inserts[0]) < len(sql) - 1


def test_anonymous_health_check_is_not_slowed_by_a_batch(db):
    with CaptureQueriesContext(connection) as ctx:
        Client().get(reverse("health"))
    assert not _audit_inserts(ctx)
