"""Reads for the minutes of a consultation and its agenda and minutes documents."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from access.policy import restrict_consultation_view
from accounts.models import User
from cases.models import PlanOfApproach

from ..models import (
    AgendaItem,
    Attendance,
    Consultation,
    ConsultationAction,
    Disclosure,
    Participant,
    PlanReview,
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
class ConsultationDocument:
    """What an agenda or minutes PDF shows to one user."""

    consultation: Consultation
    participants: list[Participant] = field(default_factory=list)
    items: list[AgendaItem] = field(default_factory=list)
    attendance: AttendanceRegister | None = None


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
    return ConsultationDocument(
        consultation=consultation,
        participants=participants,
        items=list(items),
        attendance=attendance_register(participants),
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
