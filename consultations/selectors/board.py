"""The consultations' kinds on the deadline board (``cases.selectors.board``), registered
in ``ConsultationsConfig.ready()``: ``cases`` may not import this app."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.policy import consultation_access_condition, restrict, restrict_consultations
from cases.selectors.board import (
    BoardItem,
    BoardQuery,
    BoardSource,
    item_for,
    register_source,
    steering_url,
)

from ..models import AgendaItem, Consultation, ConsultationAccess, ConsultationStatus
from .planning import open_reviews

CONSULTATION = "consultation"
CONSULTATION_ACCESS_END = "consultation_access_end"
CONSULTATION_REVIEW = "consultation_review"


def consultation_dates(query: BoardQuery) -> list[BoardItem]:
    """Planned consultations, from today to the end of the period, with one of the user's
    cases on the agenda (one item per case). The item opens the consultation for those who
    may see it (its chair, the cases' directors, participants who confirmed secrecy), else
    the case's steering page. Two queries."""
    items = query.with_case(
        restrict(AgendaItem.objects.all(), query.user)
        .filter(
            query.mine(),
            removed_at__isnull=True,
            consultation__status=ConsultationStatus.PLANNED,
            consultation__scheduled_at__gte=query.start_of(query.today),
            consultation__scheduled_at__lt=query.start_of(query.until + datetime.timedelta(days=1)),
        )
        .select_related("consultation")
    )
    rows = list(items)
    ids = {row.consultation_id for row in rows}
    visible = set(
        restrict_consultations(Consultation.objects.filter(pk__in=ids), query.user).values_list(
            "pk", flat=True
        )
        if ids
        else ()
    )
    result = []
    for row in rows:
        at = timezone.localtime(row.consultation.scheduled_at)
        if row.consultation_id in visible:
            url = reverse("consultations:detail", kwargs={"pk": row.consultation_id})
        else:
            url = steering_url(row.case_id, "summary-heading")
        result.append(
            item_for(
                query,
                row,
                kind=CONSULTATION,
                on=at.date(),
                description=_("Case consultation at %(time)s")
                % {"time": date_format(at, "TIME_FORMAT")},
                url=url,
            )
        )
    return result


def consultation_accesses_ending(query: BoardQuery) -> list[BoardItem]:
    """The user's own open access to an agenda case's consultation view (as a participant)
    that ends within ``FJC_ACCESS_ENDING_DAYS``. Only an access that opens the view now
    (``access.policy.consultation_access_condition``) shows."""
    now = timezone.now()
    last_day = min(
        query.until, query.today + datetime.timedelta(days=settings.FJC_ACCESS_ENDING_DAYS)
    )
    rows = query.with_case(
        ConsultationAccess.objects.filter(
            # Whether it opens the view now is the policy's answer, not this module's.
            consultation_access_condition(query.user, now, "agenda_item_id", by="agenda_item_id"),
            user_id=query.user.pk,
            ended_at__isnull=True,
            valid_until__lt=query.start_of(last_day + datetime.timedelta(days=1)),
            agenda_item__removed_at__isnull=True,
        ).select_related("agenda_item")
    )
    return [
        item_for(
            query,
            access,
            kind=CONSULTATION_ACCESS_END,
            on=timezone.localdate(access.valid_until),
            description=_("Your access to this case in the consultation ends at %(time)s")
            % {"time": date_format(timezone.localtime(access.valid_until), "TIME_FORMAT")},
            url=reverse(
                "consultations:item",
                kwargs={"pk": access.agenda_item.consultation_id, "item_pk": access.agenda_item_id},
            ),
        )
        for access in rows
    ]


def consultation_reviews(query: BoardQuery) -> list[BoardItem]:
    """Review dates of the user's agenda cases (``AgendaItem.review_on``) up to the end of
    the period, overdue ones included, while no later agenda took the case up again. The
    item opens the case's steering page. One query."""
    rows = query.with_case(
        open_reviews(
            restrict(AgendaItem.objects.all(), query.user).filter(
                query.mine(), review_on__lte=query.until
            )
        )
    )
    if query.overdue_only:
        rows = rows.filter(review_on__lt=query.today)
    return [
        item_for(
            query,
            row,
            kind=CONSULTATION_REVIEW,
            on=row.review_on or query.today,
            description=_("Back on the agenda of a consultation (review)"),
            url=steering_url(row.case_id, "summary-heading"),
        )
        for row in rows
    ]


def register() -> None:
    register_source(
        BoardSource(
            CONSULTATION, gettext_lazy("Case consultation"), consultation_dates, from_today=True
        )
    )
    register_source(
        BoardSource(
            CONSULTATION_ACCESS_END,
            gettext_lazy("Consultation access ends"),
            consultation_accesses_ending,
            from_today=True,
        )
    )
    register_source(
        BoardSource(
            CONSULTATION_REVIEW, gettext_lazy("Review in a consultation"), consultation_reviews
        )
    )
