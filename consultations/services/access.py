"""Granting and ending the time-boxed consultation access of participants to agenda cases.

A participant gets one :class:`ConsultationAccess` row per agenda item whose case they could
not see otherwise (the case's own team needs none). Rows are never deleted; each grant and
each end is written to the audit trail with ids only.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from access import audit
from access.models import AuditAction
from access.policy import may_hold_case_access, restrict
from accounts.models import User
from cases.models import Case

from ..models import (
    AccessEndReason,
    AgendaItem,
    Consultation,
    ConsultationAccess,
    ConsultationStatus,
    Participant,
)

OBJECT_TYPE = "consultations.consultationaccess"


def _audit(
    access: ConsultationAccess, *, by: User | None, action: AuditAction, reason: str
) -> None:
    agenda_item = access.agenda_item
    audit.record(
        user=by,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=access.pk,
        case_id=access.case_id,
        purpose="consultation access granted"
        if action == AuditAction.GRANT
        else "consultation access ended",
        detail={
            "consultation": agenda_item.consultation_id,
            "agenda_item": agenda_item.pk,
            "participant_user": access.user_id,
            "reason": reason,
        },
    )


def _grant(
    *, participants: Iterable[Participant], items: Iterable[AgendaItem], by: User, reason: str
) -> list[ConsultationAccess]:
    """One row per staff participant x agenda item outside that participant's case team."""
    items = list(items)
    granted = []
    for participant in participants:
        user = participant.user
        if user is None or participant.removed_at is not None or not may_hold_case_access(user):
            continue
        # Decided at grant time: who sees the case already needs no consultation access.
        team_cases = set(
            restrict(
                Case.objects.filter(pk__in=[item.case_id for item in items]), user
            ).values_list("pk", flat=True)
        )
        already = set(
            ConsultationAccess.objects.filter(
                participant=participant, agenda_item__in=items, ended_at__isnull=True
            ).values_list("agenda_item_id", flat=True)
        )
        for item in items:
            if item.case_id in team_cases or item.pk in already:
                continue
            consultation = item.consultation
            access = ConsultationAccess.objects.create(
                participant=participant,
                agenda_item=item,
                user=user,
                case_id=item.case_id,
                valid_from=consultation.access_opens_at,
                valid_until=consultation.access_closes_at,
            )
            _audit(access, by=by, action=AuditAction.GRANT, reason=reason)
            granted.append(access)
    return granted


def _is_open_for_grants(consultation: Consultation) -> bool:
    return consultation.status != ConsultationStatus.CANCELLED


@transaction.atomic
def grant_for_participant(*, participant: Participant, by: User) -> list[ConsultationAccess]:
    consultation = participant.consultation
    if not _is_open_for_grants(consultation):
        return []
    items = consultation.agenda_items.filter(removed_at__isnull=True).select_related("consultation")
    return _grant(participants=[participant], items=items, by=by, reason="participant added")


@transaction.atomic
def grant_for_agenda_item(*, item: AgendaItem, by: User) -> list[ConsultationAccess]:
    consultation = item.consultation
    if not _is_open_for_grants(consultation) or item.removed_at is not None:
        return []
    participants = consultation.participants.filter(
        user__isnull=False, removed_at__isnull=True
    ).select_related("user")
    return _grant(participants=participants, items=[item], by=by, reason="agenda item added")


@transaction.atomic
def grant_for_consultation(*, consultation: Consultation, by: User, reason: str) -> None:
    participants = consultation.participants.filter(
        user__isnull=False, removed_at__isnull=True
    ).select_related("user")
    items = consultation.agenda_items.filter(removed_at__isnull=True).select_related("consultation")
    _grant(participants=participants, items=items, by=by, reason=reason)


@transaction.atomic
def end_accesses(
    *,
    accesses: Any,
    by: User | None,
    reason: AccessEndReason,
    now: datetime.datetime | None = None,
) -> int:
    """End every still-open row of ``accesses`` (a queryset) and audit each end.

    ``by`` is None when the scheduler ends expired rows: nobody acts.
    """
    moment = now or timezone.now()
    rows = list(
        accesses.filter(ended_at__isnull=True)
        .select_for_update(of=("self",))
        .select_related("agenda_item")
        .order_by("pk")
    )
    for access in rows:
        access.ended_at = moment
        access.end_reason = reason
        access.save(update_fields=["ended_at", "end_reason"])
        _audit(access, by=by, action=AuditAction.REVOKE, reason=str(reason))
    return len(rows)


def end_expired_access(*, now: datetime.datetime | None = None) -> int:
    """Mark rows whose window has passed as ended (the policy already refuses them)."""
    moment = now or timezone.now()
    return end_accesses(
        accesses=ConsultationAccess.objects.filter(valid_until__lte=moment),
        by=None,
        reason=AccessEndReason.EXPIRED,
        now=moment,
    )
