from accounts.models import User

from ..models import Case, CaseEvent, EventKind


def record_event(*, case: Case, kind: EventKind, actor: User, summary: str = "") -> CaseEvent:
    """Add a line to the case's timeline. ``summary``: staff, organisations, dates; no client data."""
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, summary=summary[:300])
