"""The operations lead's workload (issue 16 on the home page, issue 19 part 4 as a page and a
CSV file): one selector, :func:`workload`, feeds the home page's card, the workload page and
its CSV, so the three cannot disagree.

Counted over every case and registration (``access.policy.unrestricted_for_aggregates``),
as counts only: no client's name, no case reference, no registration reference.

Small counts (the house rule for figures, decided per table):

- counts per case director (open cases by track and urgency, overdue actions) are shown
  exactly: they measure a staff member's work, say nothing about a client beyond a track
  and an urgency, and only the operations lead sees them;
- counts over the whole FJC that are about families (open cases per track, registrations
  waiting, the registrations behind a median, cases in a funding year) show 1 to 4 as
  "< 5", and a median or a rate computed from such a count is hidden with it ("< 5"), as in
  the figures (``reporting.figures.base``). No total of the per-director counts is shown
  next to them, so no hidden count can be worked back.

"First contact": the first journal entry on the case the registration became that is a
contact with a person (``JournalEntry.is_real_contact``: a contact, a home visit, a phone
call, or a contact attempt that reached the person; never a note or an unanswered attempt),
by its date. "Decision": the triage table's first decision, taken on or not taken on (the
waiting list is waiting). Both medians are over the registrations made in the last
``WINDOW_DAYS`` days, in calendar days (local dates), one decimal.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from accounts.models import User
from accounts.roles import RoleCode
from cases.models import (
    Case,
    CaseAction,
    EntryKind,
    JournalEntry,
    RegistrationStatus,
    RegistrationStatusRecord,
    Status,
    Track,
    Urgency,
)

from .figures.base import SUPPRESSED, display
from .figures.common import ONE_DECIMAL, running_cases
from .figures.period import Period
from .figures.registrations import days_between, first_decision_by, median, registrations
from .models import FundingYear, StaffRole

WINDOW_DAYS = 365
# Waiting: received, in triage or on the waiting list (as the triage queue).
WAITING_STATUSES = (
    RegistrationStatus.RECEIVED,
    RegistrationStatus.IN_TRIAGE,
    RegistrationStatus.WAITING_LIST,
)


@dataclass(frozen=True)
class WorkloadRow:
    label: str
    shown: str  # the count as shown ("< 5" for 1 to 4 where the table is about families)


@dataclass(frozen=True)
class DirectorRow:
    """A case director's open cases by track and urgency, and overdue actions (exact)."""

    label: str
    per_track: list[int]
    per_urgency: list[int]
    total: int
    overdue_actions: int
    # (column label, count) for every count column of the page, in order.
    cells: list[tuple[str, int]]


@dataclass(frozen=True)
class FteRow:
    """A funding year: the case directors' FTE and the cases per FTE."""

    year: int
    fte: Decimal
    cases: int
    per_fte: Decimal | None

    @property
    def cases_shown(self) -> str:
        return display(self.cases, True)

    @property
    def per_fte_shown(self) -> str:
        return _hidden_with(self.cases) or display(self.per_fte)


@dataclass(frozen=True)
class Median:
    """A median of days over ``count`` registrations."""

    count: int
    days: Decimal | None

    @property
    def count_shown(self) -> str:
        return display(self.count, True)

    @property
    def days_shown(self) -> str:
        return _hidden_with(self.count) or display(self.days)


@dataclass(frozen=True)
class Workload:
    per_track: list[WorkloadRow]
    per_director: list[WorkloadRow]
    tracks: list[str]
    urgencies: list[str]
    directors: list[DirectorRow]
    open_cases: int
    # The open cases now per case-director FTE of ``fte_year`` (this year, or the last
    # funding year before it); None when no funding year has case directors.
    fte_year: int | None
    fte_now: Decimal | None
    per_fte_now: Decimal | None
    fte_years: list[FteRow]
    waiting: int
    oldest_waiting_days: int | None
    to_first_contact: Median
    to_decision: Median
    window_days: int = WINDOW_DAYS

    @property
    def open_cases_shown(self) -> str:
        return display(self.open_cases, True)

    @property
    def per_fte_now_shown(self) -> str:
        return _hidden_with(self.open_cases) or display(self.per_fte_now)

    @property
    def oldest_waiting_shown(self) -> str:
        return display(self.oldest_waiting_days)

    @property
    def waiting_shown(self) -> str:
        return display(self.waiting, True)


def _hidden_with(count: int) -> str:
    return SUPPRESSED if 0 < count < 5 else ""


def _per(count: int, fte: Decimal | None) -> Decimal | None:
    if not fte:
        return None
    return (Decimal(count) / fte).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _directors(open_cases: QuerySet[Case], today: datetime.date) -> list[DirectorRow]:
    """Two queries for the cases and actions, one for the directors."""
    tracks = list(Track)
    urgencies = list(Urgency)
    counts: dict[int, dict[tuple[int, str], int]] = defaultdict(dict)
    for director_id, track, urgency, n in (
        open_cases.exclude(case_director__isnull=True)
        .order_by()
        .values_list("case_director_id", "track", "urgency")
        .annotate(n=Count("pk"))
    ):
        counts[director_id][(track, urgency)] = n
    overdue = dict(
        unrestricted_for_aggregates(CaseAction.objects.all())
        .filter(case__in=open_cases, done_on__isnull=True, due_on__lt=today)
        .exclude(case__case_director__isnull=True)
        .order_by()
        .values("case__case_director_id")
        .annotate(n=Count("pk"))
        .values_list("case__case_director_id", "n")
    )
    directors = User.objects.filter(
        Q(pk__in=counts.keys())
        | Q(pk__in=overdue.keys())
        | Q(is_active=True, roles__code=RoleCode.CASE_DIRECTOR)
    ).distinct()
    rows = []
    for user in sorted(directors, key=lambda u: (u.last_name, u.first_name, u.username)):
        mine = counts.get(user.pk, {})
        per_track = [sum(n for (t, _u), n in mine.items() if t == track.value) for track in tracks]
        per_urgency = [
            sum(n for (_t, u), n in mine.items() if u == urgency.value) for urgency in urgencies
        ]
        total, late = sum(mine.values()), overdue.get(user.pk, 0)
        rows.append(
            DirectorRow(
                label=_name(user),
                per_track=per_track,
                per_urgency=per_urgency,
                total=total,
                overdue_actions=late,
                cells=[
                    *zip([str(t.label) for t in tracks], per_track, strict=True),
                    *zip([str(u.label) for u in urgencies], per_urgency, strict=True),
                    (_("Open cases"), total),
                    (_("Overdue actions"), late),
                ],
            )
        )
    return rows


def _fte_years(today: datetime.date) -> tuple[list[FteRow], int | None]:
    years = list(
        FundingYear.objects.filter(year__lte=today.year)
        .annotate(
            fte=Sum("staffing_lines__fte", filter=Q(staffing_lines__role=StaffRole.CASE_DIRECTOR))
        )
        .order_by("-year")
        .values_list("year", "fte")
    )
    rows = []
    for year, fte in years:
        cases = running_cases(Period.year(year)).count()
        rows.append(FteRow(year=year, fte=fte or Decimal(0), cases=cases, per_fte=_per(cases, fte)))
    current = next((year for year, fte in years if fte), None)
    return rows, current


def _contact_entries() -> Q:
    return Q(kind__in=[EntryKind.CONTACT, EntryKind.HOME_VISIT, EntryKind.PHONE_CALL]) | Q(
        kind=EntryKind.CONTACT_ATTEMPT, reached=True
    )


def _medians(since: datetime.datetime) -> tuple[Median, Median]:
    first_contact = (
        unrestricted_for_aggregates(JournalEntry.objects.all())
        .filter(_contact_entries(), case_id=OuterRef("case_id"))
        .order_by()
        .values("case_id")
        .annotate(first=Min("occurred_at"))
        .values("first")[:1]
    )
    found = (
        registrations()
        .filter(registered_at__gte=since)
        .annotate(decided_at=first_decision_by(), contacted_at=Subquery(first_contact))
        .values_list("registered_at", "decided_at", "contacted_at")
    )
    contact_days: list[int] = []
    decision_days: list[int] = []
    for registered_at, decided_at, contacted_at in found:
        if decided_at is not None:
            decision_days.append(max(0, days_between(registered_at, decided_at)))
        if contacted_at is not None:
            contact_days.append(max(0, days_between(registered_at, contacted_at)))
    return (
        Median(len(contact_days), median(contact_days)),
        Median(len(decision_days), median(decision_days)),
    )


def workload() -> Workload:
    """Everything the workload page and its CSV show; a fixed number of queries plus one per
    funding year."""
    today = timezone.localdate()
    open_cases = unrestricted_for_aggregates(Case.objects.all()).exclude(status=Status.CLOSED)
    by_track = dict(
        open_cases.order_by().values("track").annotate(n=Count("pk")).values_list("track", "n")
    )
    directors = _directors(open_cases, today)
    open_count = sum(by_track.values())
    fte_years, fte_year = _fte_years(today)
    fte_now = next((row.fte for row in fte_years if row.year == fte_year), None)
    waiting = (
        registrations()
        .alias(
            current=Subquery(
                unrestricted_for_aggregates(RegistrationStatusRecord.objects.all())
                .filter(registration_id=OuterRef("pk"))
                .order_by("-recorded_at", "-id")
                .values("status")[:1]
            )
        )
        .filter(current__in=WAITING_STATUSES)
        .aggregate(n=Count("pk"), oldest=Min("registered_at"))
    )
    to_first_contact, to_decision = _medians(timezone.now() - datetime.timedelta(days=WINDOW_DAYS))
    return Workload(
        per_track=[
            WorkloadRow(str(track.label), display(by_track.get(track.value, 0), True))
            for track in Track
        ],
        per_director=[WorkloadRow(row.label, display(row.total)) for row in directors if row.total],
        tracks=[str(track.label) for track in Track],
        urgencies=[str(urgency.label) for urgency in Urgency],
        directors=directors,
        open_cases=open_count,
        fte_year=fte_year,
        fte_now=fte_now,
        per_fte_now=_per(open_count, fte_now),
        fte_years=fte_years,
        waiting=waiting["n"],
        oldest_waiting_days=(
            days_between(waiting["oldest"], timezone.now()) if waiting["oldest"] else None
        ),
        to_first_contact=to_first_contact,
        to_decision=to_decision,
    )


def open_workload() -> Workload:
    """The home page's card: the same selector."""
    return workload()


def csv_rows(data: Workload) -> list[list[object]]:
    """The workload as CSV rows: sections with a heading row, the values as on the page
    ("< 5" included); staff names, never a client's."""
    rows: list[list[object]] = [
        [_("Open cases per case director")],
        [_("Case director"), *data.tracks, *data.urgencies, _("Open cases"), _("Overdue actions")],
    ]
    for director in data.directors:
        rows.append(
            [
                director.label,
                *director.per_track,
                *director.per_urgency,
                director.total,
                director.overdue_actions,
            ]
        )
    rows += [[], [_("Open cases per track")], [_("Track"), _("Open cases")]]
    rows += [[row.label, row.shown] for row in data.per_track]
    rows += [
        [],
        [_("Cases per FTE")],
        [_("Year"), _("Case directors (FTE)"), _("Cases"), _("Cases per FTE")],
    ]
    if data.fte_year is not None:
        rows.append(
            [
                _("Open now (FTE of %(year)s)") % {"year": data.fte_year},
                data.fte_now,
                data.open_cases_shown,
                data.per_fte_now_shown,
            ]
        )
    for fte in data.fte_years:
        rows.append([fte.year, fte.fte, fte.cases_shown, fte.per_fte_shown])
    rows += [
        [],
        [_("Registrations")],
        [_("Figure"), _("Value"), _("Registrations")],
        [_("Registrations waiting"), data.waiting_shown],
        [
            _("Oldest waiting (days)"),
            "" if data.oldest_waiting_days is None else data.oldest_waiting_days,
        ],
        [
            _("Median days from registration to first contact"),
            data.to_first_contact.days_shown,
            data.to_first_contact.count_shown,
        ],
        [
            _("Median days from registration to decision"),
            data.to_decision.days_shown,
            data.to_decision.count_shown,
        ],
    ]
    return rows
