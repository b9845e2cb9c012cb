"""Notices through a real Celery worker (issue 17, part 2, "tested with a real worker").

``celery -A fjc worker`` runs as a subprocess on this test database and this run's Redis, as
deployed (prefork, ``acks_late``), with a file-based e-mail backend (``EMAIL_URL=filemail://``):
the outbox of another process is not observable, its files are. The daily overview and the
urgent notices are each queued twice, through the broker; each user must end with exactly one
notice of each and exactly one e-mail of each, and no e-mail may hold the victim's name.
"""

import datetime
import email
import email.policy
import os
import time
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.roles import RoleCode
from cases.models import AgeBand, MeasureKind, Track
from cases.services import measure_add, person_create_in_case
from cases.tasks import send_daily_digests, send_urgent_notices
from notices.models import NoticeKind, Notification
from partners.models import OrganisationKind

from . import party_roles as pr
from .factories import make_case, make_organisation, make_user
from .test_report_worker_killed import Worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="needs the Redis of scripts/test.sh (REDIS_URL)"
    ),
    # Its worker is another process, on the real clock: this test must be on it too.
    pytest.mark.real_clock,
]

FIRST, LAST = "Annelies", "Vermeulen-Zwart"


def _messages(folder: Path) -> list[email.message.EmailMessage]:
    """Every e-mail the worker wrote (the file backend separates messages by a line of 79
    dashes)."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text(encoding="utf-8").split("-" * 79):
            if chunk.strip():
                found.append(email.message_from_string(chunk.strip(), policy=email.policy.default))
    return found


def _succeeded(worker: Worker, task: str) -> int:
    """How many runs of ``task`` the worker's log reports as finished."""
    lines = worker.log.read_text(errors="replace").splitlines()
    return sum(1 for line in lines if f"Task {task}[" in line and "succeeded" in line)


@pytest.mark.usefixtures("_reference_data")
def test_a_real_worker_sends_each_notice_and_digest_once(redis_celery, tmp_path, monkeypatch):
    today = timezone.localdate()
    organisation = make_organisation("Stad Alfa", OrganisationKind.CITY)
    directors = []
    for name in ("director_one", "director_two"):
        director = make_user(name, organisation, RoleCode.CASE_DIRECTOR)
        director.email = f"{name}@example.org"
        director.save(update_fields=["email"])
        case = make_case(director, track=Track.CHAIN)
        person_create_in_case(
            case=case,
            by=director,
            **pr.VICTIM,
            first_name=FIRST,
            last_name=LAST,
            age_band=AgeBand.AGE_25_44,
            confirm_new=True,
        )
        measure_add(
            case=case,
            by=director,
            kind=MeasureKind.RESTRAINING_ORDER,
            starts_on=today - datetime.timedelta(days=12),
            ends_on=today + datetime.timedelta(days=2),
        )
        directors.append(director)

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # django-environ reads the path after "filemail://" as relative: an absolute one needs
    # its own leading slash as well.
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{mail_dir}")
    worker = Worker("notices", tmp_path / "private", tmp_path / "worker.log")
    try:
        for _ in range(2):
            send_daily_digests.delay()
            send_urgent_notices.delay()
        deadline = time.monotonic() + 90

        def done() -> bool:
            return (
                _succeeded(worker, "cases.tasks.send_daily_digests") == 2
                and _succeeded(worker, "cases.tasks.send_urgent_notices") == 2
                and _succeeded(worker, "notices.tasks.send_notice_email") == 4
            )

        while not done():
            assert time.monotonic() < deadline, worker.output()
            time.sleep(0.2)
        time.sleep(1)  # nothing more may come
    finally:
        worker.stop()

    for director in directors:
        for kind in (NoticeKind.DIGEST, NoticeKind.ORDER_ENDING):
            rows = Notification.objects.filter(user=director, kind=kind)
            assert rows.count() == 1, (director, kind)
            assert rows.get().emailed_at is not None
    messages = _messages(mail_dir)
    recipients = sorted(str(m["To"]) for m in messages)
    assert recipients == sorted(2 * [d.email for d in directors]), recipients
    for message in messages:
        body = message.get_body()
        assert body is not None
        text = str(message["Subject"]) + "\n" + body.get_content()
        for name in (FIRST, LAST, "Vermeulen", "Zwart"):
            assert name not in text
    assert _succeeded(worker, "notices.tasks.send_notice_email") == 4
