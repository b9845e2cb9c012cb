"""Ending expired consultation access: the service, the task and a real Celery worker."""

import datetime
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from access.models import AuditAction, AuditEvent
from consultations.models import AccessEndReason, ConsultationAccess
from consultations.services import planning
from consultations.tasks import end_expired_access
from fjc.celery import app as celery_app

from .consultation_fixtures import build_setting


def _expired(consultation):
    return consultation.access_closes_at + datetime.timedelta(hours=1)


@pytest.mark.django_db
def test_the_task_ends_expired_rows_and_audits_each(setting):
    c = setting.consultation
    setting.add_liaison(c)
    later = setting.plan(days=30)
    setting.add_liaison(later)
    planning.agenda_item_add(consultation=later, by=later.chair, case=setting.cases["z"])
    with time_machine.travel(_expired(c), tick=False):
        assert end_expired_access() == 2
        assert end_expired_access() == 0  # idempotent
    ended = ConsultationAccess.objects.filter(ended_at__isnull=False)
    assert {a.end_reason for a in ended} == {AccessEndReason.EXPIRED}
    assert {a.agenda_item.consultation_id for a in ended} == {c.pk}
    assert ConsultationAccess.objects.filter(ended_at__isnull=True).count() == 1
    revokes = AuditEvent.objects.filter(
        action=AuditAction.REVOKE, detail__reason=AccessEndReason.EXPIRED
    )
    assert revokes.count() == 2
    assert all(r.user_id is None and r.detail["consultation"] == c.pk for r in revokes)


def test_the_beat_schedule_runs_it_hourly():
    entries = list(settings.CELERY_BEAT_SCHEDULE.values())
    entry = next(e for e in entries if e["task"] == "consultations.tasks.end_expired_access")
    assert entry["schedule"] == 3600
    assert "consultations.tasks.end_expired_access" in celery_app.tasks


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_reference_data")
def test_a_real_worker_ends_expired_access(redis_celery):
    # Committed rows (transactional test), so the worker thread's connection reads them.
    s = build_setting()
    past = s.plan(days=-20)  # its window closed six days ago
    planning.agenda_item_add(consultation=past, by=past.chair, case=s.cases["x"])
    s.add_liaison(past)
    assert ConsultationAccess.objects.filter(ended_at__isnull=True).count() == 1
    with start_worker(redis_celery, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        end_expired_access.delay()
        deadline = time.monotonic() + 60
        while ConsultationAccess.objects.filter(ended_at__isnull=True).exists():
            assert time.monotonic() < deadline, "the worker did not end the expired row"
            time.sleep(0.2)
    access = ConsultationAccess.objects.get()
    assert access.end_reason == AccessEndReason.EXPIRED
    assert AuditEvent.objects.filter(
        action=AuditAction.REVOKE, object_id=str(access.pk), detail__reason="expired"
    ).exists()
