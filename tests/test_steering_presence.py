"""The steering page skips the reads of sections that have no rows (issue 20, part 3).

Whether each mostly-empty section of a case has rows comes with the page's own read of the
case (``cases.selectors.steering_presence``); a section without rows is not read. These tests
hold the page to the reads without that shortcut: for every kind of reader of a filled case
(rows on both sides of every per-row rule, a repeat of a case only some readers see, a gap),
the page shows exactly what ``case_steering`` on a plainly read case shows, and an empty case
shows nothing while running fewer queries.
"""

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.parts import ShareScope
from cases import selectors
from cases.models import Case, ProsecutionDecision, ProsecutionDecisionKind, RepeatMatch
from cases.selectors import case_steering
from cases.selectors.steering import _PRESENT_BY_CASE
from cases.services import share_create
from partners.models import Gap, GapKind
from risk.selectors import risk_overview

from .conftest import whole_file_share
from .factories import make_case
from .test_case_access_decision import READERS, _fill, _pks, _shown
from .test_case_print import _child_with_file_and_talk, _victim_with_plan

pytestmark = pytest.mark.django_db

# Sections the page may skip, besides those ``_shown`` compares.
EXTRA = ("repeats_shown", "gaps", "shares")


def _page(client: Any, user: Any, case: Case) -> tuple[Any, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    return response.context["steering"], len(queries.captured_queries)


def _everything(steering: Any) -> dict[str, Any]:
    shown: dict[str, Any] = _shown(steering)
    for name in EXTRA:
        shown[name] = _pks(getattr(steering, name))
    return shown


def _filled(world: Any) -> Case:
    case = _fill(world)
    director = case.case_director
    # A victim with a safety plan and a child with a file (the lines show without them too);
    # before the repeats, which adding a person would look for again.
    _victim_with_plan(case)
    _child_with_file_and_talk(world, case)
    # A repeat of an earlier case of city B (its team sees it, a share reader does not) and
    # of city A's case (nobody here sees it).
    for earlier in (make_case(director), world.cases["city_a"]):
        RepeatMatch.objects.create(later=case, earlier=earlier)
    # A share to another office than the readers' (theirs is made by READERS).
    share_create(
        case=case,
        by=director,
        organisation=world.orgs["parket_a"],
        terms=whole_file_share(scope=ShareScope.SUMMARY),
    )
    ProsecutionDecision.objects.create(
        case=case,
        kind=ProsecutionDecisionKind.PROBATION,
        decided_on=timezone.localdate(),
        decided_by=world.orgs["parket_b"],
    )
    Gap.objects.create(
        kind=GapKind.WAITING_LIST,
        description="Wachtlijst",
        signalled_on=timezone.localdate(),
        signalled_by=director,
        case=case,
    )
    return case


@pytest.mark.parametrize(
    "reader", [name for name, (_, status, _, _) in READERS.items() if status == 200]
)
def test_the_page_shows_what_the_plain_reads_show(world, client, reader, monkeypatch):
    make, _, _, _ = READERS[reader]
    case = _filled(world)
    user = make(world, case)
    page, _ = _page(client, user, case)
    plain = case_steering(case=Case.objects.get(pk=case.pk), user=user)
    assert _everything(page) == _everything(plain)
    # And the whole page, risk panel, escalation notice and banner included, is the page
    # rendered without the shortcut (every section read).
    with_shortcut = _html(client, case)
    monkeypatch.setattr(selectors, "steering_presence", dict)
    assert _html(client, case) == with_shortcut


def _html(client: Any, case: Case) -> str:
    response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    # The CSRF token is masked anew at every request.
    return re.sub(r'value="[^"]{64}"', 'value=""', response.content.decode())


# Registered sections -> what the page shows of them (None: shown elsewhere than in
# ``Steering``, compared by the rendered page above).
SHOWN_AS = {"repeats": "repeats_shown", "plan": "plan"}


def test_the_filled_case_has_rows_in_the_skippable_sections(world):
    """Else the comparisons above prove little."""
    case = _filled(world)
    team = _everything(case_steering(case=case, user=case.case_director))
    for name in _PRESENT_BY_CASE:
        shown = SHOWN_AS.get(name, name)
        if shown in team:
            assert team[shown], name
    steering = case_steering(case=case, user=case.case_director)
    assert any(line.child_file for line in steering.children)
    # The risk panel's tables have rows too.
    overview = risk_overview(case=case, user=case.case_director)
    assert overview.assessments and overview.joints


def test_an_empty_case_shows_nothing_and_skips_the_reads(world, client, monkeypatch):
    director = world.users["director_city_b"]
    empty = make_case(director)
    page, few = _page(client, director, empty)
    assert _everything(page) == _everything(case_steering(case=empty, user=director))
    with_shortcut = _html(client, empty)
    _, many = _page(client, director, _filled(world))
    assert few < many
    monkeypatch.setattr(selectors, "steering_presence", dict)
    assert _html(client, empty) == with_shortcut
