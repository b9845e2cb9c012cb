"""The counting rules of the people and repeat figures (issue 12, part 3), hand-computed.

People: a person counts for a period from the start of their involvement in a case, if they
were born by the period's end; age at the start of the involvement (their earliest among the
cases of a column); the new and the running cases in two columns.

The year 2025 (one director):

    case            opened      people (born; involved since)
    carried         2024-05-01  P1 victim (2007-06-01; 2024-05-01: 16)
                                P7 perpetrator (no birth date, band 25-44; 2024-05-01)
    closed_before   2024-01-10  P8 victim (closed 2024-12-15: not running in 2025)
    a               2025-02-28  P1 victim again (2025-07-01: 18)
                                P2 child (2007-03-01; 2025-02-28: 17)
                                P10 victim (2000-02-29; 2025-02-28: 24, 25 on 1 March)
                                P6 perpetrator (1980-01-01; 2026-02-01: after the year)
    b               2025-12-31  P3 family (2007-12-31; 2025-12-31: 18 that day)
                                P4 child (2008-01-01; 2025-12-31: 17)
                                P5 child (born 2026-01-05, registered unborn on 2025-12-31)
    later           2026-01-10  P9 child (2010-06-01; 2026-01-10: 15)
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cases.models import AgeBand, Case, Gender
from cases.services import case_create, person_create_in_case, person_link_to_case
from reporting.figures.duration import repeats
from reporting.figures.people import age_band_at, people_tables
from reporting.figures.period import Period

from . import party_roles as pr
from .figures_helpers import D, close, link, make_director, new_case, person, table, values

YEAR = Period.year(2025)


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        (D(2007, 12, 31), D(2025, 12, 31), AgeBand.AGE_18_24),  # 18 on their birthday
        (D(2007, 12, 31), D(2025, 12, 30), AgeBand.AGE_12_17),
        (D(2008, 1, 1), D(2025, 12, 31), AgeBand.AGE_12_17),
        (D(2004, 2, 29), D(2022, 2, 28), AgeBand.AGE_12_17),  # a leap-day birthday: 1 March
        (D(2004, 2, 29), D(2022, 3, 1), AgeBand.AGE_18_24),
        (D(2004, 2, 29), D(2024, 2, 28), AgeBand.AGE_18_24),  # 19 the day before it is 20
        (D(2000, 2, 29), D(2025, 2, 28), AgeBand.AGE_18_24),
        (D(2000, 2, 29), D(2025, 3, 1), AgeBand.AGE_25_44),
        (D(2007, 2, 28), D(2025, 2, 28), AgeBand.AGE_18_24),
        (D(2026, 1, 5), D(2025, 12, 31), AgeBand.UNDER_6),  # not born yet: at birth
        (D(1960, 6, 1), D(2025, 6, 1), AgeBand.AGE_65_PLUS),
        (D(1960, 6, 2), D(2025, 6, 1), AgeBand.AGE_45_64),
    ],
)
def test_the_age_band_on_a_day(born, on, band):
    assert age_band_at(born, on) == band


@pytest.fixture
def year(db):
    director = make_director("director_people")
    c = {
        "carried": new_case(director, D(2024, 5, 1), 2),
        "closed_before": new_case(director, D(2024, 1, 10), 2, closed=D(2024, 12, 15)),
        "a": new_case(director, D(2025, 2, 28), 2),
        "b": new_case(director, D(2025, 12, 31), 3),
        "later": new_case(director, D(2026, 1, 10), 1),
    }
    new_case(director, D(2025, 3, 3), 1, is_anonymous_consult=True)  # never has people
    victim, perpetrator, child, family = (
        pr.VICTIM,
        pr.PERPETRATOR,
        pr.CHILD,
        pr.FAMILY,
    )
    female, male = Gender.FEMALE, Gender.MALE
    p1 = person(c["carried"], victim, gender=female, date_of_birth=D(2007, 6, 1))
    link(c["a"], p1, victim, since=D(2025, 7, 1))
    person(c["carried"], perpetrator, gender=female, age_band=AgeBand.AGE_25_44)  # P7
    person(c["closed_before"], victim, gender=Gender.X)  # P8
    person(c["a"], child, gender=male, date_of_birth=D(2007, 3, 1))  # P2
    person(c["a"], victim, gender=female, date_of_birth=D(2000, 2, 29))  # P10
    person(c["a"], perpetrator, gender=male, date_of_birth=D(1980, 1, 1), since=D(2026, 2, 1))
    person(c["b"], family, gender=female, date_of_birth=D(2007, 12, 31))  # P3
    person(c["b"], child, gender=male, date_of_birth=D(2008, 1, 1))  # P4
    person(c["b"], child, date_of_birth=D(2026, 1, 5))  # P5
    person(c["later"], child, gender=male, date_of_birth=D(2010, 6, 1))  # P9
    return c


def test_people_of_new_and_running_cases_by_the_rules(year):
    """(new cases: a, b; running cases: carried, a, b). P5 (born after the year), P6 (involved
    after it), P8 (case closed before it) and P9 (case of 2026) are not counted."""
    tables = people_tables(YEAR)
    assert values(table(tables, "people_by_role")) == {
        "victim": (2, 2),  # P1, P10
        "perpetrator": (0, 1),  # P7 (P6 only from 2026)
        "witness": (0, 0),
        "involved": (1, 1),  # P3 (other family member, involved)
        "none": (2, 2),  # P2, P4: children with no role recorded
    }
    assert values(table(tables, "people_by_position")) == {
        "partner": (0, 0),
        "ex_partner": (0, 0),
        "parent": (0, 0),
        "child": (2, 2),  # P2, P4
        "sibling": (0, 0),
        "grandparent": (0, 0),
        "other": (1, 1),  # P3
        "unknown": (2, 3),  # P1, P10 (+ P7)
    }
    assert values(table(tables, "people_by_gender")) == {
        "female": (3, 4),  # P1, P10, P3 (+ P7)
        "male": (2, 2),  # P2, P4
        "x": (0, 0),
        "unknown": (0, 0),
        "total": (5, 6),
    }
    assert values(table(tables, "people_by_age")) == {
        "0-5": (0, 0),
        "6-11": (0, 0),
        # new: P2 (17 on 28-02), P4 (17 on 31-12); running also P1 (16 on 1 May 2024)
        "12-17": (2, 3),
        # new: P1 (18 when involved in a), P10 (24 on 28-02), P3 (18 on 31-12)
        "18-24": (3, 2),
        "25-44": (0, 1),  # P7: no date of birth, the band as entered
        "45-64": (0, 0),
        "65+": (0, 0),
        "unknown": (0, 0),
        "total": (5, 6),
    }
    assert values(table(tables, "minors_by_role")) == {
        "victim": (0, 1),  # P1, a minor when their involvement in carried began
        "perpetrator": (0, 0),
        "witness": (0, 0),
        "involved": (0, 0),
        "none": (2, 2),  # P2, P4
        "total": (2, 3),
    }


def test_the_next_year_counts_the_child_born_and_the_person_involved_in_it(year):
    tables = people_tables(Period.year(2026))
    ages = values(table(tables, "people_by_age"))
    assert ages["0-5"] == (0, 1)  # P5, at birth
    assert ages["45-64"] == (0, 1)  # P6, 46 on 1 February 2026
    assert ages["total"] == (1, 9)  # new: P9; running: all but P8
    assert values(table(tables, "people_by_role"))["perpetrator"] == (0, 2)


def test_the_notes_state_the_rules_in_both_languages(year):
    with translation.override("en"):
        note = table(people_tables(YEAR), "people_by_age").note
    assert "start of the involvement" in note
    assert "earliest involvement" in note
    assert "running cases" in note
    with translation.override("nl"):
        tables = people_tables(YEAR)
    note = table(tables, "people_by_age").note
    assert "begin van de betrokkenheid" in note
    assert "lopende dossiers" in note
    assert [c.label for c in table(tables, "people_by_role").columns][1:] == [
        "Personen in nieuwe dossiers",
        "Personen in lopende dossiers",
    ]


def test_the_people_tables_take_one_query_however_many_people(year):
    # One for the six people tables, two for the children's trajectory table (the child plans'
    # first versions, the reports), whatever the number of people.
    with CaptureQueriesContext(connection) as few:
        people_tables(YEAR)
    for n in range(5):
        extra = new_case(year["a"].case_director, D(2025, 4, n + 1), 2)
        person(extra, pr.VICTIM, date_of_birth=D(1990, 1, n + 1))
        link(extra, person(year["carried"], pr.OTHER), pr.CHILD)
    with CaptureQueriesContext(connection) as more:
        people_tables(YEAR)
    assert len(few) == len(more) == 3


# --- repeats as of a day ------------------------------------------------------------


@pytest.fixture
def director(db):
    return make_director("director_repeats")


def _case(director, opened: datetime.date) -> Case:
    return case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        track=2,
        opened_on=opened,
    )


def _add(case, role, name, since=None):
    return person_create_in_case(
        case=case,
        by=case.case_director,
        **role,
        confirm_new=True,
        involved_since=since or case.opened_on,
        first_name=name,
        last_name="Herhaling",
    )


def _link(case, party, role, since=None):
    return person_link_to_case(
        case=case, by=case.case_director, person=party.person, **role, involved_since=since
    )


def _repeats(period=YEAR):
    return values(table([repeats(period)], "repeats"))


def test_a_repeat_that_arises_from_a_person_linked_after_the_year(director):
    earlier = _case(director, D(2025, 3, 1))
    victim = _add(earlier, pr.VICTIM, "Vera")
    perpetrator = _add(earlier, pr.PERPETRATOR, "Piet")
    later = _case(director, D(2025, 9, 1))
    _link(later, victim, pr.VICTIM, since=D(2025, 9, 1))
    assert _repeats()["repeats"][0] == 0
    # Linked today (after 2025): a repeat now, not in 2025's figures.
    _link(later, perpetrator, pr.PERPETRATOR)
    later.refresh_from_db()
    assert (later.repeat_of, later.repeat_since) == (earlier, timezone.localdate())
    assert _repeats() == {"new": (2, None), "repeats": (0, Decimal("0.0"))}


def test_a_back_dated_link_makes_the_past_year_count_it(director):
    earlier = _case(director, D(2025, 3, 1))
    victim = _add(earlier, pr.VICTIM, "Vera")
    perpetrator = _add(earlier, pr.PERPETRATOR, "Piet")
    later = _case(director, D(2025, 9, 1))
    _link(later, victim, pr.VICTIM)  # today
    _link(later, perpetrator, pr.PERPETRATOR, since=D(2025, 10, 1))
    later.refresh_from_db()
    assert later.repeat_since == timezone.localdate()  # the victim only joined today
    victim_here = later.parties.get(is_victim=True)
    from cases.services import case_party_update

    case_party_update(
        party=victim_here,
        by=director,
        expected_version=victim_here.person.version,
        involved_since=D(2025, 11, 15),
    )
    later.refresh_from_db()
    assert later.repeat_since == D(2025, 11, 15)  # the later of the four involvements
    assert _repeats() == {"new": (2, None), "repeats": (1, Decimal("50.0"))}


def test_the_pair_joining_the_earlier_case_after_the_year_dates_the_repeat(director):
    earlier = _case(director, D(2025, 3, 1))
    victim = _add(earlier, pr.VICTIM, "Vera")
    later = _case(director, D(2025, 9, 1))
    _link(later, victim, pr.VICTIM)
    perpetrator = _add(later, pr.PERPETRATOR, "Piet", since=D(2025, 9, 2))
    assert _repeats()["repeats"][0] == 0
    _link(earlier, perpetrator, pr.PERPETRATOR)  # today, in the earlier case
    later.refresh_from_db()
    assert later.repeat_of == earlier
    assert later.repeat_since == timezone.localdate()
    assert _repeats()["repeats"][0] == 0


def test_the_repeat_date_is_the_earliest_over_every_earlier_case(director):
    first = _case(director, D(2025, 2, 1))
    victim = _add(first, pr.VICTIM, "Vera")
    perpetrator = _add(first, pr.PERPETRATOR, "Piet")
    case = _case(director, D(2025, 9, 1))
    _link(case, victim, pr.VICTIM, since=D(2025, 9, 1))
    _link(case, perpetrator, pr.PERPETRATOR, since=D(2025, 9, 3))
    case.refresh_from_db()
    assert (case.repeat_of, case.repeat_since) == (first, D(2025, 9, 3))
    # A more recent earlier case gets the pair today: the repeat now points to it, but the
    # case has been a repeat (of first) since 3 September 2025, and 2025 still counts it.
    middle = _case(director, D(2025, 6, 1))
    _link(middle, victim, pr.VICTIM)
    _link(middle, perpetrator, pr.PERPETRATOR)
    case.refresh_from_db()
    assert (case.repeat_of, case.repeat_since) == (middle, D(2025, 9, 3))
    middle.refresh_from_db()
    assert (middle.repeat_of, middle.repeat_since) == (first, timezone.localdate())
    assert _repeats()["repeats"][0] == 1  # case; middle only became one after the year


def test_the_note_names_the_configured_window(director, settings):
    settings.FJC_REPEAT_WINDOW_MONTHS = 18
    with translation.override("en"):
        note = repeats(YEAR).note
    assert "18 calendar months" in note
    assert "12 months" not in note
    with translation.override("nl"):
        assert "18 kalendermaanden" in repeats(YEAR).note


def test_a_repeat_across_a_leap_day_counts_in_its_year(director):
    earlier = _case(director, D(2024, 2, 28))
    victim = _add(earlier, pr.VICTIM, "Vera")
    perpetrator = _add(earlier, pr.PERPETRATOR, "Piet")
    later = _case(director, D(2025, 2, 28))  # 12 calendar months, 366 days
    _link(later, victim, pr.VICTIM, since=D(2025, 2, 28))
    _link(later, perpetrator, pr.PERPETRATOR, since=D(2025, 2, 28))
    assert _repeats() == {"new": (1, None), "repeats": (1, Decimal("100.0"))}


# --- involvement dates in the services --------------------------------------------------


def test_the_involvement_is_today_unless_an_earlier_day_is_given(director):
    case = _case(director, D(2025, 3, 1))
    assert _add(case, pr.CHILD, "Kim", since=None).involved_since == D(2025, 3, 1)
    default = person_create_in_case(
        case=case,
        by=director,
        **pr.CHILD,
        confirm_new=True,
        first_name="Lou",
        last_name="Vandaag",
    )
    assert default.involved_since == timezone.localdate()


@pytest.mark.parametrize(
    ("since", "message"),
    [
        (D(2025, 2, 28), "De betrokkenheid kan niet beginnen vóór de aanmelding van het dossier"),
        (None, "De betrokkenheid kan niet in de toekomst beginnen."),
    ],
)
def test_an_involvement_before_the_opening_or_in_the_future_is_refused(director, since, message):
    from django.core.exceptions import ValidationError

    case = _case(director, D(2025, 3, 1))
    other = _add(_case(director, D(2025, 1, 1)), pr.VICTIM, "Vera")
    since = since or timezone.localdate() + datetime.timedelta(days=1)
    with translation.override("nl"):
        for attempt in (
            lambda: _add(case, pr.VICTIM, "Nina", since=since),
            lambda: _link(case, other, pr.VICTIM, since=since),
        ):
            with pytest.raises(ValidationError) as refused:
                attempt()
            assert message in refused.value.message_dict["involved_since"][0]
    assert not case.parties.exists()


def test_moving_the_opening_later_moves_earlier_involvements_with_it(director):
    from cases.services import case_update

    case = _case(director, D(2025, 3, 1))
    early = _add(case, pr.VICTIM, "Vera")
    late = _add(case, pr.CHILD, "Kim", since=D(2025, 6, 1))
    case.refresh_from_db()
    case_update(case=case, by=director, expected_version=case.version, opened_on=D(2025, 4, 1))
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.involved_since, late.involved_since) == (D(2025, 4, 1), D(2025, 6, 1))
    assert early.history.first().history_user == director


def test_a_closing_after_the_year_changes_no_people_figure(year):
    close(year["carried"], D(2026, 3, 1))  # still running in 2025
    assert values(table(people_tables(YEAR), "people_by_age"))["total"] == (5, 6)
