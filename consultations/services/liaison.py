"""The prosecutor liaison enters the parket's own reference of an agenda case."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access import audit
from access.models import AuditAction
from access.policy import may_enter_parket_reference
from accounts.models import User
from cases.models import Case
from common.versioning import locked_for_update, save_versioned

from ..models import AgendaItem

PARKET_REFERENCE_MAX_LENGTH = Case._meta.get_field("parket_notice_number").max_length


@transaction.atomic
def parket_reference_set(
    *, agenda_item: AgendaItem, by: User, expected_version: int, reference: str
) -> Case:
    """Store the parket's notice number on the case, unless the case changed meanwhile.

    Allowed only inside the liaison's consultation access (``access.policy``); the case's
    history records the liaison as the author of the change.
    """
    if not may_enter_parket_reference(by, agenda_item):
        raise PermissionDenied
    value = reference.strip()
    if not value:
        raise ValidationError({"reference": [_("Enter the parket's reference.")]})
    if PARKET_REFERENCE_MAX_LENGTH and len(value) > PARKET_REFERENCE_MAX_LENGTH:
        raise ValidationError({"reference": [_("The reference is too long.")]})
    case = locked_for_update(agenda_item.case, expected_version)
    case.parket_notice_number = value
    save_versioned(case, by)
    audit.record(
        user=by,
        action=AuditAction.CHANGE,
        obj=case,
        purpose="parket reference from consultation",
        detail={"consultation": agenda_item.consultation_id, "agenda_item": agenda_item.pk},
    )
    return case
