"""Case, people, place and risk figures pinned against a hand-computed year (2025).

The data set (all cases of one director; "new" = registered in 2025):

    key         opened      track           closed      municipality  notes
    prev        2024-06-01  1 -> 2 (2024)   -           -             running, not new
    prev_closed 2024-03-01  2               2024-12-31  -             not running
    dec31_2024  2024-12-31  2               2025-01-01  -             running (closed on day 1)
    jan1        2025-01-01  1 -> 3 (2025)   -           Mechelen      partner (police), 2 forms
    dec31       2025-12-31  3               -           Mechelen      client, 1 form
    mid         2025-05-10  2               2025-11-20  Lier          partner without sector
    repeat      2025-07-01  2 -> 3 (2026)   -           Lier          partner, no organisation
    next_year   2026-01-01  1               -           Mechelen      outside 2025
    anonymous consults: 2025-02-02 (counts), 2024-12-31 (does not)
"""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from cases.models import AgeBand, Case, Gender, ReferrerKind, RelationshipContext
from partners.models import MunicipalityPopulation, OrganisationKind, Sector
from reporting.figures.cases import case_tables
from reporting.figures.people import people_tables
from reporting.figures.period import Period
from reporting.figures.places import place_tables
from reporting.figures.risk import risk_tables

from . import party_roles as pr
from . import risk_factories as rf
from .factories import make_organisation
from .figures_helpers import (
    REGION,
    D,
    link,
    make_director,
    make_region,
    move,
    new_case,
    person,
    table,
    values,
)

YEAR = Period.year(2025)


@pytest.fixture
def data(db):
    director = make_director()
    region = make_region()
    police = make_organisation("Politiezone Figuren", OrganisationKind.POLICE_ZONE)
    police.sector = Sector.POLICE
    police.save()
    no_sector = make_organisation("Partner zonder sector", OrganisationKind.PARTNER)
    c = {}
    c["prev"] = new_case(director, D(2024, 6, 1), 1)
    move(c["prev"], 2, D(2024, 9, 1))
    c["prev_closed"] = new_case(director, D(2024, 3, 1), 2, closed=D(2024, 12, 31))
    c["dec31_2024"] = new_case(director, D(2024, 12, 31), 2)
    c["jan1"] = new_case(
        director,
        D(2025, 1, 1),
        1,
        municipality=region["Mechelen"],
        referrer_kind=ReferrerKind.PARTNER,
        referrer_organisation=police,
        contexts=("partner", "parent_child"),
        forms=("physical", "psychological", "economic"),
    )
    move(c["jan1"], 3, D(2025, 3, 1))
    c["dec31"] = new_case(
        director,
        D(2025, 12, 31),
        3,
        municipality=region["Mechelen"],
        referrer_kind=ReferrerKind.CLIENT,
        contexts=("partner",),
        forms=("physical",),
    )
    c["mid"] = new_case(
        director,
        D(2025, 5, 10),
        2,
        municipality=region["Lier"],
        referrer_organisation=no_sector,
    )
    c["repeat"] = new_case(director, D(2025, 7, 1), 2, municipality=region["Lier"])
    Case.objects.filter(pk=c["repeat"].pk).update(repeat_of=c["prev"])
    c["repeat"].refresh_from_db()
    move(c["repeat"], 3, D(2026, 2, 1))
    c["next_year"] = new_case(director, D(2026, 1, 1), 1, municipality=region["Mechelen"])
    new_case(director, D(2025, 2, 2), 1, is_anonymous_consult=True)
    new_case(director, D(2024, 12, 31), 1, is_anonymous_consult=True)

    # People (ages on 31 December 2025).
    p1 = person(c["jan1"], pr.VICTIM, gender=Gender.FEMALE, date_of_birth=D(1990, 5, 5))
    link(c["mid"], p1, pr.VICTIM)
    p2 = person(c["jan1"], pr.PERPETRATOR, gender=Gender.MALE, date_of_birth=D(1985, 1, 1))
    link(c["repeat"], p2, pr.VICTIM)
    person(c["jan1"], pr.CHILD, date_of_birth=D(2020, 12, 31))  # 5: 0-5
    person(c["dec31"], pr.CHILD, gender=Gender.FEMALE, date_of_birth=D(2008, 1, 1))  # 17
    person(c["dec31"], pr.FAMILY, gender=Gender.MALE, date_of_birth=D(2007, 12, 31))  # 18
    person(c["mid"], pr.OTHER, gender=Gender.X, age_band=AgeBand.AGE_65_PLUS)
    person(c["prev"], pr.VICTIM, gender=Gender.FEMALE)  # not in a new case

    # Inhabitants: 2024 for all but Berlaar; Mechelen also has 2025 (which counts).
    for name, municipality in region.items():
        if name != "Berlaar":
            MunicipalityPopulation.objects.create(
                municipality=municipality, year=2024, inhabitants=REGION[name][0]
            )
    MunicipalityPopulation.objects.create(
        municipality=region["Mechelen"], year=2025, inhabitants=80000
    )
    MunicipalityPopulation.objects.create(
        municipality=region["Lier"], year=2026, inhabitants=1
    )  # a later year never counts
    return c


def test_new_and_running_cases_per_track(data):
    t = table(case_tables(YEAR), "cases_per_track")
    assert values(t) == {
        "1": (1, 0),  # new: jan1 (registered in track 1); running: none in track 1 at the end
        "2": (2, 4),  # new: mid, repeat; running: prev, dec31_2024, mid, repeat
        "3": (1, 2),  # new: dec31; running: jan1, dec31
        "total": (4, 6),
    }


def test_anonymous_consults_apart(data):
    assert values(table(case_tables(YEAR), "anonymous_consults")) == {"new": 1}


def test_track_moves_in_the_period(data):
    assert values(table(case_tables(YEAR), "track_moves")) == {
        "1-2": 0,
        "1-3": 1,
        "2-1": 0,
        "2-3": 0,
        "3-1": 0,
        "3-2": 0,
        "total": 1,
    }


def test_referrers_and_their_sector(data):
    tables = case_tables(YEAR)
    assert values(table(tables, "cases_by_referrer")) == {
        "partner": 3,
        "client": 1,
        "anonymous": 0,
        "other": 0,
        "total": 4,
    }
    sectors = values(table(tables, "cases_by_referrer_sector"))
    assert sectors.pop("police") == 1
    assert sectors.pop("unknown") == 2
    assert sectors.pop("total") == 3
    assert set(sectors.values()) == {0}


def test_relationship_contexts_once_per_context(data):
    with translation.override("en"):
        t = table(case_tables(YEAR), "cases_by_relationship_context")
    # (new, running): the running cases of 2025 are the new ones plus prev and dec31_2024,
    # which have no context.
    assert values(t) == {
        "partner": (2, 2),
        "ex_partner": (0, 0),
        "parent_child": (1, 1),
        "child_parent": (0, 0),
        "elder": (0, 0),
        "other_family": (0, 0),
        "honour_related": (0, 0),
        "other": (0, 0),
        "none": (2, 4),
    }
    assert "once for every relationship context recorded on it at the end" in t.note


def test_forms_of_violence_once_per_form(data):
    with translation.override("en"):
        t = table(case_tables(YEAR), "cases_by_form_of_violence")
    assert values(t) == {
        "physical": (2, 2),
        "sexual": (0, 0),
        "psychological": (1, 1),
        "economic": (1, 1),
        "stalking": (0, 0),
        "coercive_control": (0, 0),
        "neglect": (0, 0),
        "forced_marriage": (0, 0),
        "female_genital_mutilation": (0, 0),
        "none": (2, 4),
    }
    assert "once for every form of violence recorded on it at the end" in t.note
    # Small counts leave the selector hidden.
    shown = dict(zip(t.row_keys, t.display_rows(), strict=True))
    assert shown["physical"][1] == "< 5"


def test_a_relabelled_or_inactive_entry_keeps_its_row(data):
    RelationshipContext.objects.filter(code="partner").update(name_nl="Partners", is_active=False)
    with translation.override("nl"):
        t = table(case_tables(YEAR), "cases_by_relationship_context")
    assert values(t)["partner"] == (2, 2)
    assert dict(zip(t.row_keys, (row[0] for row in t.rows), strict=True))["partner"] == "Partners"


def test_people_by_role_gender_age_and_minors(data):
    """(people in new cases, people in running cases): the running cases of 2025 are the new
    ones plus prev and dec31_2024, so prev's victim counts in the second column only. Ages at
    the start of the involvement (here each case's opening)."""
    tables = people_tables(YEAR)
    assert values(table(tables, "people_by_role")) == {
        "victim": (2, 3),
        "perpetrator": (1, 1),
        "witness": (0, 0),
        "involved": (2, 2),  # the other family member and the other person
        "none": (2, 2),  # the two children: a position, no role recorded
    }
    assert values(table(tables, "people_by_gender")) == {
        "female": (2, 3),
        "male": (2, 2),
        "x": (1, 1),
        "unknown": (1, 1),
        "total": (6, 7),
    }
    assert values(table(tables, "people_by_age")) == {
        "0-5": (1, 1),  # born 31 December 2020: 4 on 1 January 2025
        "6-11": (0, 0),
        "12-17": (1, 1),  # born 1 January 2008: 17 on 31 December 2025
        "18-24": (1, 1),  # born 31 December 2007: 18 that day
        "25-44": (2, 2),
        "45-64": (0, 0),
        "65+": (1, 1),  # no date of birth: the band as entered
        "unknown": (0, 1),  # prev's victim: no date of birth, no band
        "total": (6, 7),
    }
    assert values(table(tables, "minors_by_role")) == {
        "victim": (0, 0),
        "perpetrator": (0, 0),
        "witness": (0, 0),
        "involved": (0, 0),
        "none": (2, 2),
        "total": (2, 2),
    }


def test_places_every_municipality_with_rates(data):
    t = table(place_tables(YEAR), "cases_by_municipality")
    rows = values(t)
    assert len(rows) == 12 + 2
    # Mechelen: 2 cases / 80,000 (2025) = 0.25 per 10,000 -> 0.3 (halves up).
    assert rows["municipality:Mechelen"] == (2, 80000, 2025, Decimal("0.3"))
    # Lier: no 2025 figure -> 2024; 2 / 36,646 * 10,000 = 0.5457... -> 0.5.
    assert rows["municipality:Lier"] == (2, 36646, 2024, Decimal("0.5"))
    assert rows["municipality:Berlaar"] == (0, None, None, None)
    assert rows["municipality:Putte"] == (0, 17927, 2024, Decimal("0.0"))
    assert rows["unknown"] == (0, None, None, None)
    inhabitants = 80000 + sum(
        n for name, (n, _z) in REGION.items() if name not in ("Mechelen", "Berlaar")
    )
    assert inhabitants == 328548
    # 4 / 328,548 * 10,000 = 0.1217... -> 0.1
    assert rows["total"] == (4, 328548, None, Decimal("0.1"))
    display = dict(zip(t.row_keys, t.display_rows(), strict=True))
    # Small counts and the rates that would give them away are shown as "< 5".
    # Dutch number format: "80.000" inhabitants; the year stays "2025".
    assert display["municipality:Mechelen"] == ["Mechelen", "< 5", "80.000", "2025", "< 5"]
    assert display["municipality:Putte"][1] == "0"


def test_places_by_police_zone(data):
    rows = values(table(place_tables(YEAR), "cases_by_police_zone"))
    # A zone never mixes years: Mechelen has 2025 and 2024, its zone partners 2024 only,
    # so Rivierenland takes 2024 for all four: 86,921 + 26,826 + 26,142 + 21,353.
    assert rows["zone:Rivierenland"] == (2, 161242, 2024, Decimal("0.1"))
    assert rows["zone:Lier"] == (2, 36646, 2024, Decimal("0.5"))
    # Berlaar has no figure in any year: the zone has no common year, so no rate.
    assert rows["zone:Berlaar-Nijlen"] == (0, None, None, None)
    assert rows["zone:Bodukap"] == (0, 21026 + 17927 + 17664 + 15078, 2024, Decimal("0.0"))
    assert rows["zone:Heist"] == (0, 42950, 2024, Decimal("0.0"))
    assert rows["unknown"] == (0, None, None, None)
    # The total's rate: the zones with a rate only (4 cases over 312,533 inhabitants).
    assert rows["total"] == (4, 312533, None, Decimal("0.1"))


def test_risk_level_at_the_end_of_the_period(data):
    checklist = rf.shipped(rf.CHECKLIST)
    c = data
    # prev: high in 2024, nothing since -> high.
    rf.make_assessment(
        c["prev"], answers=rf.answers_for(checklist, yes=14), assessed_on=D(2024, 10, 1)
    )
    # jan1: high and low, then a joint assessment agreeing on medium later -> medium.
    a1 = rf.make_assessment(
        c["jan1"], answers=rf.answers_for(checklist, yes=14), assessed_on=D(2025, 2, 1)
    )
    a2 = rf.make_assessment(
        c["jan1"], answers=rf.answers_for(checklist, yes=3), assessed_on=D(2025, 2, 1)
    )
    rf.joint_assessment_create(
        case=c["jan1"],
        by=c["jan1"].case_director,
        assessments=[a1, a2],
        held_on=D(2025, 6, 1),
        level=2,
        lower_reason="Beschermende factoren",
    )
    # mid: two medium assessments and, the same day but recorded later, a joint high -> high.
    m1 = rf.make_assessment(
        c["mid"], answers=rf.answers_for(checklist, yes=11), assessed_on=D(2025, 6, 1)
    )
    m2 = rf.make_assessment(
        c["mid"], answers=rf.answers_for(checklist, yes=12), assessed_on=D(2025, 6, 1)
    )
    rf.joint_assessment_create(
        case=c["mid"],
        by=c["mid"].case_director,
        assessments=[m1, m2],
        held_on=D(2025, 6, 1),
        level=3,
    )
    # repeat: low.
    rf.make_assessment(
        c["repeat"], answers=rf.answers_for(checklist, yes=3), assessed_on=D(2025, 8, 1)
    )
    # dec31: assessed only after the period -> no level yet on 31 December.
    rf.make_assessment(
        c["dec31"], answers=rf.answers_for(checklist, yes=14), assessed_on=D(2026, 1, 5)
    )
    # Track 1 on 31 December, never assessed: a row of its own, not "no risk assessment".
    director = c["jan1"].case_director
    new_case(director, D(2025, 4, 1), 1)
    moved_later = new_case(director, D(2025, 4, 2), 1)
    move(moved_later, 2, D(2026, 2, 1))
    assert values(table(risk_tables(YEAR), "cases_by_risk_level")) == {
        "3": 2,  # prev, mid
        "2": 1,  # jan1
        "1": 1,  # repeat
        "none": 2,  # dec31_2024 (track 2), dec31 (track 3)
        "none_track_1": 2,  # the two cases in track 1 on 31 December 2025
        "total": 8,
    }


def test_a_period_other_than_a_year(data):
    """The dashboard asks for any period: here the first quarter of 2025."""
    q1 = Period(D(2025, 1, 1), D(2025, 3, 31))
    assert values(table(case_tables(q1), "cases_per_track")) == {
        "1": (1, 0),
        "2": (0, 2),  # prev, dec31_2024
        "3": (0, 1),  # jan1 (moved on 1 March)
        "total": (1, 3),
    }
    assert timezone.localdate() > D(2025, 12, 31)
