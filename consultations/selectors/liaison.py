"""The prosecutor liaison's overview: consultations their office takes part in and the
track-3 agenda cases they may open there, with the judicial information only."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from access.policy import (
    Action,
    restrict,
    restrict_consultation_view,
    restrict_consultations,
    sees_judicial_information_as_participant,
)
from accounts.models import User
from cases.models import Measure, Track

from ..models import AgendaItem, Consultation, ConsultationStatus, Participant


@dataclass
class LiaisonConsultation:
    consultation: Consultation
    # False: the liaison has not confirmed the duty of secrecy; only the date and a link to
    # the confirmation page may be shown.
    confirmed: bool
    items: list[AgendaItem] = field(default_factory=list)


def liaison_consultations(
    *, user: User, now: datetime.datetime | None = None
) -> list[LiaisonConsultation]:
    """Consultations where the liaison takes part for their organisation (cancelled ones
    left out), newest first. The number of queries does not depend on the number of rows."""
    if user.organisation_id is None:
        # A participant always takes part for an organisation: nothing to match.
        return []
    mine = Participant.objects.filter(
        user_id=user.pk, organisation_id=user.organisation_id, removed_at__isnull=True
    )
    taking_part = Consultation.objects.filter(pk__in=mine.values("consultation_id")).exclude(
        status=ConsultationStatus.CANCELLED
    )
    visible = set(
        restrict_consultations(taking_part, user, Action.VIEW).values_list("pk", flat=True)
    )
    items = (
        restrict_consultation_view(
            AgendaItem.objects.filter(
                consultation_id__in=visible, removed_at__isnull=True, case__track=Track.CHAIN
            ),
            user,
            now,
        )
        .select_related("case")
        .prefetch_related(
            "case__police_reports",
            Prefetch("case__measures", queryset=Measure.objects.order_by("starts_on", "pk")),
            "case__hearings",
        )
        .order_by("order", "pk")
    )
    if not sees_judicial_information_as_participant(user):
        # This page shows judicial information: outside their own team's cases, only the
        # prosecutor's office and the police may see it (access.policy).
        items = restrict(items, user)
    by_consultation: dict[int, list[AgendaItem]] = {}
    for item in items:
        by_consultation.setdefault(item.consultation_id, []).append(item)
    return [
        LiaisonConsultation(
            consultation=consultation,
            confirmed=consultation.pk in visible,
            items=by_consultation.get(consultation.pk, []),
        )
        for consultation in taking_part.order_by("-scheduled_at", "-pk")
    ]
