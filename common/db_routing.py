"""Reads that may come from a PostgreSQL read replica, and only those (issue 20, part 6).

When ``DATABASE_REPLICA_URL`` is set, ``DATABASES["replica"]`` is a streaming replica (or a
managed PostgreSQL's read endpoint) of the primary. The router sends a read there only when
all of these hold:

- the code marked the reads as reporting reads: ``with reporting_reads(): ...`` around the
  aggregate figures (the network dashboard, the annual report, the workload figures), which
  count rows but show no case to anyone and so may be a moment behind the primary;
- no transaction is open on the primary: inside ``atomic()`` a read must see the writes
  made before it, so everything there goes to the primary;
- the model is not one that decides access or records it (accounts, roles, grants, the
  audit trail, sessions, login attempts, second factors): a revoked grant counts on the next
  request, never after the replica caught up (design.md: "Revocation works on the next
  request").

Every write, the audit rows of a reporting page included, goes to the primary, and so does
every migration. Exports of case rows (the case list CSV) are *not* reporting reads: their
permission filter is part of the same SQL statement, which must run on the primary.

Without a replica the router answers nothing and Django uses ``default`` for everything.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# The apps whose rows decide or record access: read from the primary, always.
PRIMARY_ONLY_APPS = frozenset(
    {
        "access",
        "accounts",
        "auth",
        "axes",
        "contenttypes",
        "guardian",
        "otp_static",
        "otp_totp",
        "sessions",
    }
)

_reporting: ContextVar[bool] = ContextVar("fjc_reporting_reads", default=False)


@contextmanager
def reporting_reads() -> Iterator[None]:
    """Mark the reads inside as read-only reporting reads (replica-eligible)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def replica_configured() -> bool:
    # The connection handler's view of DATABASES (the same, once settings are loaded).
    return REPLICA in connections.settings


class ReportingReplicaRouter:
    """``DATABASE_ROUTERS`` entry: the replica for marked reporting reads, else the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        if not _reporting.get():
            # Said outright: left to Django, a related object of a row read on the replica
            # would be read there too (its instance hint), outside any reporting read.
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the primary's rows: an object read there relates to one read here.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
