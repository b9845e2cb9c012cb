"""Reads of registrations by partners and of the triage queue (issue 19), all through
``access.policy.restrict_registrations``. The current status is the latest dated record."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language

from access.policy import (
    Action,
    may_correct_registration,
    may_decide_registration,
    restrict_consultations,
    restrict_registrations,
)
from accounts.models import User

from ..models import (
    Registration,
    RegistrationAttachment,
    RegistrationPerson,
    RegistrationStatus,
    RegistrationStatusRecord,
    ScreeningNote,
)
from ..models.registrations import CORRECTION_REASON

OPEN_STATUSES = (
    RegistrationStatus.RECEIVED,
    RegistrationStatus.IN_TRIAGE,
    RegistrationStatus.WAITING_LIST,
)
# How long a withdrawn registration stays in the triage queue (as withdrawn, not decidable).
WITHDRAWN_SHOWN_DAYS = 14


def consultation_model() -> Any:
    """The consultation model (``consultations``, a layer above: never imported here), as the
    decision's foreign key names it."""
    return RegistrationStatusRecord._meta.get_field("consultation").related_model


def triage_consultations(registration: Registration) -> QuerySet[Any] | None:
    """The triage-table consultations a decision on ``registration`` may be taken at: not
    cancelled, begun (by their day), with it on their agenda; None when it is on no triage
    table's agenda at all. Read through the registration's reverse relation and the
    consultation's own properties (``is_triage``, ``is_cancelled``)."""
    model = consultation_model()
    on_agendas = list(
        model._default_manager.filter(
            pk__in=registration.triage_items.values("consultation_id")  # type: ignore[attr-defined]
        )
    )
    if not on_agendas:
        return None
    today = timezone.localdate()
    usable = [
        c.pk
        for c in on_agendas
        if c.is_triage and not c.is_cancelled and timezone.localdate(c.scheduled_at) <= today
    ]
    return model._default_manager.filter(pk__in=usable).order_by("-scheduled_at")  # type: ignore[no-any-return]


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
        current_reason=Subquery(latest.values("reason__name_nl")[:1]),
        current_reason_en=Subquery(latest.values("reason__name_en")[:1]),
    )


def registration_is_open(registration: Registration) -> bool:
    """Not decided (taken on or not) and not withdrawn: received, in triage, waiting list."""
    latest = (
        RegistrationStatusRecord.objects.filter(registration=registration)
        .order_by("-recorded_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return latest in OPEN_STATUSES


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
    is_withdrawn: bool = False


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
                    _reason_label(registration),
                ),
                waiting_days=(today - timezone.localdate(registration.registered_at)).days,
                waiting_since=registration.status_since if is_waiting else None,  # type: ignore[attr-defined]
                is_waiting=is_waiting,
                is_open=status in OPEN_STATUSES,
                people=people.get(registration.pk, []),
                is_withdrawn=status == RegistrationStatus.WITHDRAWN,
            )
        )
    return rows


def _reason_label(registration: Registration) -> str | None:
    """The current reason's name in the user's language (annotated by with_current_status)."""
    english = (get_language() or "").startswith("en")
    return (
        registration.current_reason_en  # type: ignore[attr-defined]
        if english
        else registration.current_reason  # type: ignore[attr-defined]
    )


def status_label(status: str | None, track: int | None, reason: str | None) -> str:
    """What the registrant and the queue read: "Taken on in track 3", "Not taken on: ...";
    ``reason``: the reason's name (the managed list's label)."""
    from django.utils.translation import gettext as _

    if status == RegistrationStatus.TAKEN_ON:
        return _("Taken on in track %(track)s") % {"track": track}
    if status == RegistrationStatus.NOT_TAKEN_ON:
        return _("Not taken on: %(reason)s") % {"reason": reason or ""}
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
        # Open ones, and those withdrawn lately (shown as withdrawn, not decidable).
        recently = timezone.now() - datetime.timedelta(days=WITHDRAWN_SHOWN_DAYS)
        queryset = queryset.filter(  # type: ignore[misc]
            Q(current_status__in=OPEN_STATUSES)
            | Q(current_status=RegistrationStatus.WITHDRAWN, status_since__gte=recently)
        )
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
    # The registrant's organisation may still correct or withdraw it (not decided yet).
    may_correct: bool = False
    # Corrections: (when, by whom) of each change after the registration was made.
    corrections: list[Any] = field(default_factory=list)


def registration_detail(*, registration: Registration, user: User) -> Detail:
    """One registration as ``user`` may see it: the screening notes for the triage only."""
    row = _rows(with_current_status(Registration.objects.filter(pk=registration.pk)))[0]
    may_decide = may_decide_registration(user, registration)
    history = list(
        restrict_registrations(
            RegistrationStatusRecord.objects.filter(registration=registration), user
        ).select_related(
            "recorded_by", "lead_organisation", "case_director", "reason", "consultation"
        )
    )
    for record in history:
        # The triage table sees where a decision was taken, linked when it may open that
        # consultation; the registrant's organisation does not (the table's work).
        record.consultation_shown = record.consultation if may_decide else None  # type: ignore[attr-defined]
        record.consultation_link = bool(  # type: ignore[attr-defined]
            may_decide
            and record.consultation_id
            and restrict_consultations(
                consultation_model()._default_manager.filter(pk=record.consultation_id), user
            ).exists()
        )
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
        history=history,
        notes=notes,
        may_decide=may_decide,
        may_correct=row.is_open and may_correct_registration(user, registration),
        corrections=[
            (entry.history_date, entry.history_user)
            for entry in registration.history.filter(  # type: ignore[attr-defined]
                history_change_reason=CORRECTION_REASON
            )
            .select_related("history_user")
            .order_by("history_date")
        ],
    )
