"""Celery's queues (issue 20, part 6): reports, notifications and the default, split.

The routing test publishes through the real Redis of scripts/test.sh (no worker runs) and
reads the queues' lists there: what a worker started with ``-Q reports`` would take.
"""

import json
import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from fjc.celery import app

ROOT = Path(__file__).resolve().parent.parent
QUEUES = ("celery", "reports", "notifications")

EXPECTED = {
    "reporting.tasks.build_annual_report": "reports",
    "reporting.tasks.refresh_year_publication": "reports",
    "notices.tasks.send_notice_email": "notifications",
    "notices.tasks.send_waiting_emails": "notifications",
    "cases.tasks.send_urgent_notices": "notifications",
    "cases.tasks.send_daily_digests": "notifications",
    "consultations.tasks.send_secrecy_reminders": "notifications",
    "reporting.tasks.fail_stale_report_runs": "celery",
    "cases.tasks.end_expired_shares": "celery",
    "cases.tasks.end_expired_break_glass": "celery",
    "consultations.tasks.end_expired_access": "celery",
    "accounts.tasks.clear_expired_sessions": "celery",
    "common.tasks.delete_old_submission_tokens": "celery",
}


def test_every_task_of_the_project_has_its_queue():
    app.loader.import_default_modules()
    ours = {
        name for name in app.tasks if not name.startswith("celery.") and name.split(".")[0] != "fjc"
    }
    assert ours == set(EXPECTED)
    for name, queue in EXPECTED.items():
        routed = app.amqp.router.route({}, name, (), {})
        assert routed["queue"].name == queue, name


def test_a_worker_without_queues_named_consumes_all_three():
    # The embedded default and the plain compose worker start without -Q.
    assert set(app.amqp.queues) == set(QUEUES)
    assert app.conf.task_default_queue == "celery"


@pytest.fixture
def broker(redis_celery):
    # redis_celery empties the broker before and after.
    import redis

    with redis.Redis.from_url(os.environ["REDIS_URL"]) as connection:
        yield connection


def _waiting(broker, queue: str) -> list[str]:
    return [json.loads(message)["headers"]["task"] for message in broker.lrange(queue, 0, -1)]


def test_a_report_task_and_a_notice_task_wait_in_their_own_queues(broker):
    from cases.tasks import end_expired_shares
    from notices.tasks import send_notice_email
    from reporting.tasks import build_annual_report

    build_annual_report.apply_async((0,))
    send_notice_email.apply_async((0,), retry=False)
    end_expired_shares.apply_async()
    assert _waiting(broker, "reports") == ["reporting.tasks.build_annual_report"]
    assert _waiting(broker, "notifications") == ["notices.tasks.send_notice_email"]
    assert _waiting(broker, "celery") == ["cases.tasks.end_expired_shares"]


def test_the_scale_profile_runs_a_worker_per_kind_of_work():
    compose = YAML(typ="safe", pure=True).load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    def queues(name: str) -> str:
        command = services[name]["command"]
        return str(command[command.index("-Q") + 1])

    assert services["worker-reports"]["profiles"] == ["scale"]
    assert services["worker-notifications"]["profiles"] == ["scale"]
    assert queues("worker-reports") == "reports"
    assert queues("worker-notifications") == "notifications,celery"
    # The one worker of a single host takes every queue (FJC_WORKER_QUEUES may narrow it).
    assert "profiles" not in services["worker"]
    assert queues("worker") == "${FJC_WORKER_QUEUES:-celery,reports,notifications}"
    assert set(queues("worker").split(":-")[1].rstrip("}").split(",")) == set(QUEUES)
