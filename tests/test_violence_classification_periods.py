"""Issue 18: a case's relationship contexts and forms of violence are dated periods, and the
figures of a period count them as they were recorded at its end ("time is part of the data").

A case classified "partner" in one year and reclassified "ex-partner" the next counts as
partner in the first year's figures and as ex-partner in the next; a published report of the
first year shows no difference after the reclassification; a correction of the opening date
takes the registration's values along; and the case's fields holding today's values always
agree with the open periods.
"""

import datetime
import importlib
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.utils import translation

from cases.models import (
    Case,
    CaseContextPeriod,
    CaseFormPeriod,
    FormOfViolence,
    RelationshipContext,
)
from cases.services import case_update
from reporting.figures.cases import by_form_of_violence, by_relationship_context, case_tables
from reporting.figures.period import Period
from reporting.figures.publication import month, quarter
from reporting.publishing import report_publish

from .clock import BRUSSELS, MIDYEAR, TODAY
from .figures_helpers import D, make_director, new_case, values

pytestmark = pytest.mark.django_db

LAST_YEAR = TODAY.year - 1


def reclassify(case: Case, *, contexts=None, forms=None) -> Case:
    current = Case.objects.get(pk=case.pk)
    changes: dict[str, Any] = {}
    if contexts is not None:
        changes["relationship_contexts"] = RelationshipContext.objects.filter(code__in=contexts)
    if forms is not None:
        changes["forms_of_violence"] = FormOfViolence.objects.filter(code__in=forms)
    return case_update(
        case=current, by=current.case_director, expected_version=current.version, **changes
    )


def _open_codes(case: Case) -> tuple[set[str], set[str]]:
    contexts = set(
        CaseContextPeriod.objects.filter(case=case).open().values_list("context__code", flat=True)
    )
    forms = set(
        CaseFormPeriod.objects.filter(case=case).open().values_list("form__code", flat=True)
    )
    return contexts, forms


def _current_codes(case: Case) -> tuple[set[str], set[str]]:
    case = Case.objects.get(pk=case.pk)
    return (
        {c.code for c in case.relationship_contexts.all()},
        {f.code for f in case.forms_of_violence.all()},
    )


def test_a_reclassified_case_counts_as_recorded_at_the_end_of_each_year():
    director = make_director()
    case = new_case(director, D(LAST_YEAR, 3, 1), 2, contexts=("partner",), forms=("physical",))
    reclassify(case, contexts=("ex_partner",), forms=("physical", "stalking"))

    last_year, this_year = Period.year(LAST_YEAR), Period.year(TODAY.year)
    # (new, running): new in last year, still running this year.
    contexts = values(by_relationship_context(last_year))
    assert (contexts["partner"], contexts["ex_partner"], contexts["none"]) == (
        (1, 1),
        (0, 0),
        (0, 0),
    )
    contexts = values(by_relationship_context(this_year))
    assert (contexts["partner"], contexts["ex_partner"], contexts["none"]) == (
        (0, 0),
        (0, 1),
        (0, 0),
    )
    forms = values(by_form_of_violence(last_year))
    assert (forms["physical"], forms["stalking"]) == ((1, 1), (0, 0))
    forms = values(by_form_of_violence(this_year))
    assert (forms["physical"], forms["stalking"]) == ((0, 1), (0, 1))


def test_the_service_writes_dated_periods_and_never_changes_a_value_in_place():
    director = make_director()
    case = new_case(director, D(LAST_YEAR, 3, 1), 2, contexts=("partner",), forms=("physical",))
    partner = CaseContextPeriod.objects.get(case=case)
    assert (partner.recorded_from, partner.recorded_until) == (D(LAST_YEAR, 3, 1), None)
    assert partner.recorded_by == director

    reclassify(case, contexts=("ex_partner",))
    partner.refresh_from_db()
    # The old value's period ends today (the day it was replaced), nothing else about it moves.
    assert (partner.context.code, partner.recorded_from) == ("partner", D(LAST_YEAR, 3, 1))
    assert (partner.recorded_until, partner.ended_by) == (TODAY, director)
    ex = CaseContextPeriod.objects.get(case=case, context__code="ex_partner")
    assert (ex.recorded_from, ex.recorded_until) == (TODAY, None)
    # A form left as it was keeps its one period.
    assert CaseFormPeriod.objects.filter(case=case).count() == 1
    # Today's values are the open periods.
    assert _open_codes(case) == _current_codes(case) == ({"ex_partner"}, {"physical"})

    # Back to partner the same day, then none at all: every step is a period.
    reclassify(case, contexts=("partner",))
    reclassify(case, contexts=(), forms=())
    assert _open_codes(case) == _current_codes(case) == (set(), set())
    assert CaseContextPeriod.objects.filter(case=case).count() == 3
    # An edit that changes nothing records nothing.
    reclassify(case, contexts=(), forms=())
    assert CaseContextPeriod.objects.filter(case=case).count() == 3


def test_within_a_year_each_published_period_counts_what_was_recorded_at_its_end():
    director = make_director()
    year = LAST_YEAR
    with time_machine.travel(datetime.datetime(year, 1, 10, 12, tzinfo=BRUSSELS), tick=False):
        case = new_case(director, D(year, 1, 10), 2, contexts=("partner",))
    with time_machine.travel(datetime.datetime(year, 6, 15, 12, tzinfo=BRUSSELS), tick=False):
        reclassify(case, contexts=("ex_partner",))

    def counts(period: Period) -> tuple[tuple[int, int], tuple[int, int]]:
        row = values(by_relationship_context(period))
        return row["partner"], row["ex_partner"]

    assert counts(month(year, 1)) == ((1, 1), (0, 0))
    assert counts(quarter(year, 1)) == ((1, 1), (0, 0))
    # June: running, recorded as ex-partner by the 30th.
    assert counts(month(year, 6)) == ((0, 0), (0, 1))
    # The year: new in it, ex-partner at its end.
    assert counts(Period.year(year)) == ((0, 0), (1, 1))
    # May, before the change: still partner.
    assert counts(month(year, 5)) == ((0, 1), (0, 0))


def test_a_corrected_opening_date_takes_the_registrations_values_along(time_machine):
    time_machine.move_to(MIDYEAR)  # its case opens in January of this year
    director = make_director()
    case = new_case(director, D(TODAY.year, 1, 10), 2, contexts=("partner",), forms=("sexual",))
    # Back-dated into last year: the case and its values count there (a correction).
    current = Case.objects.get(pk=case.pk)
    case_update(
        case=current,
        by=director,
        expected_version=current.version,
        opened_on=D(LAST_YEAR, 12, 20),
    )
    assert set(CaseContextPeriod.objects.values_list("recorded_from", flat=True)) == {
        D(LAST_YEAR, 12, 20)
    }
    last_year = Period.year(LAST_YEAR)
    assert values(by_relationship_context(last_year))["partner"] == (1, 1)
    assert values(by_form_of_violence(last_year))["sexual"] == (1, 1)
    # Later again: no period begins before the case.
    current = Case.objects.get(pk=case.pk)
    case_update(
        case=current, by=director, expected_version=current.version, opened_on=D(TODAY.year, 1, 5)
    )
    assert set(CaseFormPeriod.objects.values_list("recorded_from", flat=True)) == {
        D(TODAY.year, 1, 5)
    }
    assert values(by_relationship_context(last_year))["partner"] == (0, 0)


def test_the_notes_say_the_values_count_as_recorded_at_the_end_of_the_period():
    with translation.override("nl"):
        tables = {t.key: t for t in case_tables(Period.year(LAST_YEAR))}
    for key in ("cases_by_relationship_context", "cases_by_form_of_violence"):
        note = tables[key].note
        assert "einde van de periode" in note, note
        assert "vandaag" not in note
        assert [c.label for c in tables[key].columns[1:]] == ["Nieuwe dossiers", "Lopende dossiers"]


def test_a_published_report_shows_no_difference_after_a_reclassification(
    world, client, django_capture_on_commit_callbacks
):
    from .test_published_reports import _differences_url, _run
    from .test_reports import _cases_in

    _cases_in(world, LAST_YEAR)
    director = world.users["director_city_a"]
    for _ in range(6):
        new_case(director, D(LAST_YEAR, 4, 1), 1, contexts=("partner",), forms=("physical",))
    lead = world.users["opslead_city_a"]
    run = _run(world, django_capture_on_commit_callbacks)
    assert run.year == LAST_YEAR and run.figures is not None
    partner_rows = [
        row
        for chapter in run.figures["chapters"]
        for table in chapter["tables"]
        if table["key"] == "cases_by_relationship_context"
        for row in table["rows"]
        if row["key"] == "partner"
    ]
    assert partner_rows and partner_rows[0]["raw"][1] >= 6
    published = report_publish(run=run, by=lead)

    # This year every one of them turns out to be an ex-partner case, with another form.
    for case in Case.objects.filter(
        context_periods__context__code="partner", opened_on=D(LAST_YEAR, 4, 1)
    ):
        reclassify(case, contexts=("ex_partner",), forms=("economic",))
    _run(world, django_capture_on_commit_callbacks)
    client.force_login(lead)
    response = client.get(_differences_url(published))
    assert response.status_code == 200
    assert not response.context["comparison"].differs
    published.refresh_from_db()
    assert published.figures == run.figures


MIGRATION = importlib.import_module("cases.migrations.0035_violence_classification_periods")


def test_the_migration_gives_every_value_a_period_from_the_opening_and_changes_no_figure():
    """Before 0035 a case held its values only in its two fields: every value gets an open
    period from the case's opening, none is lost, and every figure stays as it was (they
    counted the values held today, which are now recorded from the opening)."""
    director = make_director()
    every_context = [c.code for c in RelationshipContext.objects.all()]
    every_form = [f.code for f in FormOfViolence.objects.all()]
    cases = [
        new_case(
            director,
            D(LAST_YEAR - 1 + n % 2, 1 + n % 12, 1 + n),
            1 + n % 3,
            contexts=tuple(every_context[n % len(every_context) :][:2]),
            forms=tuple(every_form[n % len(every_form) :][: 1 + n % 3]),
        )
        for n in range(12)
    ]
    new_case(director, D(LAST_YEAR, 5, 5), 2)  # none at all
    periods = [
        Period.year(LAST_YEAR - 1),
        Period.year(LAST_YEAR),
        quarter(LAST_YEAR, 2),
        month(LAST_YEAR, 3),
    ]

    def figures():
        return [
            (values(by_relationship_context(p)), values(by_form_of_violence(p))) for p in periods
        ]

    before = figures()
    held = {case.pk: _current_codes(case) for case in cases}
    # The database as it was before 0035: the values, no periods.
    CaseContextPeriod.objects.all().delete()
    CaseFormPeriod.objects.all().delete()

    made = MIGRATION.open_periods(apps)
    assert made == sum(len(c) + len(f) for c, f in held.values()) > 12
    for case in cases:
        assert _current_codes(case) == held[case.pk] == _open_codes(case)
        opened = Case.objects.get(pk=case.pk).opened_on
        for model in (CaseContextPeriod, CaseFormPeriod):
            assert set(
                model.objects.filter(case=case).values_list("recorded_from", "recorded_until")
            ) <= {(opened, None)}
    assert figures() == before
    assert MIGRATION.open_periods(apps) == 0


def test_the_dashboard_shows_both_tables_per_period_with_small_counts_hidden():
    from reporting.figures.publication import dashboard_figures

    director = make_director()
    for day in (3, 17):
        new_case(director, D(LAST_YEAR, 3, day), 2, contexts=("partner",), forms=("physical",))
    tables, _computed = dashboard_figures(month(LAST_YEAR, 3))
    shown = {t.key: t for t in tables}
    for key, code in (
        ("cases_by_relationship_context", "partner"),
        ("cases_by_form_of_violence", "physical"),
    ):
        table = shown[key]
        assert values(table)[code] == (2, 2)
        rows = dict(zip(table.row_keys, table.display_rows(), strict=True))
        assert rows[code][1:] == ["< 5", "< 5"], rows[code]


def test_the_childrens_tables_hide_small_counts_in_the_annual_report_and_the_dashboard(world):
    """Issue 18's "done when": the new tables are published with suppression (children as
    direct victims and witnesses, child plans and reports to the VK)."""
    from cases.models import ChildReportedTo
    from cases.services import ChildFileContent, child_file_save, person_create_in_case
    from reporting.figures.publication import year_publication

    from . import party_roles as pr

    case = Case.objects.get(pk=world.cases["city_a"].pk)
    child = person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.VICTIM_CHILD,
        confirm_new=True,
        first_name="Noor",
        last_name="Kleintal",
        date_of_birth=TODAY - datetime.timedelta(days=7 * 365),
    )
    child_file_save(
        case=case,
        party=child,
        by=case.case_director,
        expected_version=0,
        content=ChildFileContent(
            reported=True, reported_to=ChildReportedTo.VK, reported_on=TODAY, plan_goals="Rust"
        ),
    )
    publication = year_publication(TODAY.year)
    annual = {t.key: t for chapter in publication.chapters for t in chapter.tables}
    dashboard = {t.key: t for t in publication.dashboard[Period.year(TODAY.year)]}
    for table in (
        annual["minors_by_role"],
        annual["child_trajectory"],
        dashboard["minors_by_role"],
    ):
        small = [
            (raw, shown)
            for raw_row, shown_row in zip(table.rows, table.display_rows(), strict=True)
            for raw, shown, column in zip(raw_row, shown_row, table.columns, strict=True)
            if column.suppress_small and isinstance(raw, int) and 1 <= raw <= 4
        ]
        assert small, table.key
        assert {shown for _raw, shown in small} <= {"< 5", "x"}, (table.key, small)
