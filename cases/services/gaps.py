"""Signalling a gap in the care offer from a case.

The gap is the network's record (``partners.Gap``, followed up by the network coordinator);
signalling it is a case director's act on the case, so it lives here with the case's
timeline event.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.history import save_validated
from partners.models import Gap, Municipality, Organisation

from ..models import Case, EventKind
from .events import record_event


@transaction.atomic
def gap_signal(
    *,
    case: Case,
    by: User,
    kind: str,
    description: str,
    organisation: Organisation | None = None,
    municipality: Municipality | None = None,
) -> Gap:
    gap = Gap(
        case=case,
        kind=kind,
        description=description,
        organisation=organisation,
        municipality=municipality,
        signalled_on=timezone.localdate(),
        signalled_by=by,
    )
    save_validated(gap, by)
    # The timeline names the kind only: the description stays with the network.
    record_event(
        case=case, kind=EventKind.GAP_SIGNALLED, actor=by, summary=str(gap.get_kind_display())
    )
    return gap
