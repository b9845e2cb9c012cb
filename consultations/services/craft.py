"""Consultation craft: the attendance register, a secrecy confirmation given to the chair on
paper or orally, the review date that brings an agenda case back, and the registrations on a
triage table's agenda.

The register, not the invitation list, says who took part: the minutes list it and the
disclosures may only be made by and to participants present or represented. A consultation
whose register was never kept (older ones) falls back to the invitation list.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access import audit
from access.models import AuditAction
from access.policy import Action, is_permitted, restrict_registrations
from accounts.models import User
from cases.models import Registration
from cases.selectors.registrations import OPEN_STATUSES, with_current_status
from common.dates import DateKind, check_dates
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation

from ..models import (
    AgendaItem,
    Attendance,
    Consultation,
    ConsultationKind,
    Participant,
    SecrecyMethod,
    TriageItem,
)

SECRECY_PURPOSE = "duty of secrecy recorded by the chair"
ATTENDANCE_PURPOSE = "attendance register recorded"


def _check_chair(consultation: Consultation, by: User) -> None:
    if consultation.chair_id != by.pk:
        raise PermissionDenied


@dataclass(frozen=True)
class AttendanceEntry:
    attendance: str
    represented_by_name: str = ""
    represented_by_organisation: Organisation | None = None


@transaction.atomic
def attendance_record(
    *,
    consultation: Consultation,
    by: User,
    version: int | None,
    entries: dict[int, AttendanceEntry],
) -> Consultation:
    """The chair records, per participant, present, apologised or represented (by whom, of
    which organisation). Recorded once the meeting has started; a cancelled one has none."""
    _check_chair(consultation, by)
    current = locked_for_update(consultation, version)
    if current.is_cancelled:
        raise ValidationError(_("A cancelled consultation has no attendance register."))
    if current.scheduled_at > timezone.now():
        raise ValidationError(_("The attendance is recorded once the consultation has started."))
    participants = {
        p.pk: p
        for p in Participant.objects.select_for_update().filter(
            consultation=current, removed_at__isnull=True
        )
    }
    allowed = set(current.legal_basis.allowed_organisations.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    for pk, entry in entries.items():
        participant = participants.get(pk)
        if participant is None:
            continue
        if entry.attendance not in Attendance.values:
            errors[f"attendance_{pk}"] = [_("Say whether this participant was present.")]
        elif entry.attendance == Attendance.REPRESENTED:
            if not entry.represented_by_name.strip():
                errors[f"represented_by_name_{pk}"] = [_("Give the representative's name.")]
            organisation = entry.represented_by_organisation
            if organisation is None or organisation.pk not in allowed:
                errors[f"represented_by_organisation_{pk}"] = [
                    _(
                        "Choose the representative's organisation: one the legal basis allows "
                        "to take part."
                    )
                ]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    for pk, entry in entries.items():
        participant = participants.get(pk)
        if participant is None:
            continue
        represented = entry.attendance == Attendance.REPRESENTED
        name = entry.represented_by_name.strip() if represented else ""
        organisation = entry.represented_by_organisation if represented else None
        changed_representative = (
            name != participant.represented_by_name
            or (organisation.pk if organisation else None)
            != participant.represented_by_organisation_id
        )
        if participant.attendance == entry.attendance and not changed_representative:
            continue
        participant.attendance = entry.attendance
        participant.represented_by_name = name
        participant.represented_by_organisation = organisation
        if changed_representative:
            # Another representative confirms the duty of secrecy anew.
            participant.representative_secrecy_at = None
            participant.representative_secrecy_method = ""
        attribute(participant, by)
        participant.save()
    save_versioned(current, by)
    audit.record(
        user=by,
        action=AuditAction.CHANGE,
        obj=current,
        purpose=ATTENDANCE_PURPOSE,
        detail={"participants": sorted(entries)},
    )
    return current


@transaction.atomic
def secrecy_record_given(
    *,
    consultation: Consultation,
    by: User,
    participant: Participant | None,
    for_representative: bool,
    given_at: datetime.datetime | None,
    method: SecrecyMethod | str,
) -> Participant:
    """The chair records that a person without an account confirmed the duty of secrecy on
    paper or orally: a representative without an account on the list, or the one who
    represents a participant. It counts like the confirmation in the application."""
    _check_chair(consultation, by)
    if consultation.is_cancelled:
        raise ValidationError(_("A cancelled consultation takes no confirmations."))
    errors: dict[str, list[str]] = {}
    current = None
    if participant is not None and participant.consultation_id == consultation.pk:
        current = (
            Participant.objects.select_for_update()
            .filter(pk=participant.pk, removed_at__isnull=True)
            .first()
        )
    if current is None:
        errors["who"] = [_("Choose who confirmed the duty of secrecy.")]
    elif for_representative:
        if current.attendance != Attendance.REPRESENTED or not current.represented_by_name:
            errors["who"] = [
                _("Record in the attendance register who represented this participant first.")
            ]
    elif current.user_id is not None:
        errors["who"] = [
            _("A participant with an account confirms the duty of secrecy in the application.")
        ]
    if method not in (SecrecyMethod.PAPER, SecrecyMethod.ORAL):
        errors["method"] = [_("Say whether it was confirmed on paper or orally.")]
    if given_at is None:
        errors["given_at"] = [_("Give when the duty of secrecy was confirmed.")]
    elif given_at > timezone.now():
        errors["given_at"] = [_("A confirmation cannot lie in the future.")]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    assert current is not None
    if for_representative:
        current.representative_secrecy_at = given_at
        current.representative_secrecy_method = method
    else:
        current.secrecy_confirmed_at = given_at
        current.secrecy_method = method
    attribute(current, by)
    current.save()
    audit.record(
        user=by,
        action=AuditAction.CHANGE,
        obj=consultation,
        purpose=SECRECY_PURPOSE,
        detail={
            "participant": current.pk,
            "representative": for_representative,
            "method": str(method),
        },
    )
    return current


@transaction.atomic
def agenda_item_set_review(
    *, item: AgendaItem, by: User, version: int | None, review_on: datetime.date | None
) -> AgendaItem:
    """The date from which the case returns to a later agenda (None: no review)."""
    if not is_permitted(by, item, Action.CHANGE):
        raise PermissionDenied
    current = locked_for_update(item, version)
    if current.removed_at is not None:
        raise ValidationError(_("This case is no longer on the agenda."))
    if review_on is not None:
        check_dates({"review_on": (review_on, DateKind.PLANNED)})
        if review_on <= timezone.localdate(current.consultation.scheduled_at):
            raise ValidationError(
                {"review_on": [_("The review date lies after this consultation.")]}
            )
    current.review_on = review_on
    save_versioned(current, by)
    return current


def registrations_awaiting_triage(*, consultation: Consultation, user: User) -> list[Registration]:
    """The registrations the user's triage table may decide that await a decision and are not
    on this agenda yet: a triage table's suggestions."""
    on_agenda = TriageItem.objects.filter(consultation=consultation).values("registration_id")
    queryset = with_current_status(
        restrict_registrations(Registration.objects.all(), user, Action.CHANGE)
    ).exclude(pk__in=on_agenda)
    return list(
        queryset.filter(current_status__in=OPEN_STATUSES).order_by("registered_at", "pk")  # type: ignore[misc]
    )


@transaction.atomic
def triage_item_add(
    *, consultation: Consultation, by: User, registration: Registration | None
) -> TriageItem:
    """A registration awaiting triage goes on a planned triage table's agenda; only its own
    triage table (who may decide it) puts it there."""
    if consultation.kind != ConsultationKind.TRIAGE:
        raise ValidationError(_("Only a triage table puts registrations on its agenda."))
    if not consultation.is_planned:
        raise ValidationError(_("Only a planned consultation can be changed."))
    if registration is None or not any(
        r.pk == registration.pk
        for r in registrations_awaiting_triage(consultation=consultation, user=by)
    ):
        # Worded like "not found": no oracle on other tables' registrations.
        raise ValidationError(
            {"registration": _("Choose a registration awaiting triage that your table decides.")}
        )
    last = consultation.triage_items.aggregate(last=Max("order"))
    item = TriageItem(
        consultation=consultation,
        registration=registration,
        order=(last["last"] or 0) + 1,
        added_by=by,
    )
    attribute(item, by).save()
    return item
