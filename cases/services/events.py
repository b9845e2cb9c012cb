from accounts.models import User

from ..models import Case, CaseEvent, EventKind


def record_event(
    *,
    case: Case,
    kind: EventKind,
    actor: User | None,
    summary: str = "",
    about_case: Case | None = None,
) -> CaseEvent:
    """Add a line to the case's timeline. ``summary``: staff, organisations, dates; no client data.

    ``actor`` ``None``: the line names nobody (a change made from another case).
    ``about_case``: the other case the line is about; access.policy shows the line only to
    who may see that case too.
    """
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, summary=summary[:300], about_case=about_case
    )
