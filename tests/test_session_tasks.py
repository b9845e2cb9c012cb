"""Expired sessions are removed by a scheduled task (issue 13, part 6)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from fjc.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_the_task_removes_expired_sessions_only(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    live, expired = SessionStore(), SessionStore()
    live["case_search_tokens"] = ["a"]
    expired["case_search_tokens"] = ["b"]
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    clear_expired_sessions()
    assert set(Session.objects.values_list("session_key", flat=True)) == {live.session_key}
    clear_expired_sessions()  # idempotent
    assert Session.objects.count() == 1


def test_the_beat_schedule_clears_sessions_hourly():
    entries = list(settings.CELERY_BEAT_SCHEDULE.values())
    entry = next(e for e in entries if e["task"] == "accounts.tasks.clear_expired_sessions")
    assert entry["schedule"] == 3600
    assert "accounts.tasks.clear_expired_sessions" in celery_app.tasks
