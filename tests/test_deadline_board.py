"""The deadline board (issue 17, part 1): every kind with its date and urgency, only cases in
scope, the page with its filters, the home page's block and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.parts import ShareScope
from cases.models import MeasureKind, ReferralDirection, Track
from cases.selectors.board import BoardPeriod, BoardScope, deadline_board
from cases.services import (
    case_action_add,
    hearing_add,
    measure_add,
    referral_create,
    share_create,
    share_stop,
)

from . import party_roles as pr
from .clock import NOON
from .conftest import whole_file_share
from .factories import make_case, make_user

pytestmark = pytest.mark.django_db

TODAY = NOON.date()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(NOON, tick=True)


def old_case(director, **kwargs):
    """A case registered two months ago, so that its actions may be overdue."""
    from cases.models import Case

    case = make_case(director, **kwargs)
    Case.objects.filter(pk=case.pk).update(opened_on=day(-60))
    case.refresh_from_db()
    return case


def items_of(user, case=None, **kwargs):
    board = deadline_board(user=user, **kwargs)
    return [i for i in board.items if case is None or i.case_pk == case.pk]


def kinds_of(user, case, **kwargs):
    return {(i.kind, i.on) for i in items_of(user, case, **kwargs)}


@pytest.fixture
def busy_case(world):
    """A track-3 case of director_city_a with one item of every cases kind."""
    director = world.users["director_city_a"]
    case = old_case(director, track=Track.CHAIN)
    objects = {
        "order": measure_add(
            case=case,
            by=director,
            kind=MeasureKind.RESTRAINING_ORDER,
            starts_on=day(-12),
            ends_on=day(2),
        ),
        "conditions": measure_add(
            case=case,
            by=director,
            kind=MeasureKind.CONDITIONS,
            starts_on=day(-5),
            ends_on=day(20),
            conditions="Geen contact met Anna Vermeulen",
        ),
        "hearing": hearing_add(
            case=case,
            by=director,
            held_at=NOON + datetime.timedelta(days=5),
            court="Familierechtbank Mechelen",
            subject="Verlenging huisverbod Vermeulen",
        ),
        "overdue": case_action_add(
            case=case,
            by=director,
            description="Veiligheidsplan bespreken",
            due_on=day(-3),
            assignee_user=director,
        ),
        "soon": case_action_add(
            case=case,
            by=director,
            description="Huisbezoek",
            due_on=day(3),
            assignee_organisation=world.orgs["partner_a"],
        ),
        "old_referral": referral_create(
            case=case,
            by=director,
            direction=ReferralDirection.OUTGOING,
            partner=world.orgs["partner_b"],
            referred_on=day(-20),
            reason="Daderhulp voor meneer Vermeulen",
            ground="necessity",
            necessity_reason="Test",
        ),
        "new_referral": referral_create(
            case=case,
            by=director,
            direction=ReferralDirection.INCOMING,
            partner=world.orgs["partner_a"],
            referred_on=day(-5),
            reason="Recent",
        ),
        "share": share_create(
            case=case,
            by=director,
            organisation=world.orgs["caw_a"],
            terms=whole_file_share(ends_on=day(4)),
        ),
    }
    return case, objects


def test_every_kind_with_its_date_and_urgency(world, busy_case):
    case, _objects = busy_case
    director = world.users["director_city_a"]
    items = items_of(director, case)
    assert [(i.kind, i.on) for i in items] == [
        # Overdue first, oldest first: the track-3 case registered on day -60 still lacks a
        # joint assessment and a consultation four weeks later (risk.escalation); the referral
        # was due an answer 14 days after day -20.
        ("chain_incomplete", day(-32)),
        ("referral", day(-6)),
        ("action", day(-3)),
        # Then by date.
        ("measure_end", day(2)),
        ("action", day(3)),
        ("share_end", day(4)),
        ("hearing", day(5)),
        ("measure_end", day(20)),
    ]
    by_date = {i.on: i for i in items}
    assert by_date[day(-6)].is_overdue and by_date[day(-3)].is_overdue
    assert not by_date[day(2)].is_overdue
    # The restraining order is inside the warning period (3 days); the conditions are not.
    assert by_date[day(2)].warning and not by_date[day(20)].warning
    assert by_date[day(2)].days_left == 2
    # Where each is handled.
    detail = reverse("cases:detail", kwargs={"pk": case.pk})
    assert by_date[day(2)].url == detail + "#judicial-heading"
    assert by_date[day(5)].url == detail + "#judicial-heading"
    assert by_date[day(-3)].url == reverse("cases:actions", kwargs={"pk": case.pk})
    assert by_date[day(-6)].url == detail + "#referrals-heading"
    assert by_date[day(4)].url == reverse("cases:share", kwargs={"pk": case.pk})
    assert all(i.reference == case.reference for i in items)


def test_descriptions_leave_free_texts_on_the_case_pages(world, busy_case):
    case, _objects = busy_case
    text = " ".join(i.description for i in items_of(world.users["director_city_a"], case))
    assert "Familierechtbank Mechelen" in text  # the court: where to be
    for free_text in ("Vermeulen", "Daderhulp", "Geen contact"):
        assert free_text not in text


def test_the_referral_window_is_a_setting(world, busy_case, settings):
    case, _objects = busy_case
    settings.FJC_REFERRAL_ANSWER_DAYS = 3
    referrals = {
        i.on for i in items_of(world.users["director_city_a"], case) if i.kind == "referral"
    }
    assert referrals == {day(-17), day(-2)}


def test_consultation_dates_of_my_cases(world):
    director = world.users["director_city_a"]
    case = world.cases["city_a_shared"]  # on the agenda of the world's consultation, tomorrow
    consultations = [i for i in items_of(director, case) if i.kind == "consultation"]
    assert [i.on for i in consultations] == [timezone.localdate(world.consultation.scheduled_at)]
    assert consultations[0].url == reverse(
        "consultations:detail", kwargs={"pk": world.consultation.pk}
    )
    # Another organisation's director has no such case.
    assert not [i for i in items_of(world.users["director_city_b"]) if i.kind == "consultation"]


def test_a_participants_consultation_access_about_to_end(world, settings):
    from consultations.services import planning

    # A police officer outside the case team takes part: their access to the agenda case's
    # consultation view closes 14 days after tomorrow's consultation.
    police = world.users["partner_police_a"]
    planning.participant_add_user(
        consultation=world.consultation, by=world.users["director_city_a"], user=police
    )
    assert not [i for i in items_of(police) if i.kind == "consultation_access_end"]
    planning.secrecy_confirm(consultation=world.consultation, user=police)
    # Outside the default 7 days.
    assert not [i for i in items_of(police) if i.kind == "consultation_access_end"]
    settings.FJC_ACCESS_ENDING_DAYS = 20
    [item] = [i for i in items_of(police) if i.kind == "consultation_access_end"]
    assert item.case_pk == world.cases["city_a_shared"].pk
    closes = world.consultation.scheduled_at + datetime.timedelta(days=14)
    assert item.on == timezone.localdate(closes)
    assert item.url == reverse(
        "consultations:item",
        kwargs={"pk": world.consultation.pk, "item_pk": world.agenda_item.pk},
    )
    # Nothing else of the case: the participant is not on its team.
    assert {i.kind for i in items_of(police, scope=BoardScope.ORGANISATION)} == {
        "consultation_access_end"
    }


def test_another_organisation_sees_nothing_of_my_cases(world, busy_case):
    case, _objects = busy_case
    for username in ("director_city_b", "director_caw_b", "partner_partner_a"):
        user = world.users[username]
        for scope in BoardScope:
            assert items_of(user, case, scope=scope) == [], (username, scope)


def test_mine_and_my_organisation(world, busy_case):
    case, _objects = busy_case
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    # Not my case: my organisation's board shows it, mine does not.
    assert items_of(colleague, case) == []
    assert {i.kind for i in items_of(colleague, case, scope=BoardScope.ORGANISATION)} == {
        "measure_end",
        "hearing",
        "action",
        "referral",
        # The colleague may change the case (their organisation's): they may extend a share.
        "share_end",
        "chain_incomplete",
    }
    # An action assigned to me in a colleague's case is mine.
    theirs = make_case(colleague)
    assigned = case_action_add(
        case=theirs,
        by=colleague,
        description="Bellen",
        due_on=day(1),
        assignee_user=world.users["director_city_a"],
    )
    [item] = items_of(world.users["director_city_a"], theirs)
    assert (item.kind, item.on, item.description) == ("action", day(1), assigned.description)


def test_a_share_shows_its_case_until_it_is_stopped(world, busy_case):
    case, _objects = busy_case
    caw = world.users["director_caw_a"]
    # The share with CAW A (until day 4) opens the whole file to CAW A's case workers.
    shared = kinds_of(caw, case, scope=BoardScope.ORGANISATION)
    assert ("measure_end", day(2)) in shared
    # A share is the case team's to extend, not the receiving organisation's.
    assert not [k for k, _on in shared if k == "share_end"]
    share_stop(case=case, by=world.users["director_city_a"], organisation=world.orgs["caw_a"])
    assert items_of(caw, case, scope=BoardScope.ORGANISATION) == []


@pytest.mark.parametrize("username", ["admin_city_a", "superuser", "netcoord_vo_a"])
def test_who_may_not_read_cases_gets_nothing(world, busy_case, username):
    user = world.users[username]
    for scope in BoardScope:
        assert deadline_board(user=user, scope=scope).items == []


def test_filters_by_kind_and_period(world, busy_case):
    case, _objects = busy_case
    director = world.users["director_city_a"]
    assert kinds_of(director, case, kinds=["hearing"]) == {("hearing", day(5))}
    assert kinds_of(director, case, period=BoardPeriod.OVERDUE) == {
        ("chain_incomplete", day(-32)),
        ("referral", day(-6)),
        ("action", day(-3)),
    }
    assert ("measure_end", day(20)) not in kinds_of(director, case, period=BoardPeriod.WEEK)
    assert ("hearing", day(5)) in kinds_of(director, case, period=BoardPeriod.WEEK)


def test_closed_actions_and_answered_referrals_leave_the_board(world, busy_case):
    from cases.models import ReferralStatus
    from cases.services import case_action_mark_done, referral_answer

    case, objects = busy_case
    director = world.users["director_city_a"]
    case_action_mark_done(action=objects["overdue"], by=director)
    referral_answer(
        referral=objects["old_referral"], by=director, status=ReferralStatus.ACCEPTED, on=day(0)
    )
    assert kinds_of(director, case, period=BoardPeriod.OVERDUE) == {("chain_incomplete", day(-32))}


# --- the page ---


def test_the_page_in_dutch_with_filters(world, client, busy_case):
    case, _objects = busy_case
    client.force_login(world.users["director_city_a"])
    response = client.get(reverse("cases:board"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Termijnen</h1>" in page
    assert "Maatregel loopt af" in page and "Zitting" in page and "(achterstallig)" in page
    assert "(waarschuwing: over 2 dagen)" in page
    assert "Einde van de maatregel “Tijdelijk huisverbod (THV)”" in page
    assert case.reference in page

    response = client.get(reverse("cases:board"), {"kind": "hearing", "period": "week"})
    items = response.context["board"].items
    assert {i.kind for i in items} == {"hearing"}
    assert "Maatregel loopt af" not in response.content.decode().split("</form>")[1]


def test_unknown_filter_values_fall_back_to_the_defaults(world, client, busy_case):
    client.force_login(world.users["director_city_a"])
    response = client.get(
        reverse("cases:board"), {"kind": "nonsense", "period": "1y", "scope": "all"}
    )
    assert response.status_code == 200
    assert response.context["board"].until == day(30)


def test_the_form_puts_only_codes_in_the_address(world, client):
    client.force_login(world.users["director_city_a"])
    page = client.get(reverse("cases:board")).content.decode()
    form = page.split('<form method="get"')[1].split("</form>")[0]
    names = {part.split('"')[0] for part in form.split('name="')[1:]}
    assert names == {"kind", "period", "scope"}


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("director_city_a", 200),
        ("partner_partner_a", 200),
        ("liaison_parket_a", 200),
        ("admin_city_a", 403),
        ("netcoord_vo_a", 403),
        ("opslead_city_a", 403),
    ],
)
def test_who_may_open_the_page(world, client, username, status):
    client.force_login(world.users[username])
    assert client.get(reverse("cases:board")).status_code == status


def test_anonymous_goes_to_the_login(client):
    response = client.get(reverse("cases:board"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_navigation_links_it_for_everyone_who_works_with_cases(world, client):
    board = reverse("cases:board")
    for username, linked in (
        ("director_city_a", True),
        ("partner_partner_a", True),
        ("liaison_parket_a", True),
        ("netcoord_vo_a", False),
        ("admin_city_a", False),
    ):
        client.force_login(world.users[username])
        page = client.get(reverse("home")).content.decode()
        nav = page.split('aria-label="Hoofdnavigatie"', 1)[1].split("</nav>", 1)[0]
        assert (f'href="{board}"' in nav) is linked, username
    client.force_login(world.users["director_city_a"])
    nav = client.get(board).content.decode().split('aria-label="Hoofdnavigatie"', 1)[1]
    assert f'href="{board}" aria-current="page">Termijnen<' in nav.split("</nav>", 1)[0]


def test_the_page_is_audited(world, client, busy_case):
    from access.models import AuditEvent

    case, _objects = busy_case
    client.force_login(world.users["director_city_a"])
    client.get(reverse("cases:board"))
    event = AuditEvent.objects.filter(purpose="deadline board").latest("pk")
    assert str(case.pk) in event.detail["ids"]


# --- the home page ---


def test_the_home_page_shows_the_most_urgent_items(world, client, busy_case, monkeypatch):
    case, _objects = busy_case
    client.force_login(world.users["director_city_a"])
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert "Dringendste termijnen" in page
    board = response.context["board"]
    assert len(board.items) <= 10
    assert board.items[0].is_overdue
    assert reverse("cases:actions", kwargs={"pk": case.pk}) in page

    monkeypatch.setattr("fjc.views.HOME_ROWS", 2)
    response = client.get(reverse("home"))
    assert len(response.context["board"].items) == 2
    assert response.context["board"].more
    assert "Alle termijnen" in response.content.decode()


def test_a_limited_board_is_the_full_board_cut_at_its_limit(world, busy_case):
    """The home page's board (limited) shows what the full board shows first, and says when
    there is more, also when its overdue items fill it and the sources dated from today on
    are not asked; with fewer queries then."""
    case, _objects = busy_case
    director = world.users["director_city_a"]
    for n in range(3):
        case_action_add(
            case=case,
            by=director,
            description=f"Te laat {n}",
            due_on=day(-10 - n),
            assignee_user=director,
        )
    full = deadline_board(user=director)
    assert sum(item.is_overdue for item in full.items) == 6
    assert {item.kind for item in full.items if not item.is_overdue} >= {
        "measure_end",
        "hearing",
        "share_end",
    }
    queries = {}
    for limit in (1, 2, 5, 6, 7, 10, 30):
        with CaptureQueriesContext(connection) as ctx:
            limited = deadline_board(user=director, limit=limit)
        queries[limit] = len(ctx.captured_queries)
        assert limited.items == full.items[:limit], limit
        assert limited.more == (len(full.items) > limit), limit
    # Six overdue items fill a board of five: the sources dated from today on are not asked.
    assert queries[1] == queries[5] < queries[6] == queries[30]


def test_every_item_carries_its_case_label(world, busy_case, settings):
    """The labels are read once for the items shown, after the sort and the cut."""
    from .test_findability import add_person

    case, _objects = busy_case
    director = world.users["director_city_a"]
    add_person(case, "Anna", "Verbeke")
    other = old_case(director)
    add_person(other, "Bert", "Claes")
    case_action_add(
        case=other, by=director, description="Bellen", due_on=day(-40), assignee_user=director
    )
    items = deadline_board(user=director).items
    labels = {(i.case_pk, i.label) for i in items if i.case_pk in (case.pk, other.pk)}
    assert labels == {(case.pk, "A. V."), (other.pk, "B. C.")}
    assert [(i.case_pk, i.label) for i in deadline_board(user=director, limit=1).items] == [
        (other.pk, "B. C.")
    ]
    settings.FJC_CASE_LABEL = "none"
    assert {i.label for i in deadline_board(user=director).items} == {""}


def test_sources_dated_from_today_never_give_an_overdue_item(world, busy_case):
    """What lets a limited board skip them: past measures, hearings and consultations stay
    off the board."""
    from cases.selectors.board import _SOURCES

    case, _objects = busy_case
    director = world.users["director_city_a"]
    measure_add(
        case=case,
        by=director,
        kind=MeasureKind.RESTRAINING_ORDER,
        starts_on=day(-10),
        ends_on=day(-2),
    )
    hearing_add(case=case, by=director, held_at=NOON - datetime.timedelta(days=1), court="X")
    from_today = {kind for kind, source in _SOURCES.items() if source.from_today}
    assert from_today >= {"measure_end", "hearing", "share_end", "chain_suggested"}
    for scope in BoardScope:
        items = deadline_board(user=director, scope=scope).items
        assert not [i for i in items if i.kind in from_today and i.is_overdue], scope
        overdue = deadline_board(user=director, scope=scope, period=BoardPeriod.OVERDUE)
        assert not {i.kind for i in overdue.items} & from_today, scope


def test_an_administrator_home_has_no_board(world, client):
    client.force_login(world.users["admin_city_a"])
    response = client.get(reverse("home"))
    assert "board" not in response.context
    assert "Dringendste termijnen" not in response.content.decode()


# --- queries ---


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["cases:board", "home"])
def test_a_fixed_number_of_queries_whatever_the_number_of_cases(world, client, url_name):
    director = world.users["director_city_a"]
    client.force_login(director)
    url = reverse(url_name) + ("?scope=organisation" if url_name == "cases:board" else "")
    few = _queries(client, url)
    for n in range(4):
        case = old_case(director, track=Track.CHAIN)
        measure_add(
            case=case,
            by=director,
            kind=MeasureKind.RESTRAINING_ORDER,
            starts_on=day(-1),
            ends_on=day(1 + n),
        )
        hearing_add(case=case, by=director, held_at=NOON + datetime.timedelta(days=2), court="X")
        case_action_add(
            case=case, by=director, description="A", due_on=day(-1), assignee_user=director
        )
        referral_create(
            case=case,
            by=director,
            direction=ReferralDirection.OUTGOING,
            partner=world.orgs["partner_b"],
            referred_on=day(-30),
            reason="R",
            ground="necessity",
            necessity_reason="Test",
        )
        share_create(
            case=case,
            by=director,
            organisation=world.orgs["caw_a"],
            terms=whole_file_share(ends_on=day(3), scope=ShareScope.WHOLE_FILE),
        )
    many = _queries(client, url)
    if url_name == "home":
        # The home page's board is limited: once overdue items fill it, the sources dated
        # from today on are not asked (test_a_limited_board_is_the_full_board_cut_at_its_limit).
        assert many <= few
    else:
        assert many == few


def test_a_safety_plan_review_due_names_neither_the_person_nor_the_plan(world):

    from .test_safety_plans import CONFIDENTIAL, SIGNS, _person, _plan

    director = world.users["director_city_a"]
    case = old_case(director)
    plan = _plan(case, _person(case, pr.VICTIM, first_name="Noor"))
    type(plan).objects.filter(pk=plan.pk).update(review_on=day(3))
    [item] = [i for i in items_of(director, case) if i.kind == "safety_plan_review"]
    assert (item.on, item.is_overdue) == (day(3), False)
    assert item.url == reverse(
        "cases:safety_plan", kwargs={"pk": case.pk, "safety_plan_pk": plan.pk}
    )
    assert not [text for text in ("Noor", SIGNS, *CONFIDENTIAL) if text in item.description]
    # Outside the period, and for another organisation: not on the board.
    assert items_of(director, case, period=BoardPeriod.OVERDUE) == []
    assert items_of(world.users["director_city_b"], case) == []


def test_who_directs_no_case_starts_from_the_cases_shared_with_them(world, client, busy_case):
    """The liaison directs nothing: "my cases" would be empty, so their board starts from
    every case they may see; a case director starts from their own."""
    case, _objects = busy_case
    share_create(
        case=case,
        by=world.users["director_city_a"],
        organisation=world.orgs["parket_a"],
        terms=whole_file_share(),
    )
    client.force_login(world.users["liaison_parket_a"])
    page = client.get(reverse("cases:board"))
    assert page.context["form"].default_scope == BoardScope.ORGANISATION
    assert case.pk in page.context["board"].case_ids
    client.force_login(world.users["director_city_a"])
    assert client.get(reverse("cases:board")).context["form"].default_scope == BoardScope.MINE
