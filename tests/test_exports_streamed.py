"""The case list export streams (issue 20, part 5): the file is written while the cases are
read a chunk at a time through a server-side cursor, so memory does not grow with the rows;
what it holds, who may have it and its audit row are as before."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from access.models import AuditAction, AuditEvent
from cases.models import Case
from cases.views import lists

from .factories import make_case

pytestmark = pytest.mark.django_db

EXPORT = reverse("cases:export")


def _open_cursors() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        return cursor.fetchone()[0]


def test_the_export_streams_the_visible_cases_in_chunks(world, client, monkeypatch):
    director = world.users["director_city_a"]
    for _ in range(7):
        make_case(director)
    monkeypatch.setattr(lists, "EXPORT_CHUNK_SIZE", 3)
    client.force_login(director)
    page = client.get(reverse("cases:list"), {"scope": "all"})
    # The list's one page holds every visible case (its count says so): the export's rows.
    expected = [c.reference for c in page.context["page_obj"].object_list]
    assert len(expected) == page.context["paginator"].count >= 7

    response = client.get(EXPORT, {"scope": "all"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="cases.csv"'

    # The audit row is written before anything is sent, naming every case of the file.
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.EXPORT
    assert event.purpose == "case list export"

    parts = iter(response.streaming_content)
    head = [next(parts) for _ in range(3)]  # byte order mark, header, first case
    # Mid-file, the cases are still being read through a cursor the database keeps open:
    # not all fetched at once.
    assert _open_cursors() == 1
    body = b"".join([*head, *parts]).decode("utf-8")
    assert _open_cursors() == 0

    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Referentie"  # the request's language, Dutch
    references = [row[0] for row in rows[1:]]
    assert references == expected
    assert len(references) >= 8
    assert set(event.detail["ids"]) == {
        str(pk) for pk in Case.objects.filter(reference__in=references).values_list("pk", flat=True)
    }


def test_a_case_added_after_the_audit_row_is_not_exported_unaudited(world, client):
    director = world.users["director_city_a"]
    client.force_login(director)
    response = client.get(EXPORT, {"scope": "all"})
    audited = set(AuditEvent.objects.latest("id").detail["ids"])
    late = make_case(director)  # enters the selection while the file is being sent
    body = response.getvalue().decode("utf-8-sig")
    references = [row[0] for row in csv.reader(io.StringIO(body), delimiter=";")][1:]
    assert late.reference not in references
    exported = Case.objects.filter(reference__in=references).values_list("pk", flat=True)
    assert {str(pk) for pk in exported} == audited
