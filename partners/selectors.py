"""Reads of the partner network that are not a page's own list."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import Gap, GapStatus, Organisation, Training


@dataclass(frozen=True)
class NetworkHeadlines:
    active_organisations: int
    open_gaps: int
    trainings_this_year: int
    year: int


def network_headlines(today: datetime.date | None = None) -> NetworkHeadlines:
    """A few counts of the network for the coordinator's home page: no case data. Three
    queries."""
    year = (today or timezone.localdate()).year
    return NetworkHeadlines(
        active_organisations=Organisation.objects.filter(is_active=True).count(),
        open_gaps=Gap.objects.exclude(status=GapStatus.CLOSED).count(),
        trainings_this_year=Training.objects.filter(date__year=year).count(),
        year=year,
    )
