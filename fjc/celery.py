import logging
import os
from typing import Any

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fjc.settings")

logger = logging.getLogger(__name__)

app = Celery("fjc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes the worker's heartbeat to Redis (``fjc.heartbeat``) at start and then every
    ``FJC_WORKER_HEARTBEAT_SECONDS``, for ``/health/``.

    A timer of the worker's main process rather than a periodic task: a task would wait
    behind long report runs when every slot is busy (and would need beat), and the worker
    would look dead while it works.
    """

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.timer_entry: Any = None
        self.queues: list[str] | None = None

    def start(self, worker: Any) -> None:
        from django.conf import settings

        # The queues this worker consumes (-Q; every queue without it): each gets its beat.
        app = getattr(worker, "app", None)
        if app is not None:
            self.queues = sorted(app.amqp.queues.consume_from)
        self.beat()
        self.timer_entry = worker.timer.call_repeatedly(
            settings.FJC_WORKER_HEARTBEAT_SECONDS, self.beat, priority=10
        )

    def stop(self, worker: Any) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    def beat(self) -> None:
        from . import heartbeat

        try:
            heartbeat.record(queues=self.queues)
        except Exception as error:  # Redis away: /health/ says so; the worker goes on
            logger.warning("Worker heartbeat not recorded (%s)", type(error).__name__)


app.steps["worker"].add(WorkerHeartbeat)
