"""Reads for the judicial and care trajectory across cases."""

import datetime

from django.conf import settings
from django.utils import timezone

from access.policy import Action, restrict
from accounts.models import User

from ..models import Measure, MeasureKind, reference_sort_keys
from .steering import MeasureWarning


def restraining_orders_ending(
    *, user: User, within_days: int | None = None, today: datetime.date | None = None
) -> list[MeasureWarning]:
    """Restraining orders that end within ``within_days`` (default: the warning period)
    in every case the user may see, soonest first; the same window rule as the steering page.

    Closed cases are included on purpose: an order still running matters for the people in it.
    """
    today = today or timezone.localdate()
    if within_days is None:
        within_days = settings.FJC_RESTRAINING_ORDER_WARNING_DAYS
    measures = (
        restrict(Measure.objects.all(), user, Action.VIEW)
        .filter(
            kind=MeasureKind.RESTRAINING_ORDER,
            # An order lifted early no longer ends on its planned day.
            lifted_on__isnull=True,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("case", "case__case_director")
        .order_by("ends_on", *reference_sort_keys("case__"), "pk")
    )
    return [MeasureWarning(m, (m.ends_on - today).days) for m in measures if m.ends_on]
