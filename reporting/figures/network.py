"""The partner network: referrals, trainings and gaps in the care offer."""

from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from cases.models import Referral, ReferralDirection, ReferralStatus
from partners.models import Gap, GapKind, GapStatus, Organisation, Training, TrainingKind

from .base import Column, Relation, Table, Value, column_sums, row_sums
from .common import count_column, gap_status_on, label_column, referral_status_on
from .period import Period


def _grid_relations(row_keys: list[str], columns: list[str]) -> tuple[Relation, ...]:
    """A table with a total column and a total row: both ways."""
    return (
        *row_sums(row_keys, columns),
        *column_sums(row_keys, [*columns, "total"]),
    )


def referrals(period: Period) -> Table:
    counts = {
        (row["direction"], row["status_on"]): row["n"]
        for row in unrestricted_for_aggregates(Referral.objects.all())
        .filter(referred_on__range=(period.start, period.end))
        .annotate(status_on=referral_status_on(period.end))
        .order_by()
        .values("direction", "status_on")
        .annotate(n=Count("id"))
    }
    statuses = ReferralStatus.choices
    rows: list[list[Value]] = []
    for direction, label in ReferralDirection.choices:
        values = [counts.get((direction, status), 0) for status, _label in statuses]
        rows.append([str(label), *values, sum(values)])
    totals = [sum(int(row[i + 1] or 0) for row in rows) for i in range(len(statuses) + 1)]
    rows.append([_("Total"), *totals])
    return Table(
        key="referrals",
        title=_("Referrals"),
        columns=(
            label_column("direction", _("Direction")),
            *(count_column(status, str(label)) for status, label in statuses),
            count_column("total", _("Total"), adds_up_over_time=True),
        ),
        rows=rows,
        row_keys=[*ReferralDirection.values, "total"],
        relations=_grid_relations([*ReferralDirection.values, "total"], ReferralStatus.values),
        note=_(
            "Referrals made or received in the period, by direction and by their status on "
            "the last day of the period: awaiting an answer until the answer's date, done "
            "from the day the work was done, otherwise the answer. A later answer does not "
            "change these figures."
        ),
    )


def trainings(period: Period) -> Table:
    """Sessions, participants and partner organisations reached, per kind.

    Not suppressed: these count the FJC's own sessions and the professionals and partner
    organisations taking part, never a client or a case, and they are public in the
    network anyway.

    Each partner organisation reached counts once per kind, and once in the total however
    many sessions it attended.
    """
    trainings = Training.objects.filter(date__range=(period.start, period.end))
    by_kind: dict[str, dict[str, Any]] = {
        row["kind"]: dict(row)
        for row in trainings.order_by()
        .values("kind")
        .annotate(sessions=Count("id"), participants=Sum("participants"))
    }
    reached = dict(
        Organisation.objects.filter(trainings__in=trainings)
        .order_by()
        .values("trainings__kind")
        .annotate(n=Count("id", distinct=True))
        .values_list("trainings__kind", "n")
    )
    reached_total = Organisation.objects.filter(trainings__in=trainings).distinct().count()
    rows: list[list[Value]] = []
    for value, label in TrainingKind.choices:
        found = by_kind.get(value, {})
        rows.append(
            [
                str(label),
                found.get("sessions", 0),
                found.get("participants") or 0,
                reached.get(value, 0),
            ]
        )
    rows.append(
        [
            _("Total"),
            sum(int(row[1] or 0) for row in rows),
            sum(int(row[2] or 0) for row in rows),
            reached_total,
        ]
    )
    return Table(
        key="trainings",
        title=_("Trainings and sessions given"),
        columns=(
            label_column("kind", _("Kind")),
            Column("sessions", _("Sessions")),
            Column("participants", _("Participants")),
            Column("organisations", _("Partner organisations reached")),
        ),
        rows=rows,
        row_keys=[*TrainingKind.values, "total"],
        note=_(
            "Trainings, intervision and advice sessions given in the period. An "
            "organisation reached by several sessions counts once."
        ),
    )


def gaps(period: Period) -> Table:
    counts = {
        (row["kind"], row["status_on"]): row["n"]
        for row in Gap.objects.filter(signalled_on__range=(period.start, period.end))
        .annotate(status_on=gap_status_on(period.end))
        .order_by()
        .values("kind", "status_on")
        .annotate(n=Count("id"))
    }
    statuses = GapStatus.choices
    rows: list[list[Value]] = []
    for kind, label in GapKind.choices:
        values = [counts.get((kind, status), 0) for status, _label in statuses]
        rows.append([str(label), *values, sum(values)])
    totals = [sum(int(row[i + 1] or 0) for row in rows) for i in range(len(statuses) + 1)]
    rows.append([_("Total"), *totals])
    return Table(
        key="gaps",
        title=_("Gaps in the care offer"),
        columns=(
            label_column("kind", _("Kind of gap")),
            # A gap is signalled about a client's situation: few of them in a period can
            # point to a family, so they are suppressed like every other count.
            *(count_column(status, str(label)) for status, label in statuses),
            count_column("total", _("Total"), adds_up_over_time=True),
        ),
        rows=rows,
        row_keys=[*GapKind.values, "total"],
        relations=_grid_relations([*GapKind.values, "total"], GapStatus.values),
        note=_(
            "Gaps signalled in the period, by their status on the last day of the period "
            "(from the dated status changes; a later change does not change these figures)."
        ),
    )


def network_tables(period: Period) -> list[Table]:
    return [referrals(period), trainings(period), gaps(period)]
