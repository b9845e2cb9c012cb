import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from access.models import AppendOnlyError, AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_each_case_page_viewed_leaves_an_audit_row(world, client):
    user, case = world.users["director_city_a"], world.cases["city_a"]
    client.force_login(user)
    before = AuditEvent.objects.count()
    client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    client.get(reverse("cases:history", kwargs={"pk": case.pk}))
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [(r.action, r.case_id, r.view_name) for r in rows] == [
        (AuditAction.VIEW, case.pk, "cases:detail"),
        (AuditAction.VIEW, case.pk, "cases:history"),
    ]
    assert rows[0].user == user
    assert rows[0].organisation == world.orgs["city_a"]
    assert rows[0].purpose == "case steering page"


def test_denials_are_audited(world, client):
    client.force_login(world.users["director_caw_a"])
    case = world.cases["city_a"]
    client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    denial = AuditEvent.objects.latest("id")
    assert denial.action == AuditAction.DENIED
    assert denial.object_id == str(case.pk)
    assert denial.username == "director_caw_a"
    client.force_login(world.users["liaison_parket_a"])
    client.get(reverse("cases:update", kwargs={"pk": world.cases["city_a_shared"].pk}))
    assert AuditEvent.objects.latest("id").action == AuditAction.DENIED
    client.force_login(world.users["netcoord_vo_a"])
    client.get(reverse("cases:list"))
    assert AuditEvent.objects.latest("id").action == AuditAction.DENIED


def test_list_and_export_record_which_cases_were_shown(world, client):
    client.force_login(world.users["director_city_a"])
    client.get(reverse("cases:list"))
    listed = AuditEvent.objects.latest("id")
    expected = {str(world.cases["city_a"].pk), str(world.cases["city_a_shared"].pk)}
    assert listed.action == AuditAction.LIST
    assert set(listed.detail["ids"]) == expected
    assert client.get(reverse("cases:export")).status_code == 200
    exported = AuditEvent.objects.latest("id")
    assert exported.action == AuditAction.EXPORT
    assert set(exported.detail["ids"]) == expected


def test_grants_are_audited(world):
    grant = AuditEvent.objects.filter(
        action=AuditAction.GRANT, case_id=world.cases["city_a_shared"].pk
    )
    assert grant.filter(detail__organisation=world.orgs["parket_a"].pk).exists()


def test_the_audit_trail_cannot_be_changed_through_the_application(world):
    event = AuditEvent.objects.earliest("id")
    event.purpose = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_changes_to_the_audit_trail(world):
    assert connection.vendor == "postgresql"
    event = AuditEvent.objects.earliest("id")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE access_auditevent SET purpose = 'x' WHERE id = %s", [event.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM access_auditevent WHERE id = %s", [event.pk])
