"""Planning a consultation: the meeting, its participants, the secrecy duty and the agenda.

Every change that affects who may see what (participants, agenda, date, cancellation) grants
or ends consultation access in the same transaction, through :mod:`.access`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Action, is_active_case_director, may_hold_case_access, restrict
from accounts.models import User
from cases.models import Case, Status
from common.dates import DateKind, check_date
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation

from ..models import (
    AccessEndReason,
    AgendaItem,
    Consultation,
    ConsultationAccess,
    ConsultationKind,
    ConsultationStatus,
    LegalBasis,
    Participant,
)
from . import access, reminders
from .legal_bases import check_usable, valid_legal_bases


def _check_place(location: str, is_online: bool) -> None:
    if not is_online and not location.strip():
        raise ValidationError({"location": _("Give a place, or mark the consultation online.")})


def _check_legal_basis(legal_basis: LegalBasis | None, scheduled_at: datetime.datetime) -> None:
    day = timezone.localtime(scheduled_at).date()
    if legal_basis is not None:
        check_usable(legal_basis)
    if legal_basis is None or not valid_legal_bases(day).filter(pk=legal_basis.pk).exists():
        raise ValidationError(
            {
                "legal_basis": _(
                    "A consultation needs an active legal basis that is valid on the day of "
                    "the meeting."
                )
            }
        )


def _check_planned(consultation: Consultation) -> None:
    if not consultation.is_planned:
        raise ValidationError(_("Only a planned consultation can be changed."))


def _check_basis_still_usable(consultation: Consultation) -> None:
    """Nobody and no case is added under an authorisation that awaits the parket's
    confirmation (read afresh by ``check_usable``: it may have been widened since)."""
    check_usable(consultation.legal_basis, field="__all__")


def _check_staff_participant(user: User, legal_basis: LegalBasis) -> int:
    """Refuse a user who may not take part under ``legal_basis``; otherwise return the
    organisation they take part for."""
    if not may_hold_case_access(user):
        raise ValidationError({"user": _("This account cannot take part in a consultation.")})
    if (
        user.organisation_id is None
        or not legal_basis.allowed_organisations.filter(pk=user.organisation_id).exists()
    ):
        raise ValidationError(
            {
                "user": _(
                    "The legal basis of this consultation does not allow this person's "
                    "organisation to take part."
                )
            }
        )
    return user.organisation_id


@transaction.atomic
def consultation_create(
    *,
    by: User,
    legal_basis: LegalBasis | None,
    scheduled_at: datetime.datetime,
    location: str = "",
    is_online: bool = False,
    notes: str = "",
    secrecy_confirmed: bool,
    chair: User | None = None,
    kind: ConsultationKind | str | None = ConsultationKind.EXPERT,
) -> Consultation:
    """The creator chairs unless told otherwise; the chair takes part and confirms secrecy."""
    kind = kind or ConsultationKind.EXPERT
    if kind not in ConsultationKind.values:
        raise ValidationError({"kind": _("Choose the kind of consultation.")})
    chair = chair or by
    if not is_active_case_director(by):
        raise ValidationError(_("Only a case director can plan a consultation."))
    if not is_active_case_director(chair):
        raise ValidationError({"chair": _("The chair must be a case director.")})
    check_date(scheduled_at, DateKind.PLANNED, field="scheduled_at")
    _check_legal_basis(legal_basis, scheduled_at)
    assert legal_basis is not None
    _check_place(location, is_online)
    if not secrecy_confirmed and chair == by:
        raise ValidationError(
            {"secrecy_confirmed": _("Confirm the duty of secrecy to chair the consultation.")}
        )
    chair_organisation_id = _check_staff_participant(chair, legal_basis)
    consultation = Consultation(
        kind=kind,
        legal_basis=legal_basis,
        scheduled_at=scheduled_at,
        location=location.strip(),
        is_online=is_online,
        notes=notes,
        chair=chair,
        created_by=by,
    )
    save_versioned(consultation, by, bump=False)
    participant = Participant(
        consultation=consultation,
        user=chair,
        organisation_id=chair_organisation_id,
        secrecy_confirmed_at=timezone.now() if secrecy_confirmed and chair == by else None,
        added_by=by,
    )
    attribute(participant, by)
    participant.save()
    if chair != by:
        reminders.invite(participant)
    return consultation


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    by: User,
    version: int | None,
    scheduled_at: datetime.datetime,
    location: str = "",
    is_online: bool = False,
    notes: str = "",
    kind: ConsultationKind | str | None = None,
) -> Consultation:
    """Rescheduling moves every open access window: old rows end, new ones are granted.
    The kind changes only while the agenda is empty (its rules decided what is on it)."""
    current = locked_for_update(consultation, version)
    _check_planned(current)
    _check_place(location, is_online)
    if kind is not None and kind != current.kind:
        if kind not in ConsultationKind.values:
            raise ValidationError({"kind": _("Choose the kind of consultation.")})
        if (
            current.agenda_items.filter(removed_at__isnull=True).exists()
            or current.triage_items.exists()
        ):
            raise ValidationError(
                {"kind": _("The kind of consultation cannot change once its agenda holds items.")}
            )
        current.kind = kind
    moved = current.scheduled_at != scheduled_at
    if moved:
        # Also keeps the access window (days after the meeting) far from datetime.max.
        check_date(scheduled_at, DateKind.PLANNED, field="scheduled_at")
        _check_legal_basis(current.legal_basis, scheduled_at)
    current.scheduled_at = scheduled_at
    current.location = location.strip()
    current.is_online = is_online
    current.notes = notes
    save_versioned(current, by)
    if moved:
        access.end_accesses(
            accesses=ConsultationAccess.objects.filter(agenda_item__consultation=current),
            by=by,
            reason=AccessEndReason.RESCHEDULED,
        )
        access.grant_for_consultation(consultation=current, by=by, reason="rescheduled")
    return current


@transaction.atomic
def consultation_cancel(*, consultation: Consultation, by: User) -> Consultation:
    current = locked_for_update(consultation, None)
    _check_planned(current)
    current.status = ConsultationStatus.CANCELLED
    save_versioned(current, by)
    access.end_accesses(
        accesses=ConsultationAccess.objects.filter(agenda_item__consultation=current),
        by=by,
        reason=AccessEndReason.CANCELLED,
    )
    return current


@transaction.atomic
def consultation_mark_held(*, consultation: Consultation, by: User) -> Consultation:
    """Held, not closed: access stays open until the window ends, for the minutes."""
    current = locked_for_update(consultation, None)
    _check_planned(current)
    if current.scheduled_at > timezone.now():
        raise ValidationError(_("A consultation cannot be marked held before it starts."))
    current.status = ConsultationStatus.HELD
    save_versioned(current, by)
    return current


@transaction.atomic
def participant_add_user(*, consultation: Consultation, by: User, user: User) -> Participant:
    _check_planned(consultation)
    _check_basis_still_usable(consultation)
    organisation_id = _check_staff_participant(user, consultation.legal_basis)
    existing = Participant.objects.select_for_update().filter(consultation=consultation, user=user)
    participant = existing.first()
    if participant is not None and participant.removed_at is None:
        raise ValidationError({"user": _("This person already takes part.")})
    if participant is None:
        participant = Participant(consultation=consultation, user=user, added_by=by)
    else:
        # Taking part again: the duty of secrecy is confirmed again before anything shows.
        participant.removed_at = None
        participant.secrecy_confirmed_at = None
        participant.added_by = by
    participant.organisation_id = organisation_id
    attribute(participant, by)
    participant.save()
    access.grant_for_participant(participant=participant, by=by)
    if user != by:
        reminders.invite(participant)
    return participant


@transaction.atomic
def participant_add_named(
    *, consultation: Consultation, by: User, name: str, organisation: Organisation
) -> Participant:
    """A representative without an account: on the list and in the minutes, never access."""
    _check_planned(consultation)
    _check_basis_still_usable(consultation)
    if not name.strip():
        raise ValidationError({"name": _("Give the representative's name.")})
    if not consultation.legal_basis.allowed_organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(
            {
                "organisation": _(
                    "The legal basis of this consultation does not allow this organisation "
                    "to take part."
                )
            }
        )
    participant = Participant(
        consultation=consultation, name=name.strip(), organisation=organisation, added_by=by
    )
    attribute(participant, by)
    participant.save()
    return participant


@transaction.atomic
def participant_remove(*, participant: Participant, by: User) -> Participant:
    current = Participant.objects.select_for_update().get(pk=participant.pk)
    if current.removed_at is not None:
        return current
    if current.is_chair:
        raise ValidationError(_("The chair cannot be removed from the consultation."))
    current.removed_at = timezone.now()
    attribute(current, by)
    current.save()
    access.end_accesses(
        accesses=current.accesses.all(), by=by, reason=AccessEndReason.PARTICIPANT_REMOVED
    )
    return current


@transaction.atomic
def secrecy_confirm(*, consultation: Consultation, user: User) -> Participant:
    participant = (
        Participant.objects.select_for_update()
        .filter(consultation=consultation, user=user, removed_at__isnull=True)
        .first()
    )
    if participant is None:
        raise ValidationError(_("You do not take part in this consultation."))
    if participant.secrecy_confirmed_at is None:
        participant.secrecy_confirmed_at = timezone.now()
        attribute(participant, user)
        participant.save()
    return participant


def was_on_earlier_agenda(consultation: Consultation, case: Case) -> bool:
    """The case was on the agenda of a consultation (not cancelled) before this one."""
    return (
        AgendaItem.objects.filter(
            case=case,
            removed_at__isnull=True,
            consultation__scheduled_at__lt=consultation.scheduled_at,
        )
        .exclude(consultation=consultation)
        .exclude(consultation__status=ConsultationStatus.CANCELLED)
        .exists()
    )


def check_agenda_rules(consultation: Consultation, case: Case) -> None:
    """The agenda rules of each kind: a triage table discusses registrations (see
    ``services.craft.triage_item_add``), a follow-up consultation only cases that were on an
    earlier agenda, an expert table any case its director steers."""
    if consultation.kind == ConsultationKind.TRIAGE:
        raise ValidationError(
            {
                "case": _(
                    "A triage table discusses registrations, not cases: put a registration "
                    "awaiting triage on its agenda."
                )
            }
        )
    if consultation.kind == ConsultationKind.FOLLOW_UP and not was_on_earlier_agenda(
        consultation, case
    ):
        raise ValidationError(
            {"case": _("A follow-up consultation only takes cases that were on an earlier agenda.")}
        )


@transaction.atomic
def agenda_item_add(
    *, consultation: Consultation, by: User, case: Case, reason: str = ""
) -> AgendaItem:
    """Only a case the acting user may change goes on the agenda."""
    _check_planned(consultation)
    _check_basis_still_usable(consultation)
    if not restrict(Case.objects.filter(pk=case.pk), by, Action.CHANGE).exists():
        # Worded like "not found": the agenda form must not reveal cases out of scope.
        raise ValidationError({"case": _("Choose a case you steer.")})
    check_agenda_rules(consultation, case)
    if case.status == Status.CLOSED:
        raise ValidationError({"case": _("A closed case cannot go on the agenda.")})
    item = (
        AgendaItem.objects.select_for_update().filter(consultation=consultation, case=case).first()
    )
    if item is not None and item.removed_at is None:
        raise ValidationError({"case": _("This case is already on the agenda.")})
    last = consultation.agenda_items.filter(removed_at__isnull=True).aggregate(last=Max("order"))
    if item is None:
        item = AgendaItem(consultation=consultation, case=case, added_by=by)
    else:
        # Back on the agenda: the same row, so earlier access rows and minutes stay linked.
        item.removed_at = None
        item.added_by = by
    item.order = (last["last"] or 0) + 1
    item.reason = reason[:300]
    save_versioned(item, by, bump=item.pk is not None)
    access.grant_for_agenda_item(item=item, by=by)
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User) -> AgendaItem:
    """Access ends at once. The row stays (access rows and minutes refer to it)."""
    current = locked_for_update(item, None)
    _check_planned(current.consultation)
    if current.removed_at is not None:
        return current
    current.removed_at = timezone.now()
    save_versioned(current, by)
    access.end_accesses(accesses=current.accesses.all(), by=by, reason=AccessEndReason.ITEM_REMOVED)
    return current


@transaction.atomic
def agenda_item_update(
    *, item: AgendaItem, by: User, version: int | None, summary: str
) -> AgendaItem:
    """The summary only: decisions belong to the minutes (``services.minutes``)."""
    current = locked_for_update(item, version)
    current.summary = summary
    save_versioned(current, by)
    return current


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by: User, up: bool) -> None:
    items = list(
        item.consultation.agenda_items.select_for_update()
        .filter(removed_at__isnull=True)
        .order_by("order", "id")
    )
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if up else index + 1
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        if other.order != position:
            other.order = position
            save_versioned(other, by, bump=False)
