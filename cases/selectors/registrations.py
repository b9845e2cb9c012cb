"""Reads of registrations by partners and of the triage queue (issue 19), all through
``access.policy.restrict_registrations``. The current status is the latest dated record."""

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from access.policy import Action, may_decide_registration, restrict_registrations
from accounts.models import User

from ..models import (
    Registration,
    RegistrationAttachment,
    RegistrationPerson,
    RegistrationStatus,
    RegistrationStatusRecord,
    ScreeningNote,
)

OPEN_STATUSES = (
    RegistrationStatus.RECEIVED,
    RegistrationStatus.IN_TRIAGE,
    RegistrationStatus.WAITING_LIST,
)


def with_current_status(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotate the latest status record: ``current_status``, ``status_since``, and for a
    decision its ``current_track`` and ``current_reason`` (one query for any number of rows)."""
    latest = RegistrationStatusRecord.objects.filter(registration_id=OuterRef("pk")).order_by(
        "-recorded_at", "-id"
    )
    return queryset.annotate(
        current_status=Subquery(latest.values("status")[:1]),
        status_since=Subquery(latest.values("recorded_at")[:1]),
        current_track=Subquery(latest.values("track")[:1]),
        current_reason=Subquery(latest.values("reason")[:1]),
    )


@dataclass
class Row:
    """A registration in a list, with what the list shows of its status."""

    registration: Registration
    status_label: str
    waiting_days: int
    waiting_since: Any
    is_waiting: bool
    is_open: bool
    people: list[RegistrationPerson]


def _rows(queryset: QuerySet[Registration]) -> list[Row]:
    today = timezone.localdate()
    registrations = list(queryset)
    people: dict[int, list[RegistrationPerson]] = {}
    for person in RegistrationPerson.objects.filter(
        registration_id__in=[r.pk for r in registrations]
    ).order_by("id"):
        people.setdefault(person.registration_id, []).append(person)
    rows = []
    for registration in registrations:
        status = registration.current_status  # type: ignore[attr-defined]
        is_waiting = status == RegistrationStatus.WAITING_LIST
        rows.append(
            Row(
                registration=registration,
                status_label=status_label(
                    status,
                    registration.current_track,  # type: ignore[attr-defined]
                    registration.current_reason,  # type: ignore[attr-defined]
                ),
                waiting_days=(today - timezone.localdate(registration.registered_at)).days,
                waiting_since=registration.status_since if is_waiting else None,  # type: ignore[attr-defined]
                is_waiting=is_waiting,
                is_open=status in OPEN_STATUSES,
                people=people.get(registration.pk, []),
            )
        )
    return rows


def status_label(status: str | None, track: int | None, reason: str | None) -> str:
    """What the registrant and the queue read: "Taken on in track 3", "Not taken on: ..."."""
    from django.utils.translation import gettext as _

    from ..models import NotTakenOnReason

    if status == RegistrationStatus.TAKEN_ON:
        return _("Taken on in track %(track)s") % {"track": track}
    if status == RegistrationStatus.NOT_TAKEN_ON:
        return _("Not taken on: %(reason)s") % {
            "reason": NotTakenOnReason(reason).label if reason else ""
        }
    return str(RegistrationStatus(status).label) if status else ""


def my_registrations(*, user: User) -> list[Row]:
    """The registrations of the user's own organisation, as the registrant sees them."""
    queryset = restrict_registrations(
        Registration.objects.filter(registrant_organisation_id=user.organisation_id), user
    ).select_related("registered_by", "owner_organisation")
    return _rows(with_current_status(queryset).order_by("-registered_at", "-id"))


def triage_queue(*, user: User, show_all: bool = False) -> list[Row]:
    """The registrations addressed to the user's organisation that the triage table still has
    to decide (received, in triage, waiting list), oldest first; ``show_all``: every one."""
    queryset = with_current_status(
        restrict_registrations(
            Registration.objects.filter(owner_organisation_id=user.organisation_id),
            user,
            Action.CHANGE,
        ).select_related("registrant_organisation")
    )
    if not show_all:
        queryset = queryset.filter(current_status__in=OPEN_STATUSES)  # type: ignore[misc]
    return _rows(queryset.order_by("registered_at", "id"))


@dataclass
class Detail:
    registration: Registration
    status: Row
    people: list[RegistrationPerson]
    attachments: list[RegistrationAttachment]
    history: list[RegistrationStatusRecord]
    notes: list[ScreeningNote]
    may_decide: bool


def registration_detail(*, registration: Registration, user: User) -> Detail:
    """One registration as ``user`` may see it: the screening notes for the triage only."""
    row = _rows(with_current_status(Registration.objects.filter(pk=registration.pk)))[0]
    may_decide = may_decide_registration(user, registration)
    notes = (
        list(
            restrict_registrations(
                ScreeningNote.objects.filter(registration=registration), user
            ).select_related("author")
        )
        if may_decide
        else []
    )
    return Detail(
        registration=registration,
        status=row,
        people=row.people,
        attachments=list(
            restrict_registrations(
                RegistrationAttachment.objects.filter(registration=registration), user
            )
        ),
        history=list(
            restrict_registrations(
                RegistrationStatusRecord.objects.filter(registration=registration), user
            ).select_related("recorded_by", "lead_organisation", "case_director")
        ),
        notes=notes,
        may_decide=may_decide,
    )
