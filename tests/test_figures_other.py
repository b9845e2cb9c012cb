"""Consultation, restraining-order, duration, closing, repeat and network figures for 2025,
pinned against hand-computed data, period boundaries included."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cases.models import Case, ClosingReason, MeasureKind, Referral, ReferralStatus
from cases.services import measure_add, measure_extend
from consultations.models import AgendaItem, Consultation, ConsultationStatus
from partners.models import Gap, GapKind, GapStatus, OrganisationKind, Training, TrainingKind
from partners.services import gap_set_status
from reporting.figures.consultations import consultation_tables
from reporting.figures.duration import closing_tables, duration_tables, repeat_tables
from reporting.figures.judicial import judicial_tables
from reporting.figures.network import network_tables
from reporting.figures.period import Period

from .consultation_helpers import make_legal_basis
from .factories import make_organisation
from .figures_helpers import D, make_director, new_case, table, values

YEAR = Period.year(2025)
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def director(db):
    return make_director()


def _consultation(director, at, status, items):
    consultation = Consultation.objects.create(
        legal_basis=make_legal_basis(director),
        scheduled_at=at,
        location="Zaal",
        chair=director,
        status=status,
        created_by=director,
    )
    for case, discussed in items:
        AgendaItem.objects.create(
            consultation=consultation, case=case, discussed=discussed, added_by=director
        )
    return consultation


def test_consultations_held_and_cases_discussed(director):
    c1, c2, c3, c4 = (new_case(director, D(2025, 1, 1), 3) for _ in range(4))
    _consultation(
        director,
        datetime.datetime(2025, 3, 10, 10, 0, tzinfo=BRUSSELS),
        ConsultationStatus.HELD,
        [(c1, True), (c2, True)],
    )
    # 23:30 on 31 December in Brussels is still 2025.
    _consultation(
        director,
        datetime.datetime(2025, 12, 31, 23, 30, tzinfo=BRUSSELS),
        ConsultationStatus.HELD,
        [(c1, True), (c3, False)],
    )
    # 00:30 on 1 January 2026 in Brussels (still 31 December in UTC) is not.
    _consultation(
        director,
        datetime.datetime(2026, 1, 1, 0, 30, tzinfo=BRUSSELS),
        ConsultationStatus.HELD,
        [(c4, True)],
    )
    _consultation(
        director,
        datetime.datetime(2025, 5, 5, 10, 0, tzinfo=BRUSSELS),
        ConsultationStatus.PLANNED,
        [(c4, True)],
    )
    _consultation(
        director,
        datetime.datetime(2025, 6, 5, 10, 0, tzinfo=BRUSSELS),
        ConsultationStatus.CANCELLED,
        [(c4, False)],
    )
    assert values(table(consultation_tables(YEAR), "consultations")) == {
        "held": 2,
        "cases_discussed": 2,  # c1 (twice) and c2
        "discussions": 3,
    }


def test_an_anonymous_consult_on_an_agenda_is_no_case_discussed(director):
    # The agenda accepts any case the user steers; the figure counts cases, never consults.
    case = new_case(director, D(2025, 1, 1), 3)
    consult = new_case(director, D(2025, 1, 1), 1, is_anonymous_consult=True)
    _consultation(
        director,
        datetime.datetime(2025, 3, 10, 10, 0, tzinfo=BRUSSELS),
        ConsultationStatus.HELD,
        [(case, True), (consult, True)],
    )
    assert values(table(consultation_tables(YEAR), "consultations")) == {
        "held": 1,
        "cases_discussed": 1,
        "discussions": 1,
    }


def test_restraining_orders_started_and_extended(director, settings):
    # y's order is extended twice: more than the law's one extension, so allowed here.
    settings.FJC_RESTRAINING_ORDER_MAX_EXTENSIONS = 2
    x = new_case(director, D(2024, 12, 1), 3)
    y = new_case(director, D(2025, 5, 1), 3)
    by = director
    ro = MeasureKind.RESTRAINING_ORDER
    measure_add(case=x, by=by, kind=ro, starts_on=D(2025, 1, 1), ends_on=D(2025, 1, 10))
    before = measure_add(case=x, by=by, kind=ro, starts_on=D(2024, 12, 25), ends_on=D(2025, 1, 5))
    measure_extend(measure=before, by=by, new_end=D(2025, 3, 1), decided_on=D(2025, 1, 3))
    measure_add(case=x, by=by, kind=ro, starts_on=D(2025, 12, 31), ends_on=D(2026, 1, 10))
    measure_add(case=x, by=by, kind=MeasureKind.CONDITIONS, starts_on=D(2025, 6, 1))
    on_y = measure_add(case=y, by=by, kind=ro, starts_on=D(2025, 6, 1), ends_on=D(2025, 6, 10))
    on_y = measure_extend(measure=on_y, by=by, new_end=D(2025, 6, 20), decided_on=D(2025, 6, 5))
    measure_extend(measure=on_y, by=by, new_end=D(2025, 6, 30), decided_on=D(2025, 6, 15))
    measure_add(case=y, by=by, kind=ro, starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 5))
    assert values(table(judicial_tables(YEAR), "restraining_orders")) == {
        "started": 3,  # x on 1 January and 31 December, y in June
        "cases": 2,
        # The three started, and the one from 2024 that its extension kept in force.
        "in_force": 4,
        "cases_in_force": 2,
        "extensions": 3,  # the 2024 order extended in January, y's order twice
        "extended": 2,
    }


@pytest.fixture
def closed_cases(director):
    ClosingReason.objects.update(is_active=False)
    r1 = ClosingReason.objects.create(name_nl="Doel bereikt", name_en="Goal reached", order=1)
    r2 = ClosingReason.objects.create(name_nl="Doorverwezen", name_en="Referred", order=2)
    ClosingReason.objects.create(name_nl="Verhuisd", name_en="Moved", order=3)
    c = {
        "d1": new_case(director, D(2025, 1, 1), 1, closed=D(2025, 3, 31), reason=r1),  # 89 days
        "d2": new_case(director, D(2025, 1, 1), 1, closed=D(2025, 4, 1), reason=r1),  # 90: 3 months
        "d3": new_case(director, D(2024, 1, 1), 2, closed=D(2025, 1, 1), reason=r2),  # 366
        "d4": new_case(director, D(2024, 12, 31), 2, closed=D(2025, 12, 31), reason=r1),  # 365
        "d5": new_case(director, D(2025, 6, 1), 2, closed=D(2025, 9, 1), reason=r1),  # 92
        "later": new_case(director, D(2025, 6, 1), 3, closed=D(2026, 1, 1), reason=r2),
        "earlier": new_case(director, D(2024, 6, 1), 3, closed=D(2024, 12, 31), reason=r2),
        "anonymous": new_case(
            director, D(2025, 2, 1), 1, closed=D(2025, 2, 2), reason=r2, is_anonymous_consult=True
        ),
    }
    # A repeat from its opening (repeat_since is what the figures read, see test_figures_people).
    Case.objects.filter(pk=c["d5"].pk).update(repeat_of=c["d3"], repeat_since=D(2025, 6, 1))
    repeat_next_year = new_case(director, D(2026, 1, 1), 1)
    Case.objects.filter(pk=repeat_next_year.pk).update(repeat_of=c["d1"])
    return c


def test_duration_per_track_and_in_buckets(closed_cases):
    tables = duration_tables(YEAR)
    assert values(table(tables, "duration_per_track")) == {
        "1": (2, Decimal("89.5"), Decimal("89.5")),
        "2": (3, Decimal("274.3"), Decimal("365.0")),  # 823 / 3 = 274.33...
        "3": (0, None, None),
        "total": (5, Decimal("200.4"), Decimal("92.0")),  # 1002 / 5; median of 89,90,92,365,366
    }
    assert values(table(tables, "duration_buckets")) == {
        "lt_3m": 1,  # d1
        "3_6m": 2,  # d2 (exactly 3 months), d5
        "6_12m": 0,
        "ge_12m": 2,  # d3, d4 (exactly 12 months)
        "total": 5,
    }


def test_closing_reasons(closed_cases):
    t = table(closing_tables(YEAR), "closing_reasons")
    reasons = {r.pk: r.name_en for r in ClosingReason.objects.all()}
    named = {reasons.get(int(k), k) if k.isdigit() else k: v for k, v in values(t).items()}
    # Inactive reasons that were not used are left out; an active unused one shows 0.
    assert named == {"Goal reached": 4, "Referred": 1, "Moved": 0, "total": 5}


def test_repeats_count_and_share(closed_cases):
    # New in 2025 (not anonymous): d1, d2, d5, later; d5 is a repeat.
    assert values(table(repeat_tables(YEAR), "repeats")) == {
        "new": (4, None),
        "repeats": (1, Decimal("25.0")),
    }


def test_network_referrals_trainings_and_gaps(director):
    partner = make_organisation("CGG Figuren", OrganisationKind.PARTNER)
    case = new_case(director, D(2025, 1, 1), 2)

    def referral(direction, on, status=ReferralStatus.PENDING, answered=None, done=None):
        if status != ReferralStatus.PENDING:
            answered = answered or on
        if status == ReferralStatus.DONE:
            done = done or answered
        Referral.objects.create(
            case=case,
            direction=direction,
            partner=partner,
            referred_on=on,
            reason="Hulp",
            status=status,
            answered_on=answered,
            decline_reason="Wachtlijst" if status == ReferralStatus.DECLINED else "",
            done_on=done,
            created_by=director,
        )

    referral("out", D(2025, 1, 1))
    referral("out", D(2025, 12, 31), ReferralStatus.ACCEPTED)
    referral("out", D(2025, 6, 1), ReferralStatus.DECLINED)
    referral("in", D(2025, 3, 3), ReferralStatus.DONE)
    referral("out", D(2024, 12, 31))
    referral("in", D(2026, 1, 1))
    # Answered after the year: still awaiting an answer on 31 December 2025.
    referral("out", D(2025, 11, 1), ReferralStatus.DECLINED, answered=D(2026, 1, 5))
    # Accepted in 2025, done in 2026: accepted on 31 December 2025.
    referral("in", D(2025, 10, 1), ReferralStatus.DONE, answered=D(2025, 10, 2), done=D(2026, 2, 1))
    Training.objects.create(
        date=D(2025, 1, 1), kind=TrainingKind.TRAINING, topic="A", participants=10
    )
    Training.objects.create(
        date=D(2025, 12, 31), kind=TrainingKind.INTERVISION, topic="B", participants=5
    )
    Training.objects.create(
        date=D(2025, 7, 1), kind=TrainingKind.TRAINING, topic="C", participants=3
    )
    Training.objects.create(
        date=D(2024, 12, 31), kind=TrainingKind.TRAINING, topic="D", participants=7
    )

    def gap(kind, on, *changes):
        signalled = Gap.objects.create(
            kind=kind, description="Wachtlijst", signalled_on=on, signalled_by=director
        )
        for status, changed_on in changes:
            gap_set_status(gap=signalled, by=director, status=status, changed_on=changed_on)

    gap(GapKind.WAITING_LIST, D(2025, 1, 1))
    gap(GapKind.WAITING_LIST, D(2025, 5, 1), (GapStatus.CLOSED, D(2025, 5, 2)))
    gap(GapKind.MISSING_SERVICE, D(2025, 12, 31), (GapStatus.FOLLOW_UP, D(2025, 12, 31)))
    gap(GapKind.OTHER, D(2026, 1, 1))
    # Followed up in 2025, closed in 2026: in follow-up on 31 December 2025.
    gap(
        GapKind.SERVICE_REFUSED,
        D(2025, 3, 1),
        (GapStatus.FOLLOW_UP, D(2025, 3, 5)),
        (GapStatus.CLOSED, D(2026, 1, 10)),
    )

    tables = network_tables(YEAR)
    # Columns: pending, accepted, declined, done, total.
    # By their status on 31 December 2025 (an answer given later does not count yet).
    assert values(table(tables, "referrals")) == {
        "out": (2, 1, 1, 0, 4),
        "in": (0, 1, 0, 1, 2),
        "total": (2, 2, 1, 1, 6),
    }
    assert values(table(tables, "trainings")) == {
        # Sessions, participants, partner organisations reached (none linked here).
        "training": (2, 13, 0),
        "intervision": (1, 5, 0),
        "advice": (0, 0, 0),
        "total": (3, 18, 0),
    }
    # Columns: new, follow-up, addressed, closed, total.
    # By their status on 31 December 2025, from the dated status changes.
    assert values(table(tables, "gaps")) == {
        "waiting_list": (1, 0, 0, 1, 2),
        "missing_service": (0, 1, 0, 0, 1),
        "service_refused": (0, 1, 0, 0, 1),
        "other": (0, 0, 0, 0, 0),
        "total": (1, 2, 0, 1, 4),
    }
