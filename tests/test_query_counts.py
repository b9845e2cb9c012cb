"""List pages run a fixed number of queries, however many rows they show."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import make_case

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        response.getvalue()  # a streamed export runs its queries while it is sent
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["cases:list", "cases:export"])
def test_case_list_query_count_does_not_grow_with_rows(world, client, url_name):
    director = world.users["director_city_a"]
    client.force_login(director)
    url = reverse(url_name)
    few = _queries(client, url)
    for _ in range(20):
        make_case(director)
    many = _queries(client, url)
    assert many == few
    # Issue 20 part 3, second wave: the user's organisation (named in every page's header)
    # comes with the user (accounts.backends).
    assert few <= 9


def test_steering_page_query_count_does_not_grow_with_what_the_case_holds(world, client):
    from .conftest import CHILDREN

    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    url = reverse("cases:detail", kwargs={"pk": case.pk})
    few = _queries(client, url)
    for param, make in CHILDREN.items():
        if param != "co_director_pk":  # one co-director user exists in the world
            for _ in range(3):
                with contextlib.suppress(ValidationError):  # makers with a fixed unique value
                    make(world, case)
    many = _queries(client, url)
    assert many == few
    # One query per part of the page, a session write and the audit row (the judicial
    # outcome adds three: decisions, conditions, breaches; safety plans, documents and the
    # plan of approach one each; the escalation notice one, risk.escalation; the violence's
    # relationship contexts and forms one since issue 18; the children's section one, issue 18
    # part 3). Issue 20 part 3: whether the user may change the case comes with the case (the
    # permission check no longer a query of its own); the audit row is one INSERT at the end.
    # Issue 20 part 3, second round: a section whose table has no row of the case is not read
    # (cases.selectors.steering_presence, tests/test_steering_presence.py), so the count
    # depends on which sections have rows, never on how many: this case has none in a few.
    # The user's organisation comes with the user (accounts.backends): one query fewer.
    assert few <= 29


def test_home_page_query_count_does_not_grow_with_cases_or_overdue_actions(world, client):
    """The home page's board and lists start from the director's own cases and assignments
    (issue 20): more cases and more overdue actions change no query."""
    import datetime

    from django.utils import timezone

    from cases.models import CaseAction

    director = world.users["director_city_a"]
    client.force_login(director)
    url = reverse("home")
    today = timezone.localdate()
    # One item on the board: its label is read (one query for the items shown).
    CaseAction.objects.create(
        case=make_case(director),
        description="Eerste afspraak",
        due_on=today - datetime.timedelta(days=1),
        assignee_user=director,
        created_by=director,
    )
    few = _queries(client, url)
    for number in range(15):
        case = make_case(director)
        for days in (3, 40, 400):
            CaseAction.objects.create(
                case=case,
                description=f"Afspraak {number}",
                due_on=today - datetime.timedelta(days=days),
                assignee_user=director,
                created_by=director,
            )
    many = _queries(client, url)
    # Fewer, even: once overdue items fill the board, the sources dated from today on are
    # not asked (tests/test_deadline_board.py).
    assert many <= few
    # The items' labels are one query of their own (not a subquery in each source's query).
    assert few <= 24
