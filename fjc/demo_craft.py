"""Demo data for consultation craft (issue 19 part 5): the attendance register of the last
consultation held, with one participant apologised and one represented (the representative
confirmed the duty of secrecy on paper), a review date on one of its agenda cases, and a
triage table with a registration awaiting triage on its agenda. Built through the services;
a second seed run adds nothing."""

import datetime
from typing import Any

from django.utils import timezone


def seed_craft(users: dict[str, Any]) -> None:
    from cases.models import Registration
    from consultations.models import Consultation, ConsultationKind, ConsultationStatus
    from consultations.services import craft, planning

    if Consultation.objects.filter(kind=ConsultationKind.TRIAGE).exists():
        return
    chair = users["regisseur.stad"]
    held = (
        Consultation.objects.filter(status=ConsultationStatus.HELD, chair=chair)
        .order_by("-scheduled_at")
        .first()
    )
    if held is not None:
        _register(held)
        item = held.agenda_items.filter(removed_at__isnull=True).order_by("order", "pk").first()
        if item is not None:
            craft.agenda_item_set_review(
                item=item,
                by=chair,
                version=item.version,
                review_on=timezone.localdate() + datetime.timedelta(days=10),
            )
    table = planning.consultation_create(
        by=chair,
        legal_basis=(held or Consultation.objects.order_by("pk").first()).legal_basis,  # type: ignore[union-attr]
        scheduled_at=timezone.now() + datetime.timedelta(days=3),
        location="Vergaderzaal FJC",
        secrecy_confirmed=True,
        kind=ConsultationKind.TRIAGE,
    )
    waiting = craft.registrations_awaiting_triage(consultation=table, user=chair)
    if waiting:
        craft.triage_item_add(
            consultation=table,
            by=chair,
            registration=Registration.objects.get(pk=waiting[0].pk),
        )


def _register(held: Any) -> None:
    """The chair present, the first partner apologised, the second represented by a
    colleague of the same organisation who confirmed the duty of secrecy on paper."""
    from consultations.models import Attendance, SecrecyMethod
    from consultations.services import craft

    participants = list(held.participants.filter(removed_at__isnull=True).order_by("pk"))
    others = [p for p in participants if p.user_id != held.chair_id]
    entries = {p.pk: craft.AttendanceEntry(Attendance.PRESENT) for p in participants}
    if others:
        entries[others[0].pk] = craft.AttendanceEntry(Attendance.APOLOGISED)
    if len(others) > 1:
        entries[others[1].pk] = craft.AttendanceEntry(
            Attendance.REPRESENTED,
            represented_by_name="Collega-vertegenwoordiger (demo)",
            represented_by_organisation=others[1].organisation,
        )
    craft.attendance_record(consultation=held, by=held.chair, version=held.version, entries=entries)
    if len(others) > 1:
        craft.secrecy_record_given(
            consultation=held,
            by=held.chair,
            participant=others[1],
            for_representative=True,
            given_at=held.scheduled_at,
            method=SecrecyMethod.PAPER,
        )
