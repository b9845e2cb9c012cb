"""The network coordinator's dashboard: every figure pinned against a hand-computed data
set (period boundaries, zero months, "< 5" on the page, in the CSV and in the XLSX),
formula-safe downloads, the period chooser, access, audit and constant query counts."""

import csv
import datetime
import io
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from access.models import AuditAction, AuditEvent
from cases.models import Referral, ReferralStatus
from consultations.models import AgendaItem, Consultation, ConsultationStatus, Participant
from partners.models import (
    Gap,
    GapKind,
    GapStatus,
    MunicipalityPopulation,
    OrganisationKind,
    Sector,
    Training,
    TrainingKind,
)
from partners.services import gap_set_status
from reporting.exports import tables_xlsx
from reporting.figures import network
from reporting.figures.base import Column, Table
from reporting.figures.partnership import (
    consultation_participation,
    dashboard_tables,
    referrals_per_month,
    referrals_per_partner,
)
from reporting.figures.period import Period
from reporting.figures.publication import calendar_code
from reporting.network_charts import series_chart_svg

from .clock import MIDYEAR
from .consultation_helpers import make_legal_basis
from .factories import make_organisation, make_user
from .figures_helpers import REGION, D, make_director, make_region, new_case, table, values

BRUSSELS = ZoneInfo("Europe/Brussels")
Q1 = Period(D(2025, 1, 1), D(2025, 3, 31))
URL = reverse("reporting:dashboard")


LEGEND_START = "“< 5”: "


def csv_rows(response) -> list[list[str]]:
    """A CSV as Belgian Excel reads it: UTF-8 with a byte order mark, ";" between cells;
    the table's rows only (a table with hidden cells ends with an empty line and the
    markers explained, in Dutch)."""
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    if [] in rows:
        legend = rows[rows.index([]) + 1 :]
        assert len(legend) == 1 and legend[0][0].startswith(LEGEND_START), legend
        rows = rows[: rows.index([])]
    return rows


def q(period: Period, **extra: str) -> dict[str, str]:
    return {"period": calendar_code(period), **extra}


# --- a hand-computed data set ---


def refer(case, partner, direction, on, status=ReferralStatus.PENDING):
    answered = on if status != ReferralStatus.PENDING else None
    return Referral.objects.create(
        case=case,
        direction=direction,
        partner=partner,
        referred_on=on,
        reason="Hulp",
        status=status,
        answered_on=answered,
        decline_reason="Wachtlijst" if status == ReferralStatus.DECLINED else "",
        done_on=on if status == ReferralStatus.DONE else None,
        created_by=case.case_director,
    )


def consult(director, at, status, participants, items):
    """``participants``: (organisation, removed); ``items``: (case, discussed, removed)."""
    consultation = Consultation.objects.create(
        legal_basis=make_legal_basis(director),
        scheduled_at=at,
        location="Zaal",
        chair=director,
        status=status,
        created_by=director,
    )
    Participant.objects.create(
        consultation=consultation,
        user=director,
        organisation=director.organisation,
        added_by=director,
    )
    for organisation, removed in participants:
        Participant.objects.create(
            consultation=consultation,
            name="Vertegenwoordiger",
            organisation=organisation,
            added_by=director,
            removed_at=timezone.now() if removed else None,
        )
    for case, discussed, removed in items:
        AgendaItem.objects.create(
            consultation=consultation,
            case=case,
            discussed=discussed,
            added_by=director,
            removed_at=timezone.now() if removed else None,
        )
    return consultation


@pytest.fixture
def data(db):
    d = SimpleNamespace()
    d.director = make_director()
    d.city = d.director.organisation
    d.alfa = make_organisation("Alfa CGG", OrganisationKind.PARTNER)
    d.alfa.sector = Sector.HEALTH
    d.alfa.save()
    d.beta = make_organisation("Beta Politie", OrganisationKind.POLICE_ZONE)
    d.beta.sector = Sector.POLICE
    d.beta.save()
    # A name a spreadsheet would run as a formula.
    d.gamma = make_organisation("=1+1 Gamma", OrganisationKind.PARTNER)
    d.delta = make_organisation("Delta OCMW", OrganisationKind.PARTNER)
    # Cases opened outside the period, so they do not count as new cases in it.
    case = new_case(d.director, D(2024, 6, 1), 3)
    d.cases = [case, *(new_case(d.director, D(2024, 6, 1), 3) for _ in range(4))]
    alfa, beta, gamma, delta = d.alfa, d.beta, d.gamma, d.delta
    accepted, declined, done = (
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.DONE,
    )
    for on in (D(2025, 1, 1), D(2025, 1, 15), D(2025, 2, 10), D(2025, 2, 11), D(2025, 3, 31)):
        refer(case, alfa, "in", on, accepted)
    refer(case, alfa, "in", D(2025, 3, 5), declined)
    refer(case, alfa, "out", D(2025, 1, 20))
    refer(case, alfa, "out", D(2025, 3, 1), done)
    refer(case, beta, "out", D(2025, 2, 28), declined)
    refer(case, gamma, "in", D(2025, 1, 31))
    # Delta: only outside Q1 (inside the wider period of the months test, but the two
    # at its edges are outside that one too).
    refer(case, delta, "out", D(2024, 11, 14))
    refer(case, delta, "out", D(2024, 12, 31))
    refer(case, delta, "in", D(2025, 4, 1))
    refer(case, delta, "in", D(2025, 4, 11))

    c1, c2, c3, c4, c5 = d.cases

    def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
        return datetime.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)

    consult(
        d.director,
        at(2025, 1, 10, 10, 0),
        ConsultationStatus.HELD,
        [(alfa, False), (beta, True)],
        [(c1, True, False), (c2, True, False), (c3, False, False)],
    )
    # 23:30 on 31 March in Brussels is still in Q1.
    consult(
        d.director,
        at(2025, 3, 31, 23, 30),
        ConsultationStatus.HELD,
        [(alfa, False)],
        [(c1, True, False), (c4, True, True)],
    )
    # 00:30 on 1 April in Brussels (31 March in UTC) is not.
    consult(d.director, at(2025, 4, 1, 0, 30), ConsultationStatus.HELD, [(beta, False)], [])
    consult(d.director, at(2025, 2, 1, 10, 0), ConsultationStatus.PLANNED, [(beta, False)], [])
    consult(
        d.director,
        at(2025, 2, 15, 10, 0),
        ConsultationStatus.HELD,
        [(beta, False)],
        [(c2, True, False), (c5, True, False)],
    )

    d.places = make_region()
    for name, (inhabitants, _zone) in REGION.items():
        MunicipalityPopulation.objects.create(
            municipality=d.places[name], year=2025, inhabitants=inhabitants
        )
    for _ in range(5):
        new_case(d.director, D(2025, 2, 1), 1, municipality=d.places["Mechelen"])
    # Two in Lier, so that Lier and the one case without a municipality, both "< 5", do
    # not add up to 2 (which would pin both to 1 and hide Mechelen as their complement).
    new_case(d.director, D(2025, 3, 31), 2, municipality=d.places["Lier"])
    new_case(d.director, D(2025, 3, 31), 2, municipality=d.places["Lier"])
    new_case(d.director, D(2024, 12, 31), 2, municipality=d.places["Lier"])
    new_case(d.director, D(2025, 1, 1), 2)

    for kind, on, status in [
        (GapKind.WAITING_LIST, D(2025, 1, 1), GapStatus.NEW),
        (GapKind.WAITING_LIST, D(2025, 3, 31), GapStatus.NEW),
        (GapKind.MISSING_SERVICE, D(2025, 2, 2), GapStatus.CLOSED),
        (GapKind.OTHER, D(2025, 4, 1), GapStatus.NEW),
    ]:
        gap = Gap.objects.create(
            kind=kind, description="Wachtlijst", signalled_on=on, signalled_by=d.director
        )
        if status != GapStatus.NEW:
            # A status counts from its dated change (the figures count the status on the
            # period's last day), so it is set through the service, on the signalling day.
            gap_set_status(gap=gap, by=d.director, status=status, changed_on=on)

    for on, training_kind, participants, organisations in [
        (D(2025, 1, 5), TrainingKind.TRAINING, 12, [alfa, beta]),
        (D(2025, 3, 31), TrainingKind.INTERVISION, 3, [alfa]),
        (D(2025, 2, 2), TrainingKind.TRAINING, 7, []),
        (D(2025, 4, 1), TrainingKind.ADVICE, 9, [delta]),
        (D(2024, 12, 31), TrainingKind.TRAINING, 4, [gamma]),
    ]:
        training = Training.objects.create(
            date=on, kind=training_kind, topic="Risicotaxatie", participants=participants
        )
        training.organisations.set(organisations)
    return d


# --- the figures ---


def test_referrals_per_partner(data):
    t = referrals_per_partner(Q1)
    # Columns: in, out, accepted, declined. Delta had none in Q1: not listed.
    assert values(t) == {
        f"organisation:{data.gamma.pk}": (1, 0, 0, 0),
        f"organisation:{data.alfa.pk}": (6, 2, 5, 1),
        f"organisation:{data.beta.pk}": (0, 1, 0, 1),
        "total": (7, 3, 5, 2),
    }
    by_key = dict(zip(t.row_keys, t.rows, strict=True))
    assert by_key[f"organisation:{data.alfa.pk}"][:2] == ["Alfa CGG", str(Sector.HEALTH.label)]
    assert by_key[f"organisation:{data.gamma.pk}"][1] == "—"  # no sector recorded
    shown = dict(zip(t.row_keys, t.display_rows(), strict=True))
    # Gamma's one referral in would be the total minus Alfa's 6: Alfa's 6, the smallest
    # other count of that column, is hidden as its complement ("x").
    assert shown[f"organisation:{data.gamma.pk}"][2:] == ["< 5", "0", "0", "0"]
    assert shown[f"organisation:{data.alfa.pk}"][2:] == ["x", "< 5", "5", "< 5"]
    assert shown[f"organisation:{data.beta.pk}"][2:] == ["0", "< 5", "0", "< 5"]
    assert shown["total"][2:] == ["7", "< 5", "5", "< 5"]


def test_referrals_per_month_lists_every_month_with_zeros(data):
    period = Period(D(2024, 11, 15), D(2025, 4, 10))
    t = referrals_per_month(period)
    # Columns: in, out. 14 November and 11 April fall just outside.
    assert values(t) == {
        "2024-11": (0, 0),
        "2024-12": (0, 1),
        "2025-01": (3, 1),
        "2025-02": (2, 1),
        "2025-03": (2, 1),
        "2025-04": (1, 0),
        "total": (8, 4),
    }
    shown = dict(zip(t.row_keys, t.display_rows(), strict=True))
    assert shown["2024-11"][1:] == ["0", "0"]
    assert shown["2025-01"][1:] == ["< 5", "< 5"]
    # Four months of "< 5" referrals out make at least 4: a total "< 5" would pin them
    # all to 1, so the total is "x".
    assert shown["total"][1:] == ["8", "x"]
    assert list(values(referrals_per_month(Period(D(2025, 2, 1), D(2025, 2, 28))))) == [
        "2025-02",
        "total",
    ]


def test_consultation_participation(data):
    t = consultation_participation(Q1)
    # Held in Q1: 10 January, 15 February and 31 March 23:30 (Brussels). Beta was removed
    # from the first; the removed agenda item of the last and the undiscussed one do not
    # count. Columns: consultations, held, share, cases discussed.
    assert values(t) == {
        f"organisation:{data.alfa.pk}": (2, 3, Decimal("66.7"), 2),
        f"organisation:{data.beta.pk}": (1, 3, Decimal("33.3"), 2),
        f"organisation:{data.city.pk}": (3, 3, Decimal("100.0"), 3),
        "total": (3, 3, None, 3),
    }
    shown = dict(zip(t.row_keys, t.display_rows(), strict=True))
    # Every count is below 5, and the share would give it away: all "< 5".
    assert shown[f"organisation:{data.alfa.pk}"][1:] == ["< 5"] * 4
    # The total has no share; base.display_rows shows it as "< 5" with its small count.
    assert shown["total"][1:] == ["< 5", "< 5", "< 5", "< 5"]


def test_cases_per_municipality_reuses_the_places_figures(data):
    t = table(dashboard_tables(Q1), "cases_by_municipality")
    found = values(t)
    # Columns: new cases, inhabitants, year of the figure, per 10,000.
    assert found["municipality:Mechelen"] == (5, 86921, 2025, Decimal("0.6"))
    assert found["municipality:Lier"] == (2, 36646, 2025, Decimal("0.5"))
    assert found["unknown"][0] == 1
    assert found["total"][0] == 8
    shown = dict(zip(t.row_keys, t.display_rows(), strict=True))
    assert shown["municipality:Mechelen"][1] == "5"
    assert shown["municipality:Lier"][1] == "< 5"
    assert shown["municipality:Lier"][4] == "< 5"  # the rate would give the count away


def test_gaps_by_kind_and_status_are_suppressed(data):
    t = table(dashboard_tables(Q1), "gaps")
    # Columns: new, in follow-up, addressed, closed, total.
    assert values(t) == {
        "waiting_list": (2, 0, 0, 0, 2),
        "missing_service": (0, 0, 0, 1, 1),
        "service_refused": (0, 0, 0, 0, 0),
        "other": (0, 0, 0, 0, 0),
        "total": (2, 0, 0, 1, 3),
    }
    shown = dict(zip(t.row_keys, t.display_rows(), strict=True))
    # A gap is signalled about a client's situation: small counts are hidden too.
    assert shown["waiting_list"][1:] == ["< 5", "0", "0", "0", "< 5"]
    assert shown["total"][1:] == ["< 5", "0", "0", "< 5", "< 5"]


def test_trainings_given_with_organisations_reached(data):
    t = network.trainings(Q1)
    # Columns: sessions, participants, organisations reached (each once).
    assert values(t) == {
        "training": (2, 19, 2),
        "intervision": (1, 3, 1),
        "advice": (0, 0, 0),
        "total": (3, 22, 2),
    }
    shown = dict(zip(t.row_keys, t.display_rows(), strict=True))
    assert shown["intervision"][1:] == ["1", "3", "1"]


# --- the page ---


class _Tables(HTMLParser):
    """The cells of every <table data-table=...>, as text, by table key."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.key: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "data-table" in attributes:
            self.key = attributes["data-table"]
            self.tables[self.key] = []
        elif self.key and tag == "tr":
            self.tables[self.key].append([])
        elif self.key and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.key = None
        elif self.key and tag in ("td", "th") and self.cell is not None:
            self.tables[self.key][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, text):
        if self.cell is not None:
            self.cell.append(text)


def page_tables(response) -> dict[str, dict[str, list[str]]]:
    """table key -> first cell of each body row -> the row's cells."""
    parser = _Tables()
    parser.feed(response.content.decode())
    return {key: {row[0]: row for row in rows[1:]} for key, rows in parser.tables.items()}


@pytest.fixture
def coordinator(data):
    vo = make_organisation("Vlaamse overheid test", OrganisationKind.FLEMISH_GOVERNMENT)
    return make_user("netcoord_dashboard", vo, "network_coordinator")


def test_page_shows_every_table_with_suppression(data, coordinator, client):
    client.force_login(coordinator)
    response = client.get(URL, q(Q1))
    assert response.status_code == 200
    assert response.context["period"] == Q1 and not response.context["refused"]
    tables = page_tables(response)
    # The markers explained on the page.
    assert "“x” staat (nooit 0) is verborgen" in response.content.decode()
    assert set(tables) == {
        "referrals_per_partner",
        "referrals_per_month",
        "consultation_participation",
        "cases_by_municipality",
        "gaps",
        "trainings",
        "minors_by_role",
        # Child plans and reports to the VK / OCJ / youth court (issue 18, part 5).
        "child_trajectory",
        # The violence's two dimensions (issue 18).
        "cases_by_relationship_context",
        "cases_by_form_of_violence",
        # Registrations and referrals answered in time (issue 19).
        "registrations_by_sector",
        "registration_decisions",
        "registration_waiting_times",
        "referrals_answered",
    }
    # Protected with every other calendar period of 2025 and the annual report: Gamma's
    # one referral in is covered by Alfa's 6 ("x"); Alfa's 2 and Beta's 1 referrals out
    # are "x" too, since as "< 5" the months (1 each) would pin them.
    assert tables["referrals_per_partner"]["Alfa CGG"][2:] == ["x", "x", "5", "< 5"]
    assert tables["referrals_per_partner"]["Beta Politie"][2:] == ["0", "x", "0", "< 5"]
    assert tables["referrals_per_partner"]["=1+1 Gamma"][2:] == ["< 5", "0", "0", "0"]
    assert "Delta OCMW" not in tables["referrals_per_partner"]
    assert [row[1:] for row in tables["referrals_per_month"].values()] == [
        ["< 5", "x"],
        ["< 5", "x"],
        ["< 5", "x"],
        ["x", "< 5"],
    ]
    # The number held (3: three months of 1) cannot be "< 5" as well: "x".
    assert tables["consultation_participation"]["Alfa CGG"][1:] == ["< 5", "x", "< 5", "< 5"]
    # Dutch number format (issue 12): thousands point, decimal comma; a year stays a year.
    assert tables["cases_by_municipality"]["Mechelen"][1:] == ["5", "86.921", "2025", "0,6"]
    assert tables["cases_by_municipality"]["Lier"][1] == "< 5"
    totals = [row for name, row in tables["trainings"].items() if name not in ("Total", "Totaal")]
    assert [row[1:] for row in totals] == [["2", "19", "2"], ["1", "3", "1"], ["0", "0", "0"]]
    html = response.content.decode()
    # A chart per table, accessible, with no bar for a suppressed count.
    assert html.count('role="img"') == 14
    assert '<title id="chart-referrals_per_partner-title">' in html
    # Nothing that leads to a case.
    assert "/cases/" not in html


def test_chart_draws_no_bar_for_a_hidden_count(data):
    t = referrals_per_partner(Q1)
    svg = str(series_chart_svg(t, columns=("in", "out"), chart_id="c"))
    assert 'role="img"' in svg and '<title id="c-title">' in svg
    # No bar at all: Gamma's in (1) and Alfa's out (2) are "< 5", Alfa's in (6) is their
    # complement "x", Beta's out (1) "< 5"; only the markers are written.
    assert "</title></rect>" not in svg
    assert ": 6" not in svg and ": 2" not in svg and ": 1" not in svg
    assert "&lt; 5" in svg and ">x</text>" in svg


def test_default_period_is_this_year(coordinator, client):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["period"] == Period.year(timezone.localdate().year)
    assert not response.context["refused"]


@pytest.mark.parametrize(
    "params",
    [
        # Free ranges of days, the attack of issue 12: 1 January-31 December against
        # 1 January-30 December gave 31 December's counts away.
        {"start": "2025-01-01", "end": "2025-12-30"},
        {"start": "2025-01-01", "end": "2025-12-31"},
        {"period": "2025", "start": "2025-01-01", "end": "2025-12-30"},
        {"period": "2025-12-31"},
        {"period": "2025-Q5"},
        {"period": "2025-13"},
        {"period": "2025-W01"},
        {"period": "gisteren"},
        {"period": ""},
        {"period": "1999"},
        {"period": "2999"},
    ],
)
def test_anything_but_a_calendar_period_is_refused_and_nothing_is_computed(
    coordinator, client, params, monkeypatch
):
    computed = []
    monkeypatch.setattr(
        "reporting.views.dashboard.dashboard_figures", lambda period: computed.append(period)
    )
    client.force_login(coordinator)
    for extra in ({}, {"format": "csv", "table": "gaps"}, {"format": "xlsx"}):
        response = client.get(URL, {**params, **extra})
        assert response.status_code == 400
        assert response.context["refused"] and response.context["tables"] == []
        assert "period" in response.context["form"].errors
        html = response.content.decode()
        assert 'id="period-refused"' in html
        # The reason in Dutch (the default language), and no file.
        assert "Kies een kalenderjaar (bv. 2025), een kwartaal (bv. 2025-Q2)" in html
        assert "attachment" not in response.get("Content-Disposition", "")
    assert computed == []
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize(
    ("code", "period"),
    [
        ("2025", Period(D(2025, 1, 1), D(2025, 12, 31))),
        ("2025-Q2", Period(D(2025, 4, 1), D(2025, 6, 30))),
        ("2025-q4", Period(D(2025, 10, 1), D(2025, 12, 31))),
        ("2024-02", Period(D(2024, 2, 1), D(2024, 2, 29))),
        ("2025-12", Period(D(2025, 12, 1), D(2025, 12, 31))),
    ],
)
def test_a_calendar_month_quarter_or_year_is_shown(coordinator, client, code, period):
    client.force_login(coordinator)
    response = client.get(URL, {"period": code})
    assert response.status_code == 200
    assert response.context["period"] == period and not response.context["refused"]
    # The downloads carry the same period.
    html = response.content.decode()
    assert f"?period={calendar_code(period)}&amp;format=xlsx" in html
    assert f"?period={calendar_code(period)}&amp;format=csv&amp;table=gaps" in html


def test_presets_adapt_to_the_year_shown(coordinator, client):
    client.force_login(coordinator)
    response = client.get(URL, {"period": "2025-Q2"})
    presets = {preset.label: preset for preset in response.context["presets"]}
    assert (
        presets["2e kwartaal 2025"].current
        and presets["2e kwartaal 2025"].query == "period=2025-Q2"
    )
    assert presets["4e kwartaal 2025"].period == Period(D(2025, 10, 1), D(2025, 12, 31))
    assert presets["maart 2025"].query == "period=2025-03"
    assert "period=2025-Q2" in response.content.decode()


# --- downloads ---


def test_csv_per_table_with_suppression_and_formula_safety(data, coordinator, client):
    client.force_login(coordinator)
    response = client.get(URL, q(Q1, format="csv", table="referrals_per_partner"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="netwerk-referrals_per_partner-20250101-20250331.csv"'
        in response["Content-Disposition"]
    )
    rows = csv_rows(response)
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Alfa CGG"][2:] == ["x", "x", "5", "< 5"]
    # The raw small count never leaves: "< 5".
    assert by_name["'=1+1 Gamma"][1:] == ["—", "< 5", "0", "0", "0"]
    assert "=1+1 Gamma" not in by_name
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert event.user == coordinator and event.case_id is None
    assert event.detail == {
        "period": "2025-Q1",
        "start": "2025-01-01",
        "end": "2025-03-31",
        "format": "csv",
        "table": "referrals_per_partner",
    }


def test_csv_of_every_table(data, coordinator, client):
    client.force_login(coordinator)
    for t in dashboard_tables(Q1):
        response = client.get(URL, q(Q1, format="csv", table=t.key))
        assert response.status_code == 200
        rows = csv_rows(response)
        assert len(rows) == len(t.rows) + 1


def test_csv_empty_cell_where_there_is_no_value(data, coordinator, client):
    client.force_login(coordinator)
    response = client.get(URL, q(Q1, format="csv", table="cases_by_municipality"))
    rows = csv_rows(response)
    # No inhabitants for "municipality not recorded": an empty cell, not "-" (which a
    # spreadsheet would need to be kept from reading as a formula).
    unknown = rows[-2]
    assert unknown[0] == "Gemeente niet geregistreerd"
    assert unknown[1:] == ["< 5", "", "", "< 5"]


def test_csv_numbers_have_a_decimal_comma_and_no_thousands_separator(data, coordinator, client):
    client.force_login(coordinator)
    response = client.get(URL, q(Q1, format="csv", table="cases_by_municipality"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    by_name = {row[0]: row for row in csv_rows(response)[1:]}
    # Belgian Excel reads "0,6" as a number; "86921" too (a "." would be a thousands point).
    assert by_name["Mechelen"][1:] == ["5", "86921", "2025", "0,6"]
    # The same in English: the file is made for Belgian Excel, not for the page's language.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(URL, q(Q1, format="csv", table="cases_by_municipality"))
    assert {row[0]: row for row in csv_rows(response)[1:]}["Mechelen"][1:] == [
        "5",
        "86921",
        "2025",
        "0,6",
    ]


def test_english_page_keeps_english_number_format(data, coordinator, client):
    client.force_login(coordinator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    tables = page_tables(client.get(URL, q(Q1)))
    assert tables["cases_by_municipality"]["Mechelen"][1:] == ["5", "86,921", "2025", "0.6"]


def test_display_follows_the_language_number_format():
    t = Table(
        key="t",
        title="T",
        columns=(
            Column("label", "Label", is_label=True),
            Column("count", "Count", suppress_small=True),
            Column("amount", "Amount"),
            Column("rate", "Rate"),
            Column("year", "Year", is_year=True),
        ),
        rows=[["x", 1234, Decimal("275000.01"), Decimal("0.6"), 2025], ["y", 3, None, "—", None]],
    )
    with translation.override("nl"):
        assert t.display_rows() == [
            ["x", "1.234", "275.000,01", "0,6", "2025"],
            ["y", "< 5", "-", "—", "-"],
        ]
    with translation.override("en"):
        assert t.display_rows()[0] == ["x", "1,234", "275,000.01", "0.6", "2025"]


def test_chart_draws_a_bar_for_a_count_shown_with_a_thousands_separator():
    t = Table(
        key="t",
        title="T",
        columns=(Column("label", "Label", is_label=True), Column("n", "N", suppress_small=True)),
        rows=[["Big", 1234], ["Small", 7]],
        row_keys=["big", "small"],
    )
    with translation.override("nl"):
        svg = str(series_chart_svg(t, columns=("n",), chart_id="c"))
    # The bar is drawn from the raw count; its title shows it as the page does.
    assert "Big, N: 1.234</title></rect>" in svg


def test_unknown_table_or_format_is_404(coordinator, client):
    client.force_login(coordinator)
    assert client.get(URL, q(Q1, format="csv", table="people")).status_code == 404
    assert client.get(URL, q(Q1, format="csv")).status_code == 404
    assert client.get(URL, q(Q1, format="pdf")).status_code == 404


def test_xlsx_workbook_has_a_sheet_per_table(data, coordinator, client):
    client.force_login(coordinator)
    response = client.get(URL, q(Q1, format="xlsx"))
    assert response.status_code == 200
    assert 'filename="netwerk-dashboard-20250101-20250331.xlsx"' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    tables = dashboard_tables(Q1)
    # Sheets named by the Dutch titles (Excel: at most 31 characters, none of []:*?/\).
    assert workbook.sheetnames == [
        "Doorverwijzingen per partner",
        "Doorverwijzingen per maand",
        "Deelname aan casusoverleggen",
        "Nieuwe dossiers per gemeente",
        "Hiaten in het hulpaanbod",
        "Gegeven vormingen en sessies",
        "Kinderen slachtoffer of getuige",
        "Kindplannen en meldingen",
        "Dossiers per relatiecontext",
        "Dossiers per vorm van geweld",
        "Aanmeldingen per sector",
        "Beslissingen over aanmeldingen",
        "Wachttijden",
        "Verwijzingen tijdig beantwoord",
    ]
    sheets = dict(zip([t.key for t in tables], workbook.worksheets, strict=True))
    sheet = sheets["referrals_per_partner"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Alfa CGG"][2:] == ("x", "x", 5, "< 5")
    assert rows["'=1+1 Gamma"][2:] == ("< 5", 0, 0, 0)
    assert rows["'=1+1 Gamma"][1] == "—"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    months = list(sheets["referrals_per_month"].iter_rows(min_row=2, values_only=True))
    assert [row[1:] for row in months] == [("< 5", "x")] * 3 + [("x", "< 5")] + [(None, None)] * 2
    # Below the table: an empty row and the markers explained.
    assert str(months[-1][0]).startswith(LEGEND_START)
    places = {row[0]: row for row in sheets["cases_by_municipality"].iter_rows(values_only=True)}
    assert places["Mechelen"][1:] == (5, 86921, 2025, 0.6)
    assert places["Lier"][1] == "< 5" and places["Lier"][4] == "< 5"
    trainings = list(sheets["trainings"].iter_rows(min_row=2, values_only=True))
    # Trainings count no client: nothing hidden, so no legend either.
    assert trainings[-1][1:] == (3, 22, 2)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert event.case_id is None and event.detail["format"] == "xlsx"


def test_xlsx_sheet_names_are_valid_for_excel():
    def t(key: str, title: str) -> Table:
        return Table(key=key, title=title, columns=(Column("n", "N"),), rows=[[1]])

    long = "Nieuwe dossiers per politiezone (van de gemeente van het dossier)"
    content = tables_xlsx([t("a", "Wat? [A/B]: *x*\\y"), t("b", long), t("c", long), t("d", "")])
    names = openpyxl.load_workbook(io.BytesIO(content)).sheetnames
    assert names[0] == "Wat A B x y"
    assert len(set(names)) == 4
    for name in names:
        assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\'")


# --- access ---


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("netcoord_vo_a", 200),
        ("opslead_city_a", 200),
        ("director_city_a", 403),
        ("admin_city_a", 403),
        ("superuser", 403),
        ("liaison_parket_a", 403),
        ("partner_police_a", 403),
    ],
)
def test_who_sees_the_dashboard(world, client, username, status):
    client.force_login(world.users[username])
    assert client.get(URL).status_code == status
    assert client.get(URL, {"format": "xlsx"}).status_code == status


def test_anonymous_is_sent_to_log_in(world, client):
    response = client.get(URL, {"format": "csv", "table": "gaps"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_network_coordinator_gets_404_on_every_case_url(world, client):
    client.force_login(world.users["netcoord_vo_a"])
    for case in world.cases.values():
        for name in ("cases:detail", "cases:history", "cases:update", "cases:journal"):
            assert client.get(reverse(name, kwargs={"pk": case.pk})).status_code == 404
    assert client.get(reverse("cases:list")).status_code == 403


def test_denied_export_is_audited_and_not_counted_as_export(world, client):
    client.force_login(world.users["director_city_a"])
    client.get(URL, {"format": "csv", "table": "gaps"})
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, user=world.users["director_city_a"]
    ).exists()


def test_nav_links_to_the_dashboard(world, client):
    client.force_login(world.users["netcoord_vo_a"])
    assert URL in client.get(reverse("partners:gaps")).content.decode()
    client.force_login(world.users["opslead_city_a"])
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(world.users["director_city_a"])
    assert URL not in client.get(reverse("home")).content.decode()


# --- query counts ---


def _grow(director, partners, n: int, start: int) -> None:
    """``n`` more of everything, spread over new partners, cases and consultations."""
    for i in range(start, start + n):
        partner = make_organisation(f"Partner groei {i}", OrganisationKind.PARTNER)
        partners.append(partner)
        case = new_case(director, D(2025, 1 + i % 3, 1 + i % 28), 1 + i % 3)
        refer(case, partner, "in" if i % 2 else "out", D(2025, 1 + i % 3, 2))
        consult(
            director,
            datetime.datetime(2025, 1 + i % 3, 3, 10, 0, tzinfo=BRUSSELS),
            ConsultationStatus.HELD,
            [(partner, False)],
            [(case, True, False)],
        )
        training = Training.objects.create(
            date=D(2025, 2, 1), kind=TrainingKind.ADVICE, topic="Groei", participants=2
        )
        training.organisations.set(partners[-3:])
        Gap.objects.create(
            kind=GapKind.OTHER,
            description="Groei",
            signalled_on=D(2025, 2, 1),
            signalled_by=director,
        )


def _count(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


def test_query_counts_stay_constant_as_data_grows(db, client):
    director = make_director("director_groei")
    make_region()
    coordinator = make_user(
        "netcoord_groei",
        make_organisation("VO groei", OrganisationKind.FLEMISH_GOVERNMENT),
        "network_coordinator",
    )
    client.force_login(coordinator)
    partners: list = []
    _grow(director, partners, 3, 0)
    small = {
        fmt: _count(client, q(Q1, **extra))
        for fmt, extra in [
            ("page", {}),
            ("csv", {"format": "csv", "table": "consultation_participation"}),
            ("xlsx", {"format": "xlsx"}),
        ]
    }
    _grow(director, partners, 12, 3)
    large = {
        fmt: _count(client, q(Q1, **extra))
        for fmt, extra in [
            ("page", {}),
            ("csv", {"format": "csv", "table": "consultation_participation"}),
            ("xlsx", {"format": "xlsx"}),
        ]
    }
    assert small == large
    assert len(referrals_per_partner(Q1).rows) == 16  # 15 partners and the total


# --- the demo data ---


def test_demo_gives_two_years_of_network_figures_and_stays_idempotent(db, time_machine):
    """Last year's figures and this year's so far. On a day in the summer: in the first weeks
    of January this year has hardly begun, and the demo dates nothing after today (the
    dashboard's "last year" then holds the figures, as it would in real use)."""
    from fjc.demo import seed

    time_machine.move_to(MIDYEAR)
    # Without last year's few hundred cases (tests/test_demo_seed.py).
    seed(previous_year_cases=0)
    year = timezone.localdate().year
    for period in (Period.year(year - 1), Period.year(year)):
        tables = {t.key: t for t in dashboard_tables(period)}
        assert values(tables["referrals_per_partner"])["total"][:2] >= (3, 3)
        assert values(tables["consultation_participation"])["total"][0] >= 3
        assert values(tables["trainings"])["total"][0] >= 3
        assert values(tables["gaps"])["total"][-1] >= 3
    counts = (
        Training.objects.count(),
        Gap.objects.count(),
        Consultation.objects.count(),
        AgendaItem.objects.count(),
        Participant.objects.count(),
        AuditEvent.objects.count(),
    )
    seed(previous_year_cases=0)
    assert (
        Training.objects.count(),
        Gap.objects.count(),
        Consultation.objects.count(),
        AgendaItem.objects.count(),
        Participant.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_every_formula_start_is_escaped_in_csv_and_xlsx():
    from reporting.exports import table_csv, tables_xlsx
    from reporting.figures.base import Column, Table

    names = ["=SUM(A1)", "+1", "-1", "@cmd", "\tTab", "Gewoon"]
    t = Table(
        key="t",
        title="T",
        columns=(Column("name", "Naam", is_label=True), Column("n", "Aantal", suppress_small=True)),
        rows=[[name, 3] for name in names],
        row_keys=[str(i) for i in range(len(names))],
    )
    text = table_csv(t)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))[:-2]
    assert [row[0] for row in rows[1:]] == [
        "'=SUM(A1)",
        "'+1",
        "'-1",
        "'@cmd",
        "'\tTab",
        "Gewoon",
    ]
    assert {row[1] for row in rows[1:]} == {"< 5"}
    sheet = openpyxl.load_workbook(io.BytesIO(tables_xlsx([t])))["T"]  # named by its title
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells][:4] == ["'=SUM(A1)", "'+1", "'-1", "'@cmd"]
    assert all(c.data_type == "s" for c in cells[: len(names)])


def test_a_years_figures_are_kept_for_the_configured_time(db, client, settings, time_machine):
    """Protecting a year computes all its periods; within FJC_FIGURES_CACHE_SECONDS every
    request reads the kept result (the same hidden cells, no figure queries) and says when
    it was computed; after it, a new case shows."""
    settings.FJC_FIGURES_CACHE_SECONDS = 300
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept"}
    }
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    director = make_director("director_bewaard")
    make_region()
    for day in (3, 4, 5, 6, 7, 10):
        new_case(director, D(2025, 2, day))
    coordinator = make_user(
        "netcoord_bewaard",
        make_organisation("VO bewaard", OrganisationKind.FLEMISH_GOVERNMENT),
        "network_coordinator",
    )
    client.force_login(coordinator)
    url = reverse("reporting:dashboard")

    def new_cases_in_q1() -> str:
        body = client.get(url, q(Q1)).content.decode()
        assert "Berekend op 2 maart 2026" in body
        return body[body.index('id="period-shown"') :]  # the figures, not the form's token

    computed = _count(client, q(Q1))
    kept = _count(client, q(Q1))
    assert kept < computed - 100  # the seventeen periods are not computed again
    first = new_cases_in_q1()
    new_case(director, D(2025, 2, 11))
    assert new_cases_in_q1() == first  # still the kept figures
    time_machine.shift(datetime.timedelta(seconds=301))
    # Older than that: shown once more (with the moment they were computed), while the worker
    # computes them again (in process here); the next request shows the new ones.
    assert new_cases_in_q1() == first
    assert new_cases_in_q1() != first
    assert _count(client, q(Q1)) == kept  # kept again, not computed per request


def test_old_figures_are_computed_again_once_however_many_ask(
    db, client, settings, time_machine, monkeypatch
):
    """Many requests see the kept figures old: one refresh is queued, not one per request;
    with no broker the kept figures are still shown."""
    settings.FJC_FIGURES_CACHE_SECONDS = 300
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "once"}
    }
    from kombu.exceptions import OperationalError

    from reporting.figures import publication
    from reporting.tasks import refresh_year_publication

    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    first = publication.kept_year_publication(2025)
    queued: list[tuple[int, str]] = []
    monkeypatch.setattr(refresh_year_publication, "delay", lambda *args: queued.append(args))
    time_machine.shift(datetime.timedelta(seconds=301))
    for _ in range(3):
        assert publication.kept_year_publication(2025) is not None
    language = translation.get_language()
    assert queued == [(2025, language)]

    def no_broker(*args):
        raise OperationalError("no broker")

    publication.cache.delete(publication._kept_key(2025, language) + ":refreshing")
    monkeypatch.setattr(refresh_year_publication, "delay", no_broker)
    shown = publication.kept_year_publication(2025)
    assert shown.computed_at == first.computed_at
    # Asked again by the next request, not stuck behind a lock no refresh will lift.
    monkeypatch.setattr(refresh_year_publication, "delay", lambda *args: queued.append(args))
    publication.kept_year_publication(2025)
    assert queued == [(2025, language), (2025, language)]
