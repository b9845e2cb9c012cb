"""Minutes of an art. 458ter consultation, per agenda item: disclosures, decisions, actions.

Disclosures are a record of who shared what with whom on which legal basis: they are never
edited or deleted (a correction is a new disclosure). Actions decided in the consultation
become ordinary case actions, linked to the agenda item so that open ones carry over to the
next consultation's suggestions.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from access import audit
from access.models import AuditAction
from access.policy import may_record_minutes
from accounts.models import User
from cases.models import EventKind, PlanOfApproach
from cases.services import case_action_add, plan_review_noted, record_event
from common.dates import DateKind, check_dates
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation

from ..models import (
    AgendaItem,
    Attendance,
    Consent,
    Consultation,
    ConsultationAction,
    Disclosure,
    Participant,
    PlanReview,
)
from ..selectors.minutes import taking_part

# A stable English phrase: the audit trail reads the same in every language.
DISCLOSURE_PURPOSE = "art. 458ter disclosure"


def _check_may_record(by: User, agenda_item: AgendaItem) -> None:
    if not may_record_minutes(by, agenda_item):
        raise PermissionDenied


def _participant_name(participant: Participant) -> str:
    if participant.user_id is None:
        return participant.name
    user = participant.user
    assert user is not None
    return user.get_full_name() or user.get_username()


def participants_snapshot(consultation_id: int) -> list[dict[str, Any]]:
    """Who was taking part at this moment (the attendance register: present or represented;
    the invitation list while no register was kept): kept with the disclosure even if the
    register changes later. A representative is named with whom they represented."""
    consultation = Consultation.objects.get(pk=consultation_id)
    rows = []
    for p in taking_part(consultation):
        row: dict[str, Any] = {
            "participant": p.pk,
            "user": p.user_id,
            "name": _participant_name(p),
            "organisation": p.organisation.name,
        }
        if p.attendance:
            row["attendance"] = p.attendance
        if p.attendance == Attendance.REPRESENTED:
            row["represented_by"] = p.represented_by_name
            row["represented_by_organisation"] = (
                p.represented_by_organisation.name if p.represented_by_organisation else ""
            )
        rows.append(row)
    return rows


@transaction.atomic
def disclosure_record(
    *,
    agenda_item: AgendaItem,
    by: User,
    organisation: Organisation | None,
    shared_by: Participant | None,
    content: str,
    client_consent: Consent | str,
) -> Disclosure:
    """Record that ``shared_by`` (of ``organisation``) shared ``content`` in the consultation."""
    _check_may_record(by, agenda_item)
    consultation = agenda_item.consultation
    errors: dict[str, list[str]] = {}
    # The attendance register decides who shared and who heard it (present or represented).
    present = {p.pk: p for p in taking_part(consultation)}
    if organisation is None or not any(
        p.organisation_id == organisation.pk for p in present.values()
    ):
        errors["organisation"] = [_("Choose the organisation of one of the participants.")]
    if shared_by is None or shared_by.pk not in present:
        errors["shared_by"] = [
            _("Choose the participant who shared it: present or represented at the meeting.")
        ]
    elif organisation is not None and shared_by.organisation_id != organisation.pk:
        errors["shared_by"] = [_("This participant does not represent that organisation.")]
    if not content.strip():
        errors["content"] = [_("Write down what was shared.")]
    if client_consent not in Consent.values:
        errors["client_consent"] = [_("Say whether the client consented.")]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    assert organisation is not None and shared_by is not None
    disclosure = Disclosure(
        agenda_item=agenda_item,
        organisation=organisation,
        shared_by=shared_by,
        content=content.strip(),
        shared_with=participants_snapshot(consultation.pk),
        legal_basis_id=consultation.legal_basis_id,
        client_consent=client_consent,
        recorded_by=by,
    )
    attribute(disclosure, by)
    disclosure.save()
    # Ids only: what was shared stays in the minutes, never in the audit trail.
    audit.record(
        user=by,
        action=AuditAction.CHANGE,
        obj=disclosure,
        case_id=agenda_item.case_id,
        purpose=DISCLOSURE_PURPOSE,
        detail={
            "consultation": consultation.pk,
            "agenda_item": agenda_item.pk,
            "organisation": organisation.pk,
            "shared_by": shared_by.pk,
            "legal_basis": consultation.legal_basis_id,
            "consent": str(client_consent),
        },
    )
    return disclosure


@transaction.atomic
def agenda_item_record_decisions(
    *, agenda_item: AgendaItem, by: User, expected_version: int, decisions: str
) -> AgendaItem:
    """The decisions on an agenda case; recording them marks the case as discussed."""
    _check_may_record(by, agenda_item)
    current = locked_for_update(agenda_item, expected_version)
    text = decisions.strip()
    if not text:
        raise ValidationError({"decisions": [_("Write down what was decided.")]})
    first_minutes = not (current.discussed and current.decisions.strip())
    current.decisions = text
    current.discussed = True
    save_versioned(current, by)
    if first_minutes:
        consultation = agenda_item.consultation
        record_event(
            case=agenda_item.case,
            kind=EventKind.CONSULTATION_HELD,
            actor=by,
            summary=_("Case consultation of %(date)s")
            % {
                "date": formats.date_format(
                    timezone.localtime(consultation.scheduled_at), "SHORT_DATE_FORMAT"
                )
            },
        )
    return current


@transaction.atomic
def consultation_action_add(
    *,
    agenda_item: AgendaItem,
    by: User,
    description: str,
    due_on: datetime.date | None,
    assignee_user: User | None = None,
    assignee_organisation: Organisation | None = None,
) -> ConsultationAction:
    """An action decided in the consultation: a case action, linked to the agenda item."""
    _check_may_record(by, agenda_item)
    action = case_action_add(
        case=agenda_item.case,
        by=by,
        description=description,
        due_on=due_on,  # type: ignore[arg-type]
        assignee_user=assignee_user,
        assignee_organisation=assignee_organisation,
    )
    return ConsultationAction.objects.create(agenda_item=agenda_item, case_action=action)


@transaction.atomic
def plan_review_record(
    *,
    agenda_item: AgendaItem,
    by: User,
    outcome: str,
    next_evaluation_on: datetime.date | None,
) -> PlanReview:
    """The consultation's review of the agenda case's plan of approach: one per agenda item.
    The plan's next evaluation date follows it, and the case's timeline says so."""
    _check_may_record(by, agenda_item)
    item = locked_for_update(agenda_item, None)
    plan = PlanOfApproach.objects.filter(case_id=item.case_id).first()
    if plan is None:
        raise ValidationError(_("This case has no plan of approach to review."))
    if PlanReview.objects.filter(agenda_item=item).exists():
        raise ValidationError(
            _("The review of the plan is already recorded for this consultation.")
        )
    reviewed_on = timezone.localdate(item.consultation.scheduled_at)
    errors: dict[str, list[str]] = {}
    if not outcome.strip():
        errors["outcome"] = [_("Write down the outcome of the review and what was decided.")]
    if next_evaluation_on is None:
        errors["next_evaluation_on"] = [_("Give the date of the next evaluation.")]
    else:
        check_dates({"next_evaluation_on": (next_evaluation_on, DateKind.PLANNED)})
        if next_evaluation_on <= reviewed_on:
            errors["next_evaluation_on"] = [_("The next evaluation lies after the consultation.")]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    assert next_evaluation_on is not None
    review = PlanReview(
        agenda_item=item,
        plan=plan,
        reviewed_on=reviewed_on,
        outcome=outcome.strip(),
        next_evaluation_on=next_evaluation_on,
        recorded_by=by,
    )
    attribute(review, by).save()
    plan_review_noted(
        plan=plan, by=by, reviewed_on=reviewed_on, next_evaluation_on=next_evaluation_on
    )
    return review
