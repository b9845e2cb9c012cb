"""The operations lead's workload on the home page (issue 16): open cases per track and per
case director, counted over every case (``access.policy.unrestricted_for_aggregates``) and
shown as counts only, with 1 to 4 as "< 5" like every other figure (no total is shown, so no
hidden count can be derived from the others)."""

from dataclasses import dataclass

from django.db.models import Count

from access.policy import unrestricted_for_aggregates
from cases.models import Case, Status, Track

from .figures.base import display


@dataclass(frozen=True)
class WorkloadRow:
    label: str
    shown: str  # the count as shown ("< 5" for 1 to 4)


@dataclass(frozen=True)
class Workload:
    per_track: list[WorkloadRow]
    per_director: list[WorkloadRow]


def open_workload() -> Workload:
    """Two queries, whatever the number of cases."""
    open_cases = unrestricted_for_aggregates(Case.objects.all()).exclude(status=Status.CLOSED)
    by_track = dict(
        open_cases.order_by().values("track").annotate(n=Count("pk")).values_list("track", "n")
    )
    by_director = (
        open_cases.order_by()
        .values("case_director__first_name", "case_director__last_name", "case_director__username")
        .annotate(n=Count("pk"))
        .order_by("case_director__last_name", "case_director__first_name")
    )
    return Workload(
        per_track=[
            WorkloadRow(str(track.label), display(by_track.get(track.value, 0), True))
            for track in Track
        ],
        per_director=[
            WorkloadRow(
                " ".join(
                    filter(
                        None, [row["case_director__first_name"], row["case_director__last_name"]]
                    )
                )
                or row["case_director__username"],
                display(row["n"], True),
            )
            for row in by_director
        ],
    )
