"""Registrations by partners and their triage (issue 19, part 6); referrals answered in time.

Time is part of the data: a registration's status on a day is its latest dated status
record (``cases.RegistrationStatusRecord``, written once) recorded by the end of that day,
never its status today, so a figure for a past period does not change with a later
decision. Days are the FJC's local days (``TIME_ZONE``).

Every selector runs one query, whatever the number of registrations.
"""

import datetime
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from cases.models import (
    NotTakenOnReason,
    Referral,
    ReferralDirection,
    Registration,
    RegistrationStatus,
    RegistrationStatusRecord,
)
from cases.models.registrations import FINAL_STATUSES
from partners.models import OrganisationKind, Sector

from .base import Column, Table, Value, column_sums
from .common import ONE_DECIMAL, count_column, label_column
from .period import Period


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the FJC's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def period_bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """From the first moment of the period to the first moment after it (exclusive)."""
    return day_start(period.start), day_start(period.end + datetime.timedelta(days=1))


def registrations() -> QuerySet[Registration]:
    return unrestricted_for_aggregates(Registration.objects.all())


def registered_in(period: Period) -> QuerySet[Registration]:
    start, after = period_bounds(period)
    return registrations().filter(registered_at__gte=start, registered_at__lt=after)


def status_by(moment: datetime.datetime) -> Subquery:
    """A registration's status at ``moment``: its latest status record recorded before it."""
    return Subquery(
        unrestricted_for_aggregates(RegistrationStatusRecord.objects.all())
        .filter(registration_id=OuterRef("pk"), recorded_at__lt=moment)
        .order_by("-recorded_at", "-id")
        .values("status")[:1]
    )


def reason_by(moment: datetime.datetime) -> Subquery:
    return Subquery(
        unrestricted_for_aggregates(RegistrationStatusRecord.objects.all())
        .filter(registration_id=OuterRef("pk"), recorded_at__lt=moment)
        .order_by("-recorded_at", "-id")
        .values("reason")[:1]
    )


def first_decision_by(moment: datetime.datetime | None = None) -> Subquery:
    """When the triage table first decided the registration (taken on or not taken on; the
    waiting list is waiting, not a decision), if it did before ``moment``."""
    records = unrestricted_for_aggregates(RegistrationStatusRecord.objects.all()).filter(
        registration_id=OuterRef("pk"), status__in=FINAL_STATUSES
    )
    if moment is not None:
        records = records.filter(recorded_at__lt=moment)
    return Subquery(records.order_by("recorded_at", "id").values("recorded_at")[:1])


def days_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """Calendar days between two moments, by the FJC's local dates."""
    return (timezone.localdate(end) - timezone.localdate(start)).days


def median(values: list[int]) -> Decimal | None:
    """The median with one decimal, halves up; None for no values."""
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


# The sector of an organisation whose sector is not recorded, from its kind.
KIND_SECTOR: dict[str, str] = {
    OrganisationKind.POLICE_ZONE: Sector.POLICE,
    OrganisationKind.CAW: Sector.WELFARE,
    OrganisationKind.PROSECUTOR: Sector.PROSECUTOR,
    OrganisationKind.CITY: Sector.MUNICIPALITY,
}


def by_registrant_sector(period: Period) -> Table:
    """Registrations made in the period, by the sector of the registrant's organisation."""
    counts: dict[str, int] = defaultdict(int)
    for sector, kind in registered_in(period).values_list(
        "registrant_organisation__sector", "registrant_organisation__kind"
    ):
        counts[sector or KIND_SECTOR.get(kind, "")] += 1
    keys = [*Sector.values, "unknown", "total"]
    rows: list[list[Value]] = [
        [str(label), counts.get(value, 0)] for value, label in Sector.choices
    ]
    rows.append([_("Sector not recorded"), counts.get("", 0)])
    rows.append([_("Total"), sum(counts.values())])
    return Table(
        key="registrations_by_sector",
        title=_("Registrations by the registrant's sector"),
        sheet_title=_("Registrations by sector"),
        columns=(
            label_column("sector", _("Sector")),
            count_column("count", _("Registrations"), adds_up_over_time=True),
        ),
        rows=rows,
        row_keys=keys,
        relations=column_sums(keys, ["count"]),
        note=_(
            "Registrations made by partners in the period, by the sector of the registrant's "
            "organisation as recorded today in the directory; when no sector is recorded, "
            "the sector its kind belongs to (a police zone: police, a CAW: welfare, the "
            "prosecutor's office: prosecutor, a city: municipality)."
        ),
    )


def decisions(period: Period) -> Table:
    """Registrations made in the period, by their status at the end of the period."""
    _start, after = period_bounds(period)
    counts: dict[str, int] = defaultdict(int)
    found = (
        registered_in(period)
        .annotate(status_then=status_by(after), reason_then=reason_by(after))
        .values_list("status_then", "reason_then")
    )
    for status, reason in found:
        if status == RegistrationStatus.NOT_TAKEN_ON:
            counts[f"not_taken_on:{reason}"] += 1
        elif status in (
            RegistrationStatus.TAKEN_ON,
            RegistrationStatus.WAITING_LIST,
            RegistrationStatus.WITHDRAWN,
        ):
            counts[str(status)] += 1
        else:
            counts["undecided"] += 1
    keys: list[str] = ["taken_on"]
    rows: list[list[Value]] = [[_("Taken on"), counts.get("taken_on", 0)]]
    # A row per reason of the managed list: the active ones, and an inactive one that counts.
    used = {key.split(":", 1)[1] for key in counts if key.startswith("not_taken_on:")}
    for reason in NotTakenOnReason.objects.filter(Q(is_active=True) | Q(code__in=used)):
        keys.append(f"not_taken_on:{reason.code}")
        rows.append([_("Not taken on: %(reason)s") % {"reason": reason}, counts.get(keys[-1], 0)])
    keys += ["waiting_list", "withdrawn", "undecided", "total"]
    rows.append([_("Waiting list"), counts.get("waiting_list", 0)])
    rows.append([_("Withdrawn by the registrant"), counts.get("withdrawn", 0)])
    rows.append([_("Not decided yet"), counts.get("undecided", 0)])
    rows.append([_("Total"), sum(counts.values())])
    return Table(
        key="registration_decisions",
        title=_("Registrations taken on and not taken on"),
        sheet_title=_("Registration decisions"),
        columns=(
            label_column("outcome", _("Outcome")),
            count_column("count", _("Registrations")),
        ),
        rows=rows,
        row_keys=keys,
        relations=column_sums(keys, ["count"]),
        note=_(
            "Registrations made in the period, by their status on the last day of the period "
            "by the dated status records (a decision recorded after the period does not "
            "change these figures): taken on, not taken on with the reason (the managed list of "
            "reasons), on the waiting list, withdrawn by the registrant before a decision, or "
            "not decided yet (received or in triage)."
        ),
    )


def waiting_times(period: Period) -> Table:
    """Days from registration to the triage table's first decision, for the registrations
    decided in the period."""
    start, after = period_bounds(period)
    first = unrestricted_for_aggregates(RegistrationStatusRecord.objects.all()).filter(
        registration_id=OuterRef("pk"), status__in=FINAL_STATUSES
    )
    first_status = Subquery(first.order_by("recorded_at", "id").values("status")[:1])
    found = (
        registrations()
        .annotate(decided_at=first_decision_by(), decided_as=first_status)
        .filter(decided_at__gte=start, decided_at__lt=after)
        .values_list("registered_at", "decided_at", "decided_as")
    )
    days: dict[str, list[int]] = defaultdict(list)
    for registered_at, decided_at, decided_as in found:
        days[decided_as].append(max(0, days_between(registered_at, decided_at)))
    outcomes = [
        (RegistrationStatus.TAKEN_ON.value, _("Taken on")),
        (RegistrationStatus.NOT_TAKEN_ON.value, _("Not taken on")),
    ]
    rows: list[list[Value]] = [
        [label, len(days.get(value, [])), median(days.get(value, []))] for value, label in outcomes
    ]
    every = [d for values in days.values() for d in values]
    rows.append([_("Total"), len(every), median(every)])
    keys = [*(value for value, _label in outcomes), "total"]
    return Table(
        key="registration_waiting_times",
        title=_("Waiting time from registration to decision"),
        sheet_title=_("Waiting times"),
        columns=(
            label_column("outcome", _("Decision")),
            count_column("count", _("Registrations decided"), adds_up_over_time=True),
            Column("median_days", _("Median (days)"), suppress_with="count"),
        ),
        rows=rows,
        row_keys=keys,
        relations=column_sums(keys, ["count"]),
        note=_(
            "Registrations the triage table decided in the period (its first decision: taken "
            "on or not taken on; time on the waiting list counts as waiting): calendar days "
            "from the registration to that decision; the median rounded to one decimal, "
            "halves up."
        ),
    )


def referrals_answered(period: Period) -> Table:
    """Referrals to partners made in the period, by whether the partner answered within
    ``FJC_REFERRAL_ANSWER_DAYS``, as known at the end of the period."""
    days = settings.FJC_REFERRAL_ANSWER_DAYS
    counts: dict[str, int] = defaultdict(int)
    found = (
        unrestricted_for_aggregates(Referral.objects.all())
        .filter(
            direction=ReferralDirection.OUTGOING,
            referred_on__range=(period.start, period.end),
        )
        .values_list("referred_on", "answered_on")
    )
    for referred_on, answered_on in found:
        if answered_on is not None and answered_on <= period.end:
            waited = (answered_on - referred_on).days
            counts["in_time" if waited <= days else "late"] += 1
        elif (period.end - referred_on).days > days:
            counts["overdue"] += 1
        else:
            counts["pending"] += 1
    keys = ["in_time", "late", "overdue", "pending", "total"]
    labels = [
        _("Answered within %(days)s days") % {"days": days},
        _("Answered after more than %(days)s days") % {"days": days},
        _("Not answered, more than %(days)s days") % {"days": days},
        _("Not answered, still within %(days)s days") % {"days": days},
    ]
    rows: list[list[Value]] = [
        [label, counts.get(key, 0)] for key, label in zip(keys, labels, strict=False)
    ]
    rows.append([_("Total"), sum(counts.values())])
    return Table(
        key="referrals_answered",
        title=_("Referrals to partners answered in time"),
        sheet_title=_("Referrals answered in time"),
        columns=(
            label_column("answer", _("Answer")),
            count_column("count", _("Referrals")),
        ),
        rows=rows,
        row_keys=keys,
        relations=column_sums(keys, ["count"]),
        note=_(
            "Referrals from the FJC to a partner made in the period, by the partner's answer "
            "as known on the last day of the period: answered within %(days)s days of the "
            "referral (the setting FJC_REFERRAL_ANSWER_DAYS), answered later, or not answered "
            "yet, with or without the %(days)s days passed on the last day of the period."
        )
        % {"days": days},
    )


def registration_tables(period: Period) -> list[Table]:
    return [
        by_registrant_sector(period),
        decisions(period),
        waiting_times(period),
        referrals_answered(period),
    ]
