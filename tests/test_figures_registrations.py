"""Figures of registrations and triage, and referrals answered in time (issue 19, part 6):
exact counts and medians from dated status records, a past period counting what was
recorded by its end, suppression in the annual figures, on the dashboard and in its files."""

import datetime
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases.models import (
    NotTakenOnReasonCode,
    Referral,
    ReferralStatus,
    Registration,
    RegistrationStatus,
    RegistrationStatusRecord,
)
from partners.models import OrganisationKind, Sector
from reporting.figures.annual import annual_chapters, annual_figures
from reporting.figures.base import HIDDEN_MARKERS
from reporting.figures.period import Period
from reporting.figures.publication import dashboard_figures
from reporting.figures.registrations import registration_tables
from reporting.pdf import render_chapter, report_html

from .factories import make_organisation, make_user
from .figures_helpers import D, make_director, new_case, table, values

BRUSSELS = ZoneInfo("Europe/Brussels")
YEAR = Period.year(2025)
_numbers = itertools.count(1)


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def registration(owner, registrant, by, registered, *records):
    """A registration with its dated status records (received at ``registered``)."""
    made = Registration.objects.create(
        reference=f"AM-TEST-{next(_numbers)}",
        owner_organisation=owner,
        registrant_organisation=registrant,
        registered_by=by,
        registered_at=registered,
        description="Fictief",
        ground="legal",
        legal_ground="police_report",
    )
    RegistrationStatusRecord.objects.create(
        registration=made,
        status=RegistrationStatus.RECEIVED,
        recorded_at=registered,
        recorded_by=by,
    )
    for status, when, extra in records:
        RegistrationStatusRecord.objects.create(
            registration=made, status=status, recorded_at=when, recorded_by=by, **extra
        )
    return made


TAKEN_ON = (RegistrationStatus.TAKEN_ON, {"track": 2})


def not_taken_on(reason):
    return (RegistrationStatus.NOT_TAKEN_ON, {"reason_id": reason})


@pytest.fixture
def data(db, settings):
    settings.FJC_REFERRAL_ANSWER_DAYS = 14
    settings.FJC_FIGURES_CACHE_SECONDS = 0
    director = make_director("director_registrations")
    owner = director.organisation
    police = make_organisation("Politie Figuren", OrganisationKind.POLICE_ZONE)
    # No sector recorded: a police zone counts as police.
    caw = make_organisation("CAW Figuren", OrganisationKind.PARTNER)
    caw.sector = Sector.WELFARE
    caw.save()
    unknown = make_organisation("Zonder sector", OrganisationKind.PARTNER)
    by = make_user("registrant_figures", police, "partner_professional")
    # 2025: two by the police, two by a CAW, one by an organisation without a sector.
    registration(owner, police, by, at(2025, 1, 10), (TAKEN_ON[0], at(2025, 1, 15), TAKEN_ON[1]))
    registration(
        owner,
        police,
        by,
        at(2025, 3, 1),
        (
            *not_taken_on(NotTakenOnReasonCode.OUTSIDE_AREA)[:1],
            at(2025, 3, 3),
            not_taken_on(NotTakenOnReasonCode.OUTSIDE_AREA)[1],
        ),
    )
    registration(
        owner,
        caw,
        by,
        at(2025, 6, 1),
        (RegistrationStatus.WAITING_LIST, at(2025, 6, 2), {}),
        (TAKEN_ON[0], at(2025, 6, 11), TAKEN_ON[1]),
    )
    registration(
        owner,
        caw,
        by,
        at(2025, 11, 30, 23, 30),
        (RegistrationStatus.WAITING_LIST, at(2025, 12, 1), {}),
    )
    # The last evening of the year, decided in 2026: received on 31 December 2025.
    registration(
        owner, unknown, by, at(2025, 12, 31, 23, 30), (TAKEN_ON[0], at(2026, 1, 4), TAKEN_ON[1])
    )
    # Registered in 2024, decided in 2025: counts only in the waiting times of 2025.
    registration(
        owner,
        police,
        by,
        at(2024, 12, 28),
        (RegistrationStatus.NOT_TAKEN_ON, at(2025, 1, 2), {"reason_id": "no_family_violence"}),
    )
    # Referrals to partners (and one from a partner, which is not counted).
    case = new_case(director, D(2025, 1, 1), 2)

    def referral(direction, on, status=ReferralStatus.PENDING, answered=None):
        Referral.objects.create(
            case=case,
            direction=direction,
            partner=caw,
            referred_on=on,
            reason="Hulp",
            status=status,
            answered_on=answered,
            decline_reason="Wachtlijst" if status == ReferralStatus.DECLINED else "",
            created_by=director,
        )

    referral("out", D(2025, 1, 1), ReferralStatus.ACCEPTED, D(2025, 1, 15))  # 14 days: in time
    referral("out", D(2025, 2, 1), ReferralStatus.DECLINED, D(2025, 3, 1))  # late
    referral("out", D(2025, 3, 1))  # never answered: overdue
    referral("out", D(2025, 12, 25))  # six days on 31 December: still within
    referral("out", D(2025, 12, 1), ReferralStatus.ACCEPTED, D(2026, 1, 5))  # overdue then
    referral("in", D(2025, 5, 1))
    return director


def test_registrations_by_registrant_sector(data):
    counts = values(table(registration_tables(YEAR), "registrations_by_sector"))
    assert counts[Sector.POLICE] == 2
    assert counts[Sector.WELFARE] == 2
    assert counts["unknown"] == 1
    assert counts["total"] == 5
    assert counts[Sector.HEALTH] == 0


def test_decisions_by_status_at_the_end_of_the_period(data):
    counts = values(table(registration_tables(YEAR), "registration_decisions"))
    assert counts["taken_on"] == 2
    assert counts[f"not_taken_on:{NotTakenOnReasonCode.OUTSIDE_AREA}"] == 1
    assert counts[f"not_taken_on:{NotTakenOnReasonCode.NO_FAMILY_VIOLENCE}"] == 0
    assert counts["waiting_list"] == 1
    # Taken on in January 2026: not decided on 31 December 2025.
    assert counts["undecided"] == 1
    assert counts["total"] == 5
    # A past period counts what was recorded by its end: the first half of 2025.
    half = values(
        table(registration_tables(Period(D(2025, 1, 1), D(2025, 6, 5))), "registration_decisions")
    )
    assert half["taken_on"] == 1 and half["waiting_list"] == 1 and half["total"] == 3


def test_waiting_times_median_days_to_decision(data):
    rows = values(table(registration_tables(YEAR), "registration_waiting_times"))
    # Taken on after 5 and 10 days; not taken on after 2 and 5 (the one of 2024).
    assert rows["taken_on"] == (2, Decimal("7.5"))
    assert rows["not_taken_on"] == (2, Decimal("3.5"))
    assert rows["total"] == (4, Decimal("5.0"))
    january = values(
        table(
            registration_tables(Period(D(2026, 1, 1), D(2026, 1, 31))), "registration_waiting_times"
        )
    )
    # 31 December 23:30 to 4 January: four calendar days in Brussels.
    assert january["total"] == (1, Decimal("4.0"))


def test_referrals_answered_within_the_setting(data, settings):
    rows = values(table(registration_tables(YEAR), "referrals_answered"))
    assert rows == {"in_time": 1, "late": 1, "overdue": 2, "pending": 1, "total": 5}
    settings.FJC_REFERRAL_ANSWER_DAYS = 30
    rows = values(table(registration_tables(YEAR), "referrals_answered"))
    assert rows == {"in_time": 2, "late": 0, "overdue": 1, "pending": 2, "total": 5}


def test_in_the_annual_figures_suppressed_and_protected(data):
    chapters = annual_figures(2025)
    chapter = next(c for c in chapters if c.key == "registrations")
    assert [t.key for t in chapter.tables] == [
        "registrations_by_sector",
        "registration_decisions",
        "registration_waiting_times",
        "referrals_answered",
    ]
    for t in chapter.tables:
        shown = t.display_rows()
        for row, raw in zip(shown, t.rows, strict=True):
            for cell, value, column in zip(row, raw, t.columns, strict=True):
                if column.suppress_small and isinstance(value, int) and 0 < value < 5:
                    assert cell in HIDDEN_MARKERS, (t.key, row)
        assert t.note
    waiting = table(chapters, "registration_waiting_times").display_rows()
    # A median computed from fewer than five registrations is hidden with its count ("< 5",
    # or "x" where the months of the year would give a "< 5" away).
    assert all(cell in HIDDEN_MARKERS for row in waiting for cell in row[1:])
    assert all(row[1] == row[2] for row in waiting)
    # Zeros stay zeros: a sector without registrations is shown as 0.
    sectors = dict(
        zip(
            table(chapters, "registrations_by_sector").row_keys,
            table(chapters, "registrations_by_sector").display_rows(),
            strict=True,
        )
    )
    assert sectors[Sector.HEALTH][1] == "0"


def test_in_the_pdf(data):
    chapters = annual_figures(2025)
    rendered = [render_chapter(c, i) for i, c in enumerate(chapters, start=1)]
    html = report_html(chapters=rendered, year=2025, made_at=at(2026, 1, 10))
    assert "Aanmeldingen per sector van de aanmelder" in html
    assert "Tijdig beantwoorde doorverwijzingen naar partners" in html


def test_on_the_dashboard_page_and_in_its_csv(data, client):
    vo = make_organisation("Vlaamse overheid reg", OrganisationKind.FLEMISH_GOVERNMENT)
    coordinator = make_user("netcoord_registrations", vo, "network_coordinator")
    client.force_login(coordinator)
    url = reverse("reporting:dashboard")
    page = client.get(url, {"period": "2025"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Aanmeldingen per sector van de aanmelder" in html
    assert "Wachttijd van aanmelding tot beslissing" in html
    tables, _at = dashboard_figures(YEAR)
    assert {"registrations_by_sector", "referrals_answered"} <= {t.key for t in tables}
    response = client.get(
        url, {"period": "2025", "format": "csv", "table": "registration_decisions"}
    )
    assert response.status_code == 200
    text = b"".join(response).decode("utf-8-sig")
    assert "Opgenomen" in text and "< 5" in text
    # No client and no registration reference in the file.
    assert "AM-TEST" not in text


def test_the_chapter_is_built_from_the_same_selectors(data):
    chapter = next(c for c in annual_chapters(2025) if c.key == "registrations")
    assert values(chapter.tables[0]) == values(
        table(registration_tables(YEAR), "registrations_by_sector")
    )
