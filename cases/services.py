"""Writes for cases: each in a transaction, with history attributed to the acting user."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Action
from access.services import grant_case_to_organisation, grant_case_to_user
from partners.models import Organisation

from .models import Case, Status, Track


class EditConflict(Exception):
    """Someone else saved the case after the form was opened."""


def _next_reference(year: int) -> str:
    prefix = f"{year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:05d}"


@transaction.atomic
def case_create(
    *,
    by: Any,
    owner_organisation: Organisation,
    case_director: Any,
    track: Track | int = Track.ADVICE,
    opened_on: datetime.date | None = None,
) -> Case:
    opened_on = opened_on or timezone.localdate()
    case = Case(
        owner_organisation=owner_organisation,
        case_director=case_director,
        track=track,
        status=Status.REGISTERED,
        opened_on=opened_on,
    )
    case._history_user = by  # type: ignore[attr-defined]
    for _attempt in range(5):
        case.reference = _next_reference(opened_on.year)
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            continue  # another registration took the number; take the next one
    else:
        raise IntegrityError("Could not allocate a case reference.")
    both = (Action.VIEW, Action.CHANGE)
    grant_case_to_organisation(
        case=case, organisation=owner_organisation, actions=both, by=by, reason="owner"
    )
    grant_case_to_user(case=case, user=case_director, actions=both, by=by, reason="case director")
    return case


@transaction.atomic
def case_update(*, case: Case, by: Any, expected_version: int, **changes: Any) -> Case:
    """Apply ``changes`` unless the case changed since ``expected_version`` was read."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.version != expected_version:
        raise EditConflict(_("This case was changed by someone else while you were editing it."))
    for field, value in changes.items():
        setattr(current, field, value)
    current.version += 1
    current._history_user = by  # type: ignore[attr-defined]
    current.save()
    return current
