"""The case lists: scopes, filters, sorting, search (never in a URL), paging and the CSV export."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from accounts.roles import RoleCode
from cases.models import (
    Case,
    CaseAction,
    CaseParty,
    ClosingReason,
    FormOfViolence,
    FormOfViolenceCode,
    Person,
    RelationshipContext,
    RelationshipContextCode,
    RepeatMatch,
    Status,
    Track,
    Urgency,
)
from cases.selectors import case_list, normalise_name
from cases.selectors.lists import Scope
from cases.services import (
    case_add_co_director,
    case_change_status,
    case_close,
    case_create,
    share_create,
)

from . import party_roles as pr
from .conftest import whole_file_share
from .factories import MunicipalityFactory, make_case, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")
SEARCH = reverse("cases:search")
EXPORT = reverse("cases:export")


def mark_repeat(case, earlier):
    """As the repeat rule would (cases.services.people): the flag and the match it shows by."""
    Case.objects.filter(pk=case.pk).update(repeat_of=earlier)
    RepeatMatch.objects.create(later=case, earlier=earlier)


def listed(client, url=LIST, **params) -> list[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    return [c.reference for c in response.context["cases"]]


def refs(*cases: Case) -> set[str]:
    return {c.reference for c in cases}


def add_person(case: Case, first: str, last: str, role: dict = pr.VICTIM) -> Person:
    by = case.case_director
    person = Person(
        first_name=first,
        last_name=last,
        name_key=f"{normalise_name(last)} {normalise_name(first)}",
    )
    person._history_user = by  # type: ignore[attr-defined]
    person.save()
    party = CaseParty(case=case, person=person, **role, involved_since=case.opened_on)
    party._history_user = by  # type: ignore[attr-defined]
    party.save()
    return person


def add_action(case: Case, due_on: datetime.date, done_on: datetime.date | None = None):
    action = CaseAction(
        case=case,
        description="Bellen",
        assignee_user=case.case_director,
        due_on=due_on,
        done_on=done_on,
        created_by=case.case_director,
    )
    action._history_user = case.case_director  # type: ignore[attr-defined]
    action.save()
    return action


def search(client, term: str, query: str = ""):
    return client.post(SEARCH + query, {"q": term})


def follow_search(client, term: str, query: str = "") -> list[str]:
    response = search(client, term, query)
    assert response.status_code == 302
    page = client.get(response["Location"])
    return [c.reference for c in page.context["cases"]]


def csv_rows(response) -> list[list[str]]:
    """The Belgian Excel dialect: UTF-8 with a byte order mark, ";" between cells."""
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))


def csv_refs(response) -> list[str]:
    return [row[0] for row in csv_rows(response)[1:]]


# --- scopes -------------------------------------------------------------------------


@pytest.fixture
def colleagues(world):
    """A second director in city A, and director_city_a co-directing a CAW case."""
    colleague = make_user("director2_city_a", world.orgs["city_a"], RoleCode.CASE_DIRECTOR)
    colleague_case = make_case(colleague)
    case_add_co_director(
        case=world.cases["caw_a"],
        by=world.users["director_caw_a"],
        user=world.users["director_city_a"],
    )
    return colleague_case


def test_my_cases_are_the_ones_i_direct_or_co_direct(world, client, colleagues):
    client.force_login(world.users["director_city_a"])
    mine = set(listed(client, scope="mine"))
    assert mine == refs(world.cases["city_a"], world.cases["city_a_shared"], world.cases["caw_a"])


def test_my_organisations_cases_are_the_ones_it_owns(world, client, colleagues):
    client.force_login(world.users["director_city_a"])
    organisation = set(listed(client, scope="organisation"))
    assert organisation == refs(world.cases["city_a"], world.cases["city_a_shared"], colleagues)


def test_shared_holds_cases_of_other_organisations_i_may_see(world, client, colleagues):
    client.force_login(world.users["director_city_a"])
    assert set(listed(client, scope="shared")) == refs(world.cases["caw_a"])
    client.force_login(world.users["liaison_parket_a"])
    assert listed(client, scope="shared") == [world.cases["city_a_shared"].reference]
    assert listed(client, scope="organisation") == []


def test_default_scope_depends_on_the_role(world, client):
    client.force_login(world.users["director_city_a"])
    assert client.get(LIST).context["scope"] == Scope.MINE
    client.force_login(world.users["liaison_parket_a"])
    response = client.get(LIST)
    assert response.context["scope"] == Scope.SHARED
    # A prosecutor directs nothing: no "my cases" tab, and asking for it gives the default.
    assert Scope.MINE not in [s for s, _label in response.context["scopes"]]
    assert client.get(LIST, {"scope": "mine"}).context["scope"] == Scope.SHARED
    assert client.get(LIST, {"scope": "everything"}).context["scope"] == Scope.SHARED


def test_scopes_together_cover_every_visible_case_and_nothing_more(world, client, colleagues):
    for username in ("director_city_a", "director_caw_a", "liaison_parket_a", "co_director"):
        user = world.users[username]
        client.force_login(user)
        scopes = [s for s, _label in client.get(LIST).context["scopes"]]
        seen: set[str] = set()
        for scope in scopes:
            seen |= set(listed(client, scope=scope.value))
        visible = {c.reference for c in case_list(user=user)}
        assert seen == visible, username


@pytest.mark.parametrize("scope", ["mine", "organisation", "shared"])
def test_no_scope_lists_a_case_out_of_reach(world, client, colleagues, scope):
    client.force_login(world.users["director_city_a"])
    shown = set(listed(client, scope=scope))
    assert not shown & refs(world.cases["city_b"], world.cases["caw_b"])


def test_roles_without_case_work_get_no_list(world, client):
    for username in ("opslead_city_a", "netcoord_vo_a", "admin_city_a"):
        client.force_login(world.users[username])
        assert client.get(LIST).status_code == 403
        assert client.get(EXPORT).status_code == 403
        assert search(client, "Peeters").status_code == 403


# --- filters ------------------------------------------------------------------------


@pytest.fixture
def varied(world):
    """Cases of director_city_a that differ in every filtered property."""
    director = world.users["director_city_a"]
    city = world.orgs["city_a"]
    mechelen = MunicipalityFactory(name="Mechelen")
    lier = MunicipalityFactory(name="Lier")
    partner = RelationshipContext.objects.get(code=RelationshipContextCode.PARTNER)
    elder = RelationshipContext.objects.get(code=RelationshipContextCode.ELDER)
    physical = FormOfViolence.objects.get(code=FormOfViolenceCode.PHYSICAL)
    economic = FormOfViolence.objects.get(code=FormOfViolenceCode.ECONOMIC)
    today = timezone.localdate()

    def make(**kwargs):
        return case_create(by=director, owner_organisation=city, case_director=director, **kwargs)

    cases = {
        "mechelen_partner": make(
            municipality=mechelen,
            relationship_contexts=[partner],
            forms_of_violence=[physical],
            track=Track.OUTREACH,
        ),
        "lier_elder_urgent": make(
            municipality=lier,
            relationship_contexts=[elder, partner],
            forms_of_violence=[physical, economic],
            urgency=Urgency.URGENT,
        ),
        "chain_acute": make(track=Track.CHAIN, urgency=Urgency.ACUTE),
    }
    case_change_status(
        case=cases["mechelen_partner"], by=director, to_status=Status.ACTIVE, changed_on=today
    )
    case_close(
        case=cases["chain_acute"],
        by=director,
        closing_reason=ClosingReason.objects.filter(is_active=True).first(),
        closed_on=today,
    )
    mark_repeat(cases["lier_elder_urgent"], world.cases["city_a"])
    add_action(cases["mechelen_partner"], due_on=today - datetime.timedelta(days=2))
    add_action(cases["mechelen_partner"], due_on=today - datetime.timedelta(days=1))
    add_action(cases["lier_elder_urgent"], due_on=today - datetime.timedelta(days=5), done_on=today)
    add_action(cases["chain_acute"], due_on=today + datetime.timedelta(days=3))
    cases["mechelen"], cases["lier"] = mechelen, lier
    cases["partner"], cases["elder"] = partner, elder
    cases["physical"], cases["economic"] = physical, economic
    return cases


def _all(world, varied):
    return refs(
        world.cases["city_a"],
        world.cases["city_a_shared"],
        varied["mechelen_partner"],
        varied["lier_elder_urgent"],
        varied["chain_acute"],
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"track": "2"}, {"mechelen_partner"}),
        ({"track": "3"}, {"chain_acute", "shared"}),
        ({"status": "active"}, {"mechelen_partner"}),
        ({"status": "closed"}, {"chain_acute"}),
        ({"status": "registered"}, {"lier_elder_urgent", "plain", "shared"}),
        ({"status": "open"}, {"mechelen_partner", "lier_elder_urgent", "plain", "shared"}),
        ({"urgency": "acute"}, {"chain_acute"}),
        ({"urgency": "urgent"}, {"lier_elder_urgent"}),
        ({"repeat": "yes"}, {"lier_elder_urgent"}),
        ({"repeat": "no"}, {"mechelen_partner", "chain_acute", "plain", "shared"}),
        ({"overdue": "yes"}, {"mechelen_partner"}),
        ({"overdue": "no"}, {"lier_elder_urgent", "chain_acute", "plain", "shared"}),
        ({"status": "open", "track": "1"}, {"lier_elder_urgent", "plain"}),
    ],
)
def test_each_filter(world, client, varied, params, expected):
    names = {
        "plain": world.cases["city_a"],
        "shared": world.cases["city_a_shared"],
        **{k: v for k, v in varied.items() if isinstance(v, Case)},
    }
    client.force_login(world.users["director_city_a"])
    assert set(listed(client, scope="mine", **params)) == {names[n].reference for n in expected}


def test_filter_by_municipality_and_form_of_violence(world, client, varied):
    client.force_login(world.users["director_city_a"])
    assert listed(client, municipality=varied["mechelen"].pk) == [
        varied["mechelen_partner"].reference
    ]
    # Two forms on one case must not list it twice.
    assert sorted(listed(client, relationship_context=varied["partner"].pk)) == sorted(
        refs(varied["mechelen_partner"], varied["lier_elder_urgent"])
    )
    assert listed(client, relationship_context=varied["elder"].pk) == [
        varied["lier_elder_urgent"].reference
    ]
    assert sorted(listed(client, form_of_violence=varied["physical"].pk)) == sorted(
        refs(varied["mechelen_partner"], varied["lier_elder_urgent"])
    )
    assert listed(client, form_of_violence=varied["economic"].pk) == [
        varied["lier_elder_urgent"].reference
    ]


def test_overdue_count_is_shown_per_case(world, client, varied):
    client.force_login(world.users["director_city_a"])
    counts = {c.reference: c.overdue_actions for c in client.get(LIST).context["cases"]}
    assert counts[varied["mechelen_partner"].reference] == 2
    assert counts[varied["lier_elder_urgent"].reference] == 0  # done, so not overdue
    assert counts[varied["chain_acute"].reference] == 0  # not due yet


def test_bad_filter_values_are_reported_and_change_nothing(world, client, varied):
    client.force_login(world.users["director_city_a"])
    response = client.get(LIST, {"track": "9", "municipality": "999999", "repeat": "maybe"})
    assert response.status_code == 200
    assert {"track", "municipality", "repeat"} <= set(response.context["filter_form"].errors)
    assert {c.reference for c in response.context["cases"]} == _all(world, varied)


# --- sorting ------------------------------------------------------------------------


def test_sorting_by_each_whitelisted_column(world, client, varied):
    client.force_login(world.users["director_city_a"])
    by_ref = listed(client, sort="reference")
    assert by_ref == sorted(by_ref)
    assert listed(client, sort="-reference") == list(reversed(by_ref))
    tracks = [c.track for c in client.get(LIST, {"sort": "track"}).context["cases"]]
    assert tracks == sorted(tracks)
    tracks = [c.track for c in client.get(LIST, {"sort": "-track"}).context["cases"]]
    assert tracks == sorted(tracks, reverse=True)
    statuses = [c.status for c in client.get(LIST, {"sort": "status"}).context["cases"]]
    order = list(Status.values)
    assert statuses == sorted(statuses, key=order.index)
    assert statuses[-1] == Status.CLOSED
    places = [c.municipality for c in client.get(LIST, {"sort": "municipality"}).context["cases"]]
    assert [p.name for p in places if p] == ["Lier", "Mechelen"]
    assert places[-1] is None  # cases without a municipality come last
    Case.objects.filter(pk=varied["chain_acute"].pk).update(
        opened_on=timezone.localdate() - datetime.timedelta(days=30)
    )
    assert listed(client, sort="registered")[0] == varied["chain_acute"].reference
    assert listed(client, sort="-registered")[-1] == varied["chain_acute"].reference


def test_sort_outside_the_whitelist_falls_back_to_newest_first(world, client, varied):
    client.force_login(world.users["director_city_a"])
    default = listed(client)
    assert listed(client, sort="description") == default
    assert listed(client, sort="-case_director__password") == default


# --- search -------------------------------------------------------------------------


@pytest.fixture
def people(world):
    add_person(world.cases["city_a"], "Céline", "Dubois")
    add_person(world.cases["city_a"], "Marc", "Dubois", pr.PERPETRATOR)
    add_person(world.cases["city_a_shared"], "Jan", "Peeters")
    # The same name in a case director_city_a may not see.
    add_person(world.cases["city_b"], "Céline", "Dubois")
    add_person(world.cases["caw_a"], "Jan", "Peeters")


@pytest.mark.parametrize(
    "term",
    [
        "Dubois",
        "dubois",
        "DUBOIS",
        "celine",
        "Céline",
        "Dubois Céline",
        "celine dubois",
        " Céline   Dubois ",
    ],
)
def test_search_by_name_ignores_case_accents_spaces_and_order(world, client, people, term):
    client.force_login(world.users["director_city_a"])
    assert follow_search(client, term) == [world.cases["city_a"].reference]


def test_search_by_reference(world, client):
    client.force_login(world.users["director_city_a"])
    reference = world.cases["city_a_shared"].reference
    assert follow_search(client, reference) == [reference]
    number = reference.split("-")[1]
    assert follow_search(client, number, "?scope=organisation") == [reference]


def test_search_never_lists_an_out_of_scope_case_even_when_the_name_matches(world, client, people):
    client.force_login(world.users["director_city_a"])
    shown = follow_search(client, "Peeters", "?scope=organisation")
    assert shown == [world.cases["city_a_shared"].reference]
    for scope in ("mine", "organisation", "shared"):
        found = set(follow_search(client, "Dubois", f"?scope={scope}"))
        assert world.cases["city_b"].reference not in found
    # The prosecutor sees the shared case, never the CAW case with the same name in it.
    client.force_login(world.users["liaison_parket_a"])
    assert follow_search(client, "Peeters") == [world.cases["city_a_shared"].reference]
    client.force_login(world.users["liaison_parket_b"])
    assert follow_search(client, "Peeters") == []


def test_search_lists_a_case_once_when_several_people_match(world, client, people):
    client.force_login(world.users["director_city_a"])
    assert follow_search(client, "Dubois") == [world.cases["city_a"].reference]


def test_search_term_never_appears_in_a_url_or_the_audit_trail(world, client, people):
    client.force_login(world.users["director_city_a"])
    before = AuditEvent.objects.count()
    response = search(client, "Céline Dubois", "?scope=mine&track=1")
    location = response["Location"]
    assert "Dubois" not in location and "C%C3%A9line" not in location and "Celine" not in location
    assert location.startswith(LIST)
    # A search spans every visible case (issue 16): the "all" tab, the filters kept.
    assert "scope=all" in location and "track=1" in location and "search=" in location
    page = client.get(location)
    html = page.content.decode()
    for href in [part.split('"', 1)[0] for part in html.split('href="')[1:]]:
        assert "Dubois" not in href and "dubois" not in href
    actions = html.split('action="')[1:]
    assert actions and all("Dubois" not in a.split('"', 1)[0] for a in actions)
    for event in AuditEvent.objects.all()[before:]:
        assert "Dubois" not in str(event.detail) and "Dubois" not in event.purpose


def test_search_opens_all_keeps_the_filters_and_drops_unknown_parameters(world, client):
    client.force_login(world.users["director_city_a"])
    response = search(client, "2", "?scope=organisation&status=open&page=3&next=//evil")
    location = response["Location"]
    # Issue 16: a search looks across every case the user may see, whatever tab it came from.
    assert "scope=all" in location and "scope=organisation" not in location
    assert "status=open" in location
    assert "page=" not in location and "next=" not in location and "evil" not in location


def test_an_empty_search_clears_it_and_a_too_long_one_is_refused(world, client):
    client.force_login(world.users["director_city_a"])
    response = search(client, "   ")
    assert response.status_code == 302 and "search=" not in response["Location"]
    response = search(client, "x" * 101)
    assert response.status_code == 302 and "search=" not in response["Location"]
    assert "case_search_tokens" not in client.session
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]


def test_search_is_post_only(world, client):
    client.force_login(world.users["director_city_a"])
    assert client.get(SEARCH, {"q": "Dubois"}).status_code == 405


def test_a_search_token_works_only_in_its_own_session(world, client, people):
    from .conftest import VerifiedClient

    client.force_login(world.users["director_city_a"])
    location = search(client, "Dubois")["Location"]
    other = VerifiedClient()
    other.force_login(world.users["director_city_a"])
    response = other.get(location)
    assert response.context["search_expired"] is True
    # An unknown token searches for nothing: the plain list is shown, with a notice.
    assert {r.reference for r in response.context["cases"]} == refs(
        world.cases["city_a"], world.cases["city_a_shared"]
    )


def test_search_tokens_are_kept_for_the_last_ten_searches_only(world, client):
    client.force_login(world.users["director_city_a"])
    first = search(client, "first")["Location"]
    for n in range(10):
        search(client, f"term {n}")
    assert client.get(first).context["search_expired"] is True
    assert len(client.session["case_search_tokens"]) == 10


def test_the_session_holds_no_search_term(world, client, people):
    """Issue 13: the term lives in the server's cache under a digest of the token; the
    session (a signed cookie here, the session table in production) holds only tokens."""
    import json

    from django.core.cache import cache

    from cases.views.lists import search_cache_key

    client.force_login(world.users["director_city_a"])
    location = search(client, "Dubois")["Location"]
    session = dict(client.session)
    assert "Dubois" not in json.dumps(session)
    token = location.split("search=", 1)[1].split("&", 1)[0]
    assert session["case_search_tokens"] == [token]
    assert cache.get(search_cache_key(token)) == "Dubois"
    assert cache.get(token) is None  # the key is a digest, not the token itself
    assert refs(world.cases["city_a"]) == {
        r.reference for r in client.get(location).context["cases"]
    }
    # Once the cache forgot it (the idle timeout passed), the search has expired.
    cache.delete(search_cache_key(token))
    assert client.get(location).context["search_expired"] is True


def test_a_session_with_plain_terms_from_before_loses_them(world, client):
    client.force_login(world.users["director_city_a"])
    session = client.session
    session["case_searches"] = {"old-token": "Dubois"}
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get(LIST, {"search": "old-token"})
    assert response.context["search_expired"] is True
    assert "case_searches" not in client.session


def test_the_oldest_term_leaves_the_cache_with_its_token(world, client):
    from django.core.cache import cache

    from cases.views.lists import search_cache_key

    client.force_login(world.users["director_city_a"])
    first = search(client, "first")["Location"].split("search=", 1)[1].split("&", 1)[0]
    for n in range(10):
        search(client, f"term {n}")
    assert cache.get(search_cache_key(first)) is None


# --- pagination and export -----------------------------------------------------------


def test_pagination_keeps_scope_filters_and_search(world, client):
    director = world.users["director_city_a"]
    for _ in range(28):
        make_case(director)
    client.force_login(director)
    location = search(client, "-", "?scope=mine&track=1")["Location"]
    page1 = client.get(location)
    assert len(page1.context["cases"]) == 25
    assert page1.context["page_obj"].paginator.count == 29  # 28 + city_a (track 1)
    html = page1.content.decode()
    next_link = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"', 1)[0]
    next_link = next_link.replace("&amp;", "&")
    assert "page=2" in next_link and "scope=all" in next_link and "track=1" in next_link
    assert "search=" in next_link
    page2 = client.get(LIST + next_link)
    assert len(page2.context["cases"]) == 4
    shown = {c.pk for c in page1.context["cases"]} | {c.pk for c in page2.context["cases"]}
    assert len(shown) == 29


def test_csv_holds_exactly_the_filtered_set_of_the_page(world, client, varied, people):
    director = world.users["director_city_a"]
    for _ in range(26):
        make_case(director)
    client.force_login(director)
    location = search(client, "-", "?scope=mine&status=open&track=1")["Location"]
    query = location.split("?", 1)[1]
    pages = []
    response = client.get(location)
    pages += [c.reference for c in response.context["cases"]]
    while response.context["page_obj"].has_next():
        number = response.context["page_obj"].next_page_number()
        response = client.get(f"{location}&page={number}")
        pages += [c.reference for c in response.context["cases"]]
    exported = client.get(f"{EXPORT}?{query}")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    assert csv_refs(exported) == pages
    assert len(pages) == 28  # 26 new + city_a + lier_elder_urgent
    # And the export link on the page carries the same parameters.
    html = client.get(location).content.decode()
    link = html.split(EXPORT, 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert csv_refs(client.get(EXPORT + link)) == pages

    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.EXPORT
    assert set(event.detail["ids"]) == {
        str(pk) for pk in Case.objects.filter(reference__in=pages).values_list("pk", flat=True)
    }


def test_csv_shows_the_listed_columns(world, client, varied):
    client.force_login(world.users["director_city_a"])
    rows = csv_rows(client.get(EXPORT, {"overdue": "yes"}))
    assert len(rows) == 2
    row = rows[1]
    assert row[0] == varied["mechelen_partner"].reference
    assert "Mechelen" in row
    assert row[-1] == "2"


# --- query counts --------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        response.getvalue()  # a streamed export runs its queries while it is sent
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _make_rich_cases(world, n: int, shared_with=None):
    director = world.users["director_city_a"]
    mechelen: Any = MunicipalityFactory(name="Mechelen")
    partner = RelationshipContext.objects.get(code=RelationshipContextCode.PARTNER)
    past = timezone.localdate() - datetime.timedelta(days=3)
    for _ in range(n):
        case = case_create(
            by=director,
            owner_organisation=director.organisation,
            case_director=director,
            municipality=mechelen,
            relationship_contexts=[partner],
            track=Track.CHAIN,
        )
        # Of a case the liaison sees too (shared with the parket): the filter is per viewer.
        mark_repeat(case, world.cases["city_a_shared"])
        add_person(case, "Jan", "Peeters")
        add_person(case, "An", "Peeters")
        add_action(case, past)
        if shared_with is not None:
            share_create(case=case, organisation=shared_with, by=director, terms=whole_file_share())
    return mechelen, partner


@pytest.mark.parametrize(
    ("username", "scope"),
    [
        ("director_city_a", "all"),
        ("director_city_a", "mine"),
        ("director_city_a", "organisation"),
        ("liaison_parket_a", "shared"),
    ],
)
@pytest.mark.parametrize("url_name", ["cases:list", "cases:export"])
def test_query_count_is_the_same_for_5_and_40_cases(world, client, username, scope, url_name):
    mechelen, partner = _make_rich_cases(world, 5, shared_with=world.orgs["parket_a"])
    client.force_login(world.users[username])
    filters = (
        f"scope={scope}&track=3&status=open&municipality={mechelen.pk}"
        f"&relationship_context={partner.pk}&repeat=yes&overdue=yes&urgency=normal&sort=-municipality"
    )
    token = search(client, "peeters", f"?{filters}")["Location"].split("search=")[1]
    url = f"{reverse(url_name)}?{filters}&search={token}"
    few = _count(client, url)
    assert (
        len(
            csv_refs(client.get(url))
            if url_name == "cases:export"
            else client.get(url).context["cases"]
        )
        == 5
    )
    _make_rich_cases(world, 35, shared_with=world.orgs["parket_a"])
    many = _count(client, url)
    shown = client.get(url)
    rows = csv_refs(shown) if url_name == "cases:export" else shown.context["cases"]
    assert len(rows) == (40 if url_name == "cases:export" else 25)
    assert many == few


def test_list_rows_load_no_free_text_and_no_account_details(world, client):
    """A row holds what the list shows: the case's free texts and its director's account
    (password hash, e-mail) stay in the database."""
    director = world.users["director_city_a"]
    client.force_login(director)
    rows = list(client.get(reverse("cases:list") + "?scope=mine").context["cases"])
    rows += list(case_list(user=director, scope=Scope.MINE))
    assert rows
    for case in rows:
        assert {"description", "consult_question", "advice_given", "alignment_notes"} <= (
            case.get_deferred_fields()
        )
        assert {"password", "email"} <= case.case_director.get_deferred_fields()
