"""Signalling a gap in the care offer from a case.

The gap is the network's record (``partners.Gap``, followed up by the network coordinator);
signalling it is a case director's act on the case, so it lives here with the case's
timeline event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.history import save_validated
from common.personal_data import find_personal_data
from partners.models import Gap, Municipality, Organisation

from ..models import Case, EventKind, Person
from .events import record_event


def check_gap_description(*, case: Case, description: str, personal_data_checked: bool) -> None:
    """The description goes to the network coordinator, who never sees a case: it must hold
    no personal data of clients. A national register number is always refused; a date or a
    name of one of the case's people is a warning that the case director must confirm."""
    people = Person.objects.filter(involvements__case=case).distinct()
    names = [n for pair in people.values_list("first_name", "last_name") for n in pair]
    births = [d for d in people.values_list("date_of_birth", flat=True) if d is not None]
    findings = find_personal_data(description, names=names, dates_of_birth=births)
    if findings.national_numbers:
        raise ValidationError(
            {
                "description": _(
                    "The description holds a national register number. Remove it: the "
                    "network coordinator must not receive personal data of clients."
                )
            }
        )
    if findings and not personal_data_checked:
        raise ValidationError(
            {
                "description": _(
                    "The description seems to hold personal data (%(found)s). Remove it, or "
                    "tick that you checked it holds no personal data of clients."
                )
                % {"found": findings.describe()}
            }
        )


@transaction.atomic
def gap_signal(
    *,
    case: Case,
    by: User,
    kind: str,
    description: str,
    organisation: Organisation | None = None,
    municipality: Municipality | None = None,
    personal_data_checked: bool = False,
) -> Gap:
    check_gap_description(
        case=case, description=description, personal_data_checked=personal_data_checked
    )
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
