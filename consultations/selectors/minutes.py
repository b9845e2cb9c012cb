"""Reads for the minutes of a consultation and its agenda and minutes documents."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from access.policy import Action, restrict_consultation_view, restrict_registrations
from accounts.models import User
from cases.models import PlanOfApproach, RegistrationStatusRecord
from cases.selectors.registrations import status_label

from ..models import (
    AgendaItem,
    Attendance,
    Consultation,
    ConsultationAction,
    Disclosure,
    Participant,
    PlanReview,
    TriageItem,
)


def item_disclosures(agenda_item: AgendaItem) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(agenda_item=agenda_item).select_related(
        "organisation", "shared_by__user", "shared_by__organisation", "recorded_by"
    )


def item_actions(agenda_item: AgendaItem) -> QuerySet[ConsultationAction]:
    return (
        ConsultationAction.objects.filter(agenda_item=agenda_item)
        .select_related("case_action__assignee_user", "case_action__assignee_organisation")
        .order_by("case_action__due_on", "pk")
    )


def register_kept(consultation: Consultation) -> bool:
    """Whether the chair kept the attendance register (else the invitation list stands in)."""
    return consultation.participants.filter(removed_at__isnull=True).exclude(attendance="").exists()


def taking_part(consultation: Consultation) -> list[Participant]:
    """Who the minutes and the disclosures count: present or represented per the register;
    every invited participant while no register was kept."""
    participants = list(
        Participant.objects.filter(consultation=consultation, removed_at__isnull=True)
        .select_related("user", "organisation", "represented_by_organisation")
        .order_by("organisation__name", "id")
    )
    if not any(p.attendance for p in participants):
        return participants
    return [p for p in participants if p.takes_part]


def current_participants(consultation: Consultation) -> QuerySet[Participant]:
    return Participant.objects.filter(
        consultation=consultation, removed_at__isnull=True
    ).select_related("user", "organisation")


@dataclass
class AttendanceRegister:
    """The attendance register as the minutes show it. ``kept`` False: the chair recorded
    none (older consultations), and the minutes list the invitation list with a note."""

    kept: bool
    present: list[Participant] = field(default_factory=list)
    apologised: list[Participant] = field(default_factory=list)
    represented: list[Participant] = field(default_factory=list)
    not_recorded: list[Participant] = field(default_factory=list)


def attendance_register(participants: list[Participant]) -> AttendanceRegister:
    """Sorts the current participants (loaded with organisation and representative's
    organisation) by the register."""
    register = AttendanceRegister(kept=any(p.attendance for p in participants))
    lists = {
        Attendance.PRESENT: register.present,
        Attendance.APOLOGISED: register.apologised,
        Attendance.REPRESENTED: register.represented,
    }
    for participant in participants:
        lists.get(participant.attendance, register.not_recorded).append(participant)  # type: ignore[call-overload]
    return register


@dataclass
class TriageLine:
    """A registration on a triage table's agenda as its minutes show it: the reference, and
    the decision taken at this table (what, the track, the lead organisation) — no person,
    no registrant's description, no free-text explanation (it may name people)."""

    reference: str
    registration_id: int
    decision: RegistrationStatusRecord | None
    decision_label: str = ""
    # For the agenda: when it came in and from which organisation (no person).
    registered_at: datetime.datetime | None = None
    registrant_organisation: str = ""


def triage_lines(*, consultation: Consultation, user: User) -> tuple[list[TriageLine], int]:
    """The registrations on a triage table's agenda that ``user``'s triage table decides
    (``access.policy.restrict_registrations``, as on the consultation page), each with the
    decision recorded at this consultation, and how many others are on it (a count only).
    Three queries, whatever the number of registrations."""
    if not consultation.is_triage:
        return [], 0
    every = TriageItem.objects.filter(consultation=consultation)
    items = list(
        restrict_registrations(every, user, Action.CHANGE)
        .select_related("registration__registrant_organisation")
        .order_by("order", "pk")
    )
    decided = {
        record.registration_id: record
        for record in RegistrationStatusRecord.objects.filter(
            consultation=consultation, registration_id__in=[i.registration_id for i in items]
        ).select_related("reason", "lead_organisation")
    }
    lines = []
    for item in items:
        record = decided.get(item.registration_id)
        lines.append(
            TriageLine(
                reference=item.registration.reference,
                registration_id=item.registration_id,
                registered_at=item.registration.registered_at,
                registrant_organisation=str(item.registration.registrant_organisation),
                decision=record,
                decision_label=(
                    status_label(
                        record.status, record.track, str(record.reason) if record.reason else ""
                    )
                    if record is not None
                    else ""
                ),
            )
        )
    return lines, every.count() - len(items)


@dataclass
class ConsultationDocument:
    """What an agenda or minutes PDF shows to one user."""

    consultation: Consultation
    participants: list[Participant] = field(default_factory=list)
    items: list[AgendaItem] = field(default_factory=list)
    attendance: AttendanceRegister | None = None
    # A triage table's registrations (see :func:`triage_lines`).
    triage: list[TriageLine] = field(default_factory=list)
    triage_hidden: int = 0


def may_download_documents(*, user: User, consultation: Consultation, items: Any) -> bool:
    """The agenda and minutes PDFs: for whoever may open the consultation view of at least
    one agenda item now (``items``: those items, as :func:`consultation_document` or the
    consultation page loads them), and always for the chair (the consultation's own record).
    The PDF views and the link on the consultation page ask this, so they cannot differ."""
    return bool(items) or consultation.chair_id == user.pk


def consultation_document(
    *, user: User, consultation: Consultation, now: datetime.datetime | None = None
) -> ConsultationDocument:
    """The consultation with only the agenda items whose consultation view ``user`` may open
    (the same rule as the web page), each with its disclosures and actions."""
    items = (
        restrict_consultation_view(
            AgendaItem.objects.filter(consultation=consultation, removed_at__isnull=True),
            user,
            now,
        )
        # The review of the plan of approach (a reverse one-to-one: no extra query).
        .select_related("case", "plan_review")
        .prefetch_related(
            Prefetch(
                "disclosures",
                queryset=Disclosure.objects.select_related(
                    "organisation", "shared_by__user", "shared_by__organisation"
                ),
            ),
            Prefetch(
                "consultation_actions",
                queryset=ConsultationAction.objects.select_related(
                    "case_action__assignee_user", "case_action__assignee_organisation"
                ).order_by("case_action__due_on", "pk"),
            ),
        )
        .order_by("order", "pk")
    )
    participants = list(
        current_participants(consultation).select_related("represented_by_organisation")
    )
    triage, triage_hidden = triage_lines(consultation=consultation, user=user)
    return ConsultationDocument(
        consultation=consultation,
        participants=participants,
        items=list(items),
        attendance=attendance_register(participants),
        triage=triage,
        triage_hidden=triage_hidden,
    )


@dataclass
class ItemPlan:
    """The agenda case's plan of approach as the minutes show it: whether there is one, and
    the review this consultation recorded of it."""

    has_plan: bool
    review: PlanReview | None


def item_plan(agenda_item: AgendaItem) -> ItemPlan:
    """Read for a user who may read the minutes (the caller checked the consultation view)."""
    review = PlanReview.objects.filter(agenda_item=agenda_item).first()
    has_plan = (
        review is not None or PlanOfApproach.objects.filter(case_id=agenda_item.case_id).exists()
    )
    return ItemPlan(has_plan=has_plan, review=review)
