"""Issue 16, findability: search across every visible case, the short case label, every page
a role may use reachable by clicking, and a home page per role."""

import datetime
import html
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from access import policy
from access.policy import ConfidentialField
from accounts.roles import RoleCode
from cases.models import Case, CaseParty, Person
from cases.selectors import normalise_name
from cases.services import case_create, share_create

from . import party_roles as pr
from .conftest import whole_file_share
from .factories import make_case, make_user
from .urlwalk import walk

pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")
SEARCH = reverse("cases:search")
HOME = reverse("home")


def add_person(case: Case, first: str, last: str, role: dict = pr.VICTIM, days: int = 0):
    """A person in ``case``, involved ``days`` after the case was opened."""
    by = case.case_director
    person = Person(
        first_name=first,
        last_name=last,
        name_key=f"{normalise_name(last)} {normalise_name(first)}",
    )
    person._history_user = by  # type: ignore[attr-defined]
    person.save()
    party = CaseParty(
        case=case,
        person=person,
        **role,
        involved_since=case.opened_on + datetime.timedelta(days=days),
    )
    party._history_user = by  # type: ignore[attr-defined]
    party.save()
    return person


def listed(client, **params) -> dict[str, str]:
    """Reference -> label of the cases on the list page."""
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {c.reference: c.label for c in response.context["cases"]}


def follow_search(client, term: str, query: str = "") -> tuple[str, list[str]]:
    response = client.post(SEARCH + query, {"q": term})
    assert response.status_code == 302
    location = response["Location"]
    page = client.get(location)
    return location, [c.reference for c in page.context["cases"]]


# --- search across every visible case ------------------------------------------------


@pytest.fixture
def shared_with_city_a(world):
    """CAW A's case, shared with city A: in director_city_a's "shared" tab, not "mine"."""
    case = world.cases["caw_a"]
    share_create(
        case=case,
        organisation=world.orgs["city_a"],
        by=world.users["director_caw_a"],
        terms=whole_file_share(),
    )
    add_person(case, "Zoë", "Verhulst")
    # The same name in a case director_city_a may not see.
    add_person(world.cases["caw_b"], "Zoë", "Verhulst")
    return case


def test_a_search_from_my_cases_finds_a_case_shared_with_me(world, client, shared_with_city_a):
    client.force_login(world.users["director_city_a"])
    assert shared_with_city_a.reference not in listed(client, scope="mine")
    location, found = follow_search(client, "verhulst", "?scope=mine")
    assert "scope=all" in location and "verhulst" not in location.lower()
    assert found == [shared_with_city_a.reference]
    page = client.get(location)
    assert page.context["scope"] == "all"
    # The tabs narrow the same search: the shared case is not in "mine", it is in "shared".
    token = location.split("search=")[1]
    assert listed(client, scope="mine", search=token) == {}
    assert list(listed(client, scope="shared", search=token)) == [shared_with_city_a.reference]
    html_page = page.content.decode()
    assert 'aria-current="page">Alle<' in html_page


def test_a_case_outside_scope_is_never_found_from_any_tab(world, client, shared_with_city_a):
    client.force_login(world.users["director_city_a"])
    location, found = follow_search(client, "Zoë Verhulst")
    assert world.cases["caw_b"].reference not in found
    token = location.split("search=")[1]
    for scope in ("all", "mine", "organisation", "shared"):
        assert world.cases["caw_b"].reference not in listed(client, scope=scope, search=token)
    # Nor for the prosecutor, who sees only what was shared with the office.
    client.force_login(world.users["liaison_parket_a"])
    assert follow_search(client, "Verhulst")[1] == []


def test_the_all_tab_is_offered_but_the_list_still_opens_on_my_work(world, client):
    client.force_login(world.users["director_city_a"])
    response = client.get(LIST)
    assert response.context["scope"] == "mine"
    assert [s.value for s, _label in response.context["scopes"]] == [
        "all",
        "mine",
        "organisation",
        "shared",
    ]
    client.force_login(world.users["liaison_parket_a"])
    response = client.get(LIST)
    assert response.context["scope"] == "shared"
    assert list(listed(client, scope="all")) == [world.cases["city_a_shared"].reference]


# --- the case label ----------------------------------------------------------------


def test_the_label_is_the_first_victims_initials_by_default(world, client):
    director = world.users["director_city_a"]
    case = make_case(director)
    without_victim = make_case(director)
    add_person(without_victim, "Marc", "Peeters", pr.PERPETRATOR)
    add_person(case, "Marc", "Peeters", pr.PERPETRATOR)
    add_person(case, "Lotte", "de Smet", days=2)
    add_person(case, "anna", "Verbeke")
    client.force_login(world.users["director_city_a"])
    labels = listed(client)
    assert labels[case.reference] == "A. V."
    assert labels[without_victim.reference] is None  # no victim: no label
    page = client.get(LIST).content.decode()
    assert '<span class="case-label muted">A. V.</span>' in page
    assert "Verbeke" not in page and "anna" not in page


def test_the_label_can_show_the_first_name_or_nothing(world, client, settings):
    case = make_case(world.users["director_city_a"])
    add_person(case, "Anna", "Verbeke")
    client.force_login(world.users["director_city_a"])
    settings.FJC_CASE_LABEL = "victim_first_name_initial"
    assert listed(client)[case.reference] == "Anna V."
    assert "Anna V." in client.get(LIST).content.decode()
    settings.FJC_CASE_LABEL = "none"
    assert listed(client)[case.reference] == ""
    page = client.get(LIST).content.decode()
    assert "case-label" not in page and "Anna" not in page


def test_an_anonymous_consult_says_so(world, client, settings):
    director = world.users["director_city_a"]
    consult = case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        track=1,
        is_anonymous_consult=True,
    )
    client.force_login(director)
    page = client.get(LIST).content.decode()
    row = page.split(f">{consult.reference}</a>", 1)[1].split("</td>", 1)[0]
    assert "anoniem consult" in row
    settings.FJC_CASE_LABEL = "none"
    row = client.get(LIST).content.decode().split(f">{consult.reference}</a>", 1)[1]
    assert "anoniem consult" not in row.split("</td>", 1)[0]


def test_a_reader_outside_the_team_sees_no_name_declared_confidential(world, client, monkeypatch):
    """The label asks access.policy's declaration: were a name field declared confidential,
    only the case team (who may see confidential details) would see it in the label."""
    shared = world.cases["city_a_shared"]
    add_person(shared, "Anna", "Verbeke")
    client.force_login(world.users["liaison_parket_a"])
    assert listed(client, scope="shared")[shared.reference] == "A. V."
    monkeypatch.setattr(
        policy,
        "CONFIDENTIAL_FIELDS",
        {**policy.CONFIDENTIAL_FIELDS, "cases.person": (ConfidentialField("last_name"),)},
    )
    assert listed(client, scope="shared")[shared.reference] == ""
    home = client.get(HOME).content.decode()
    assert shared.reference in home and "A. V." not in home
    # The case team still sees it.
    client.force_login(world.users["director_city_a"])
    assert listed(client)[shared.reference] == "A. V."


def test_the_label_adds_no_query_per_row(world, client):
    director = world.users["director_city_a"]
    client.force_login(director)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(12):
        add_person(make_case(director), f"Voornaam{n}", f"Achternaam{n}")
    assert count() == few


# --- every page a role may use is reachable by clicking ------------------------------

HREF = re.compile(r'href="([^"#]*)"')
# Linked pages not fetched while walking: files (PDF, CSV, uploads) and the admin.
NOT_FETCHED = re.compile(r"(_pdf|export|download|_document|access_report)$|^admin:")
# Pages without parameters that need no link, each with the reason.
NEEDS_NO_LINK = {
    "health": "for load balancers and monitoring",
    "health_live": "for the container's health check",
    "login": "the start of every visit",
    "second_factor:verify": "a step of the login",
    "second_factor:enrol": "a step of the first login",
    "second_factor:recovery_codes": "shown once after enrolment or new codes",
    "accounts:invitation_set_password": "reached from the invitation mail",
}


def reachable(client, limit_per_view: int = 2) -> set[str]:
    """The view names linked from pages reached by clicking from the home page (each view
    opened at most ``limit_per_view`` times: the first objects of each kind)."""
    names: set[str] = set()
    opened: dict[str, int] = {}
    seen: set[str] = set()
    queue = [HOME]
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            target = html.unescape(href)
            path = urlsplit(target).path or urlsplit(url).path
            if not path.startswith("/") or path.startswith("/static/"):
                continue
            try:
                name = resolve(path).view_name
            except Resolver404:
                continue
            names.add(name)
            if NOT_FETCHED.search(name) or opened.get(name, 0) >= limit_per_view:
                continue
            opened[name] = opened.get(name, 0) + 1
            queue.append(target if target.startswith("/") else path)
    return names


def pages_without_parameters() -> list[str]:
    return sorted(
        route.name
        for route in walk()
        if not route.pattern.pattern.converters
        and not route.pattern.pattern.regex.groupindex
        and not route.name.startswith("admin:")
        and route.name not in NEEDS_NO_LINK
    )


EXPECTED_PAGE = {
    "director_city_a": "cases:break_glass",
    "liaison_parket_a": "consultations:liaison",
    "partner_police_a": "consultations:list",
    "opslead_city_a": "consultations:legal_bases",
    "netcoord_vo_a": "partners:trainings",
    "auditor": "reporting:subject_access_search",
    "admin_city_a": "second_factor:security",
}


@pytest.mark.parametrize(
    "username",
    [
        "director_city_a",
        "liaison_parket_a",
        "partner_police_a",
        "opslead_city_a",
        "netcoord_vo_a",
        "auditor",
        "admin_city_a",
    ],
)
def test_every_page_a_role_may_open_is_linked(world, client, username):
    user = (
        make_user("dpo_walk", world.orgs["vo_a"], RoleCode.AUDITOR)
        if username == "auditor"
        else world.users[username]
    )
    client.force_login(user)
    may_open = [
        name for name in pages_without_parameters() if client.get(reverse(name)).status_code == 200
    ]
    # A page each role surely may open, so the walk below is known to reach far enough.
    assert EXPECTED_PAGE[username] in may_open
    found = reachable(client)
    missing = sorted(set(may_open) - found)
    assert not missing, f"{username} may open these pages but no link leads there: {missing}"


def test_the_liaison_page_is_in_the_liaisons_navigation_only(world, client):
    liaison_url = reverse("consultations:liaison")
    for username, linked in (
        ("liaison_parket_a", True),
        ("partner_police_a", False),
        ("director_city_a", False),
        ("opslead_city_a", False),
    ):
        client.force_login(world.users[username])
        page = client.get(reverse("consultations:list") if linked else HOME).content.decode()
        nav = page.split('aria-label="Hoofdnavigatie"', 1)[1].split("</nav>", 1)[0]
        assert (f'href="{liaison_url}"' in nav) is linked, username
    client.force_login(world.users["liaison_parket_a"])
    page = client.get(liaison_url).content.decode()
    nav = page.split('aria-label="Hoofdnavigatie"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{liaison_url}" aria-current="page">Parketpagina<' in nav


def _document_links(page: str, pk: int) -> set[str]:
    return {
        url
        for url in (
            reverse("consultations:agenda_pdf", kwargs={"pk": pk}),
            reverse("consultations:minutes_pdf", kwargs={"pk": pk}),
        )
        if f'href="{url}"' in page
    }


def test_the_consultation_page_links_its_pdfs_to_whoever_may_download_them(
    world, client, time_machine
):
    from consultations.services import planning

    consultation = world.consultation
    police = world.users["partner_police_a"]
    planning.participant_add_user(
        consultation=consultation, by=world.users["director_city_a"], user=police
    )
    planning.secrecy_confirm(consultation=consultation, user=police)
    detail = reverse("consultations:detail", kwargs={"pk": consultation.pk})
    agenda = reverse("consultations:agenda_pdf", kwargs={"pk": consultation.pk})
    for username in ("director_city_a", "liaison_parket_a", "partner_police_a"):
        client.force_login(world.users[username])
        page = client.get(detail)
        assert page.status_code == 200
        assert len(_document_links(page.content.decode(), consultation.pk)) == 2, username
    assert client.get(agenda).status_code == 200  # the police, inside the access window
    # After the access window the police participant, outside the case team, may open no
    # agenda case: the PDFs are refused and so not linked. The chair always gets them.
    time_machine.move_to(consultation.access_closes_at + datetime.timedelta(days=1), tick=True)
    client.force_login(police)
    page = client.get(detail)
    assert page.status_code == 200
    assert _document_links(page.content.decode(), consultation.pk) == set()
    assert client.get(agenda).status_code == 404
    client.force_login(world.users["director_city_a"])
    assert len(_document_links(client.get(detail).content.decode(), consultation.pk)) == 2


# --- home pages per role -----------------------------------------------------------

DIRECTOR_GREETING = "casusregisseur van"


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_director_keeps_cases_and_actions(world, client):
    page = home(client, world.users["director_city_a"])
    assert "U bent casusregisseur van 2 dossiers." in page
    assert "Dringendste termijnen" in page  # the deadline board holds the actions due
    assert f'href="{LIST}"' in page


def test_the_directors_actions_show_the_case_label(world, client):
    from cases.services import case_action_add

    director = world.users["director_city_a"]
    case = make_case(director)
    add_person(case, "Anna", "Verbeke")
    case_action_add(
        case=case,
        by=director,
        description="Veiligheidsplan opvolgen",
        # After the deadline board's period: the card of later actions assigned to me.
        due_on=timezone.localdate() + datetime.timedelta(days=45),
        assignee_user=director,
        assignee_organisation=None,
    )
    page = home(client, director)
    actions = reverse("cases:actions", kwargs={"pk": case.pk})
    assert (
        f'href="{actions}">{case.reference}</a> <span class="case-label muted">A. V.</span>:'
        in page
    )


def test_the_liaison_sees_consultations_and_track_3_cases(world, client):
    shared = world.cases["city_a_shared"]
    add_person(shared, "Anna", "Verbeke")
    page = home(client, world.users["liaison_parket_a"])
    assert DIRECTOR_GREETING not in page
    assert "Dossiers in spoor 3 gedeeld met uw dienst" in page
    detail = reverse("cases:detail", kwargs={"pk": shared.pk})
    assert (
        f'href="{detail}">{shared.reference}</a> <span class="case-label muted">A. V.</span>'
        in page
    )
    assert world.cases["city_a"].reference not in page  # not shared with the parket
    consultation = reverse("consultations:detail", kwargs={"pk": world.consultation.pk})
    assert f'href="{consultation}"' in page
    assert f'href="{reverse("consultations:liaison")}"' in page
    assert f'href="{reverse("consultations:legal_bases")}"' in page


def test_a_participant_who_has_not_confirmed_secrecy_is_asked_to(world, client):
    from consultations.services import planning

    police = world.users["partner_police_a"]
    planning.participant_add_user(
        consultation=world.consultation, by=world.users["director_city_a"], user=police
    )
    page = home(client, police)
    assert DIRECTOR_GREETING not in page
    secrecy = reverse("consultations:secrecy", kwargs={"pk": world.consultation.pk})
    assert f'href="{secrecy}"' in page
    assert "Er is op dit moment geen open dossier met u gedeeld." in page


def test_a_partner_sees_the_cases_shared_with_their_organisation(world, client):
    case = make_case(world.users["director_caw_a"])
    share_create(
        case=case,
        organisation=world.orgs["partner_a"],
        by=world.users["director_caw_a"],
        terms=whole_file_share(),
    )
    page = home(client, world.users["partner_partner_a"])
    assert DIRECTOR_GREETING not in page
    assert f'href="{reverse("cases:detail", kwargs={"pk": case.pk})}"' in page
    assert world.cases["caw_a"].reference not in page
    # Another partner organisation sees none of it, and the case page is a 404 for them.
    page = home(client, world.users["partner_partner_b"])
    assert case.reference not in page
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 404


def test_the_network_coordinator_sees_the_network(world, client):
    page = home(client, world.users["netcoord_vo_a"])
    assert DIRECTOR_GREETING not in page
    for name in (
        "partners:directory",
        "partners:gaps",
        "partners:trainings",
        "reporting:dashboard",
    ):
        assert f'href="{reverse(name)}"' in page, name
    assert "Niet afgesloten hiaten in het hulpaanbod" in page
    assert f'href="{LIST}"' not in page


def test_the_operations_lead_sees_workload_and_reports(world, client):
    page = home(client, world.users["opslead_city_a"])
    assert DIRECTOR_GREETING not in page
    assert "Open dossiers per spoor" in page
    assert "&lt; 5" in page  # the world's few open cases: counts of 1 to 4 are hidden
    for name in ("reporting:reports", "reporting:funding_list", "reporting:dashboard"):
        assert f'href="{reverse(name)}"' in page, name
    assert f'href="{reverse("consultations:legal_bases")}"' in page
    # Counts only: no reference of any case.
    for case in world.cases.values():
        assert case.reference not in page


def test_the_auditor_sees_the_audit_trail_and_reviews_to_do(world, client):
    auditor = make_user("dpo_home", world.orgs["vo_a"], RoleCode.AUDITOR)
    page = home(client, auditor)
    assert DIRECTOR_GREETING not in page
    for name in (
        "reporting:audit_trail",
        "reporting:subject_access_search",
        "cases:break_glass_reviews",
    ):
        assert f'href="{reverse(name)}"' in page, name
    # The world's ended emergency access awaits review.
    assert "1 noodtoegang wacht op beoordeling." in page
    for case in world.cases.values():
        assert case.reference not in page


def test_the_administrator_gets_no_case_content(world, client):
    page = home(client, world.users["admin_city_a"])
    assert DIRECTOR_GREETING not in page
    for case in world.cases.values():
        assert case.reference not in page
    assert f'href="{reverse("admin:index")}"' in page


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("username", "grow"),
    [
        ("director_city_a", "cases"),
        ("liaison_parket_a", "shared"),
        ("opslead_city_a", "cases"),
        ("netcoord_vo_a", "cases"),
    ],
)
def test_the_home_page_runs_a_fixed_number_of_queries_per_role(world, client, username, grow):
    user = world.users[username]
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(HOME).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    director = world.users["director_city_a"]
    for n in range(6):
        case = make_case(director, track=3)
        add_person(case, f"Voornaam{n}", f"Achternaam{n}")
        if grow == "shared":
            share_create(
                case=case,
                organisation=world.orgs["parket_a"],
                by=director,
                terms=whole_file_share(),
            )
    make_user("director2_city_a", world.orgs["city_a"], RoleCode.CASE_DIRECTOR)
    assert count() == few
