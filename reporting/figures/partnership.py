"""The network coordinator's dashboard: the partner network's figures for any period.

The themes that already exist for the annual report are reused as they are (cases per
municipality from ``places``, gaps from ``network``), so the dashboard, its CSV/XLSX and
the annual PDF cannot disagree. What the annual report does not have yet lives here:
referrals per partner and per month, the partners' participation in case consultations,
and trainings with the partner organisations they reached.

Every selector runs a fixed number of queries, whatever the amount of data.
"""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from cases.models import Referral, ReferralDirection, ReferralStatus
from consultations.models import AgendaItem, Consultation, ConsultationStatus, Participant
from partners.models import Sector

from . import cases, network, people, places, registrations
from .base import Cell, Column, Relation, Table, Value, column_sums
from .common import count_column, label_column, referral_status_on, share
from .period import Period

# Counts of referrals, cases, consultations and gaps are suppressed when small ("< 5") and
# protected by complements ("x", see ``disclosure``): a referral or a case stands for a
# family, a consultation is a meeting about a handful of cases (the annual report
# suppresses "consultations held" for the same reason), and a gap is signalled about a
# client's situation. Trainings are not: they count the FJC's own sessions and the
# professionals taking part, never a client, and they are public in the network anyway.


def _months(period: Period) -> list[datetime.date]:
    """The first day of every month the period touches, in order."""
    months = []
    month = period.start.replace(day=1)
    while month <= period.end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _referrals_in(period: Period) -> QuerySet[Referral]:
    return unrestricted_for_aggregates(Referral.objects.all()).filter(
        referred_on__range=(period.start, period.end)
    )


def referrals_per_partner(period: Period) -> Table:
    """Every partner with at least one referral (either way) in the period."""
    in_, out = ReferralDirection.INCOMING, ReferralDirection.OUTGOING
    rows_found = (
        _referrals_in(period)
        .alias(status_on=referral_status_on(period.end))
        .order_by()
        .values("partner_id", "partner__name", "partner__sector")
        .annotate(
            incoming=Count("id", filter=Q(direction=in_)),
            outgoing=Count("id", filter=Q(direction=out)),
            accepted=Count("id", filter=Q(status_on=ReferralStatus.ACCEPTED)),
            declined=Count("id", filter=Q(status_on=ReferralStatus.DECLINED)),
        )
        .order_by("partner__name", "partner_id")
    )
    sectors = dict(Sector.choices)
    rows: list[list[Value]] = []
    keys: list[str] = []
    totals = [0, 0, 0, 0]
    for found in rows_found:
        counts = [found["incoming"], found["outgoing"], found["accepted"], found["declined"]]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        sector = found["partner__sector"]
        rows.append([found["partner__name"], str(sectors.get(sector, "")) or "—", *counts])
        keys.append(f"organisation:{found['partner_id']}")
    rows.append([_("Total"), "", *totals])
    keys.append("total")
    return Table(
        key="referrals_per_partner",
        title=_("Referrals per partner organisation"),
        sheet_title=_("Referrals per partner"),
        columns=(
            label_column("partner", _("Partner organisation")),
            label_column("sector", _("Sector")),
            count_column("in", _("Referred by the partner"), adds_up_over_time=True),
            count_column("out", _("Referred to the partner"), adds_up_over_time=True),
            count_column("accepted", _("Accepted")),
            count_column("declined", _("Declined")),
        ),
        rows=rows,
        row_keys=keys,
        relations=column_sums(keys, ["in", "out", "accepted", "declined"]),
        note=_(
            "Referrals made or received in the period, in both directions; accepted and "
            "declined by the referral's status on the last day of the period (a referral "
            "that was done or still awaited an answer that day is in neither; a later "
            "answer does not change these figures)."
        ),
    )


def referrals_per_month(period: Period) -> Table:
    """Every month of the period, zeros included."""
    counts: dict[tuple[int, int], dict[str, int]] = {}
    found_months = (
        _referrals_in(period)
        .order_by()
        .values("referred_on__year", "referred_on__month")
        .annotate(
            incoming=Count("id", filter=Q(direction=ReferralDirection.INCOMING)),
            outgoing=Count("id", filter=Q(direction=ReferralDirection.OUTGOING)),
        )
    )
    for found in found_months:
        counts[(found["referred_on__year"], found["referred_on__month"])] = {
            "in": found["incoming"],
            "out": found["outgoing"],
        }
    rows: list[list[Value]] = []
    keys: list[str] = []
    for month in _months(period):
        month_counts = counts.get((month.year, month.month), {})
        rows.append(
            [
                formats.date_format(month, "YEAR_MONTH_FORMAT"),
                month_counts.get("in", 0),
                month_counts.get("out", 0),
            ]
        )
        keys.append(f"{month:%Y-%m}")
    rows.append(
        [
            _("Total"),
            sum(int(row[1] or 0) for row in rows),
            sum(int(row[2] or 0) for row in rows),
        ]
    )
    keys.append("total")
    return Table(
        key="referrals_per_month",
        title=_("Referrals per month"),
        columns=(
            label_column("month", _("Month")),
            count_column("in", _("Referred by a partner"), adds_up_over_time=True),
            count_column("out", _("Referred to a partner"), adds_up_over_time=True),
        ),
        rows=rows,
        row_keys=keys,
        relations=column_sums(keys, ["in", "out"]),
        note=_(
            "By the date of the referral. The first and last month count only the days "
            "inside the period."
        ),
    )


def consultation_participation(period: Period) -> Table:
    """Per organisation: held consultations it took part in, and the cases discussed there."""
    held = unrestricted_for_aggregates(Consultation.objects.all()).filter(
        status=ConsultationStatus.HELD,
        scheduled_at__date__range=(period.start, period.end),
    )
    held_count = held.count()
    attended = (
        unrestricted_for_aggregates(Participant.objects.all())
        .filter(consultation__in=held, removed_at__isnull=True)
        .order_by()
        .values("organisation_id", "organisation__name")
        .annotate(consultations=Count("consultation_id", distinct=True))
        .order_by("organisation__name", "organisation_id")
    )
    discussed = unrestricted_for_aggregates(AgendaItem.objects.all()).filter(
        consultation__in=held, discussed=True, removed_at__isnull=True
    )
    # One filter() call: the participant join is the same row for both conditions.
    cases_with: dict[int, int] = dict(
        discussed.filter(consultation__participants__removed_at__isnull=True)
        .order_by()
        .values("consultation__participants__organisation_id")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("consultation__participants__organisation_id", "n")
    )
    all_cases = discussed.aggregate(n=Count("case_id", distinct=True))["n"]
    rows: list[list[Value]] = []
    keys: list[str] = []
    for found in attended:
        organisation_id = found["organisation_id"]
        rows.append(
            [
                found["organisation__name"],
                found["consultations"],
                held_count,
                share(found["consultations"], held_count),
                cases_with.get(organisation_id, 0),
            ]
        )
        keys.append(f"organisation:{organisation_id}")
    rows.append([_("All consultations held"), held_count, held_count, None, all_cases])
    keys.append("total")
    return Table(
        key="consultation_participation",
        title=_("Partners' participation in case consultations"),
        sheet_title=_("Participation in consultations"),
        columns=(
            label_column("organisation", _("Organisation")),
            # Each consultation falls in one period: an organisation's count over a year is
            # the sum over its months. Cases are counted once per period, so they are not.
            count_column(
                "consultations",
                _("Consultations with the organisation"),
                adds_up_over_time=True,
            ),
            count_column("held", _("Consultations held")),
            Column("share", _("Share (%)"), suppress_with="consultations"),
            count_column("cases", _("Cases discussed with the organisation present")),
        ),
        rows=rows,
        row_keys=keys,
        # The organisations overlap (several at one consultation): no sums. Every row's
        # "held" is the number of consultations held, the total row's count.
        relations=[Relation(Cell(key, "held"), (Cell("total", "consultations"),)) for key in keys],
        derived=[(Cell(key, "share"), (Cell(key, "held"),)) for key in keys],
        note=_(
            "Art. 458ter consultations with the status held whose date falls in the period. "
            "An organisation took part when at least one of its participants (not removed "
            "from the list) was on it; a case counts once per organisation, when its agenda "
            "item was marked discussed."
        ),
    )


def dashboard_tables(
    period: Period, people_counts: people.PeopleCounts | None = None
) -> list[Table]:
    """The dashboard's tables, in the order of the page and of the XLSX workbook.
    ``people_counts``: the period's ``people.people_counted``, when the caller counted many
    periods' people at once (``people.people_counted_per_period``)."""
    return [
        referrals_per_partner(period),
        referrals_per_month(period),
        consultation_participation(period),
        places.by_municipality(period),
        network.gaps(period),
        network.trainings(period),
        # Children as direct victims and as witnesses: what the child-abuse centre and
        # Opgroeien ask of the network (issue 18); the annual report's table, per period.
        people.minors_by_role(period, people_counts),
        # Child plans made and reports to the VK / OCJ / youth court, as recorded by the
        # period's end (issue 18, part 5).
        people.child_trajectory(period),
        # The relationship contexts and forms of violence as recorded at the period's end.
        *cases.violence_tables(period),
        *registrations.registration_tables(period),
    ]
