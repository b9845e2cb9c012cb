"""A journey per role in a real Chromium, by clicking through the navigation (issue 16, item 6).

Every page on the way must answer 200, be valid HTML (tests/page_checks.py), have no axe-core
violation of WCAG 2.1 A/AA, and fit a 375 px wide screen without scrolling sideways; every page
of the journey must be reachable by a click from the page before it. Each page is
photographed at both widths under test-artifacts/screenshots/<role>/ (or $FJC_TEST_ARTIFACTS).

What fails today is listed in KNOWN_FAILURES, strictly: a journey with only known failures is
an expected failure; an unknown failure fails it, and so does a known one that no longer
occurs (remove its entry once the fix is merged).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import APIResponse, Page, Response

from accounts.models import User
from accounts.roles import RoleCode

from .factories import PASSWORD, make_user, totp_code
from .page_checks import WIDE, artefacts_dir, axe_violations, html_problems, narrow_width
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# (role, page, check) -> the finding, and who fixes it. Checks: "status", "html", "axe",
# "width", "link" (the page could not be reached by a click from the page before it).
# Empty since the issue 16 branches landed: every page of every journey passes every check.
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}


@dataclass
class Journey:
    role: str
    page: Page
    base_url: str
    findings: dict[tuple[str, str], str] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)

    @property
    def shots(self) -> Path:
        folder = artefacts_dir() / "screenshots" / self.role
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def click(self, name: str, href: str) -> None:
        """Follow the link to ``href`` on the current page, as a user would, and check the
        page it opens. A page without such a link is a finding; the journey then goes on by
        typing the address."""
        links = self.page.locator(f'a[href="{href}"]')
        if links.count() == 0:
            self.findings[(name, "link")] = f"no link to {href} on {self.page.url}"
            with self.page.expect_navigation() as navigation:
                self.page.goto(self.base_url + href)
            self.check(name, navigation.value)
            return
        visible = self.page.locator(f'a[href="{href}"]:visible')
        link = visible.first if visible.count() else links.first
        if not link.is_visible():
            # In a closed section: the user opens it first.
            link.evaluate(
                "a => { let d = a.closest('details'); while (d) { d.open = true; d = d.parentElement.closest('details'); } }"
            )
        with self.page.expect_navigation() as navigation:
            link.click()
        self.check(name, navigation.value)

    def submit(self, name: str, fill: Callable[[Page], None]) -> None:
        """Fill in a form and send it (``fill`` ends with the click that sends it)."""
        with self.page.expect_navigation() as navigation:
            fill(self.page)
        self.check(name, navigation.value)

    def back(self) -> None:
        self.page.go_back(wait_until="load")

    def check(self, name: str, response: Response | APIResponse | None) -> None:
        assert name not in self.visited, f"two pages named {name}"
        self.visited.append(name)
        assert response is not None
        if response.status != 200:
            self.findings[(name, "status")] = f"{response.status} at {response.url}"
            return
        if problems := html_problems(response.text()):
            self.findings[(name, "html")] = "; ".join(problems)
        if violations := axe_violations(self.page):
            self.findings[(name, "axe")] = "; ".join(violations)
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)
        width, viewport = narrow_width(self.page)
        if width > viewport:
            self.findings[(name, "width")] = f"{width} px wide at {viewport} px"
        self.page.screenshot(path=self.shots / f"{name}-375.png", full_page=True)
        self.page.set_viewport_size(WIDE)

    def settle(self) -> None:
        """Fail on anything unknown or on a known failure that is gone; else an expected
        failure naming what is still known to fail."""
        known = {
            (page, check): why
            for (role, page, check), why in KNOWN_FAILURES.items()
            if role == self.role
        }
        unknown = {key: found for key, found in self.findings.items() if key not in known}
        gone = [key for key in known if key not in self.findings]
        report = [f"{self.role} visited: {', '.join(self.visited)}"]
        report += [f"NEW {page}/{check}: {found}" for (page, check), found in unknown.items()]
        report += [
            f"FIXED {page}/{check} ({known[(page, check)]}): remove it from KNOWN_FAILURES"
            for page, check in gone
        ]
        if unknown or gone:
            pytest.fail("\n".join(report))
        if self.findings:
            pytest.xfail(
                "; ".join(
                    f"{page}/{check} ({known[(page, check)]}): {found}"
                    for (page, check), found in self.findings.items()
                )
            )


# The login pages are the same for everyone: checked on the first journey only.
CHECKS_THE_LOGIN = "case_director_city"


def _start(page: Page, live_server: Any, role: str, username: str) -> Journey:
    """Log in through both factors; the journey starts on the home page the login ends on."""
    page.set_viewport_size(WIDE)
    journey = Journey(role, page, live_server.url)
    if role != CHECKS_THE_LOGIN:
        log_in(page, live_server.url, username)
        assert page.url == f"{live_server.url}/", page.url
        # Its HTML fetched again: the last step of the login was a redirect.
        journey.check("home", page.request.get(page.url))
        return journey
    with page.expect_navigation() as navigation:
        page.goto(f"{live_server.url}/")
    journey.check("login", navigation.value)

    def password(page: Page) -> None:
        page.get_by_label("Gebruikersnaam").fill(username)
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()

    def code(page: Page) -> None:
        page.get_by_label("Code").fill(totp_code(User.objects.get(username=username)))
        page.get_by_role("button", name="Bevestigen").click()

    journey.submit("code_step", password)
    journey.submit("home", code)
    return journey


def _case_pages(j: Journey, world: Any, key: str, *, risk: bool = True) -> None:
    """The case list, a case's steering page and the pages it links to."""
    case = world.cases[key]
    pk = case.pk
    j.click("case_list", reverse("cases:list"))
    j.click("steering", reverse("cases:detail", args=[pk]))
    j.click("journal", reverse("cases:journal", args=[pk]))
    j.back()
    j.click("actions", reverse("cases:actions", args=[pk]))
    j.back()
    if risk:
        j.click("risk", reverse("risk:list", args=[pk]))
        assessment = world.children[key]["assessment_pk"]
        j.click("risk_assessment", reverse("risk:detail", args=[pk, assessment.pk]))
        j.back()
        j.back()
    j.click("history", reverse("cases:history", args=[pk]))


def _consultation_pages(j: Journey, world: Any) -> None:
    consultation, item = world.consultation, world.agenda_item
    j.click("consultations", reverse("consultations:list"))
    j.click("consultation", reverse("consultations:detail", args=[consultation.pk]))
    j.click("agenda_item", reverse("consultations:item", args=[consultation.pk, item.pk]))
    j.click("minutes", reverse("consultations:minutes", args=[consultation.pk, item.pk]))


def _directory_pages(j: Journey, world: Any) -> None:
    j.click("partners", reverse("partners:directory"))
    j.click("organisation", reverse("partners:organisation", args=[world.orgs["partner_b"].pk]))


def case_director_city(j: Journey, world: Any) -> None:
    _case_pages(j, world, "city_a_shared")
    _consultation_pages(j, world)
    _directory_pages(j, world)
    # The triage of registrations and the inbox (issue 19).
    registration = world.directory["registration_pk"]
    j.click("triage", reverse("registrations:triage"))
    j.click("registration", reverse("registrations:detail", args=[registration.pk]))
    j.click("decide", reverse("registrations:decide", args=[registration.pk]))
    j.click("inbox", reverse("inbox:list"))
    j.click("emergency_reviews", reverse("cases:break_glass_reviews"))
    j.click("security", reverse("second_factor:security"))


def case_director_caw(j: Journey, world: Any) -> None:
    _case_pages(j, world, "caw_a")
    j.click("consultations", reverse("consultations:list"))
    j.click("legal_bases", reverse("consultations:legal_bases"))
    _directory_pages(j, world)
    j.click("emergency_access", reverse("cases:break_glass"))


def prosecutor_liaison(j: Journey, world: Any) -> None:
    consultation, item = world.consultation, world.agenda_item
    _case_pages(j, world, "city_a_shared", risk=False)
    j.click("consultations", reverse("consultations:list"))
    j.click("consultation", reverse("consultations:detail", args=[consultation.pk]))
    j.click("agenda_item", reverse("consultations:item", args=[consultation.pk, item.pk]))
    # The liaison's own page links the minutes of each agenda case.
    j.click("liaison", reverse("consultations:liaison"))
    j.click("minutes", reverse("consultations:minutes", args=[consultation.pk, item.pk]))
    j.click("consultations_again", reverse("consultations:list"))
    j.click("legal_bases", reverse("consultations:legal_bases"))
    _directory_pages(j, world)


def police_professional(j: Journey, world: Any) -> None:
    _case_pages(j, world, "city_a", risk=False)
    _directory_pages(j, world)
    # Registrations and the inbox (issue 19): tests/test_partner_journey.py walks them through.
    registration = world.directory["registration_pk"]
    j.click("registrations", reverse("registrations:mine"))
    j.click("registration", reverse("registrations:detail", args=[registration.pk]))
    j.back()
    j.click("register", reverse("registrations:create"))
    j.click("inbox", reverse("inbox:list"))
    j.click("security", reverse("second_factor:security"))


def network_coordinator(j: Journey, world: Any) -> None:
    j.click("dashboard", reverse("reporting:dashboard"))
    j.click("trainings", reverse("partners:trainings"))
    j.click("gaps", reverse("partners:gaps"))
    j.click("gap", reverse("partners:gap", args=[world.directory["gap_pk"].pk]))
    _directory_pages(j, world)


def operations_lead(j: Journey, world: Any) -> None:
    # The legal bases the operations lead keeps are linked from their home page.
    j.click("legal_bases", reverse("consultations:legal_bases"))
    j.click("dashboard", reverse("reporting:dashboard"))
    j.click("reports", reverse("reporting:reports"))
    j.click("funding", reverse("reporting:funding_list"))
    funding_year = world.directory["funding_year_pk"]
    j.click("funding_year", reverse("reporting:funding_edit", args=[funding_year.pk]))
    j.click("workload", reverse("reporting:workload"))
    j.click("triage", reverse("registrations:triage"))


def auditor(j: Journey, world: Any) -> None:
    j.click("audit_trail", reverse("reporting:audit_trail"))
    j.click("subject_search", reverse("reporting:subject_access_search"))
    person = world.directory["person_pk"]

    def search(page: Page) -> None:
        page.get_by_label("Familienaam").fill(person.last_name)
        page.locator("main form").get_by_role("button").click()

    j.submit("subject_found", search)


def administrator(j: Journey, world: Any) -> None:
    j.click("admin", reverse("admin:index"))
    j.click("admin_users", reverse("admin:accounts_user_changelist"))
    user = world.users["director_city_a"]
    j.click("admin_user", reverse("admin:accounts_user_change", args=[user.pk]))
    j.click("admin_organisations", reverse("admin:partners_organisation_changelist"))


# role -> (username, journey). The auditor is not in the shared world: made per test, as the
# administrator (staff with the role, no superuser, as in the demo).
ROLES: dict[str, tuple[str, Callable[[Journey, Any], None]]] = {
    "case_director_city": ("director_city_a", case_director_city),
    "case_director_caw": ("director_caw_a", case_director_caw),
    "prosecutor_liaison": ("liaison_parket_a", prosecutor_liaison),
    "police_professional": ("partner_police_a", police_professional),
    "network_coordinator": ("netcoord_vo_a", network_coordinator),
    "operations_lead": ("opslead_city_a", operations_lead),
    "auditor": ("dpo_journey", auditor),
    "administrator": ("admin_journey", administrator),
}


@pytest.mark.parametrize("role", ROLES)
def test_role_journey(world, live_server, page: Page, role):
    username, walk = ROLES[role]
    if role == "auditor":
        make_user(username, world.orgs["vo_a"], RoleCode.AUDITOR)
    if role == "administrator":
        make_user(
            username,
            world.orgs["city_a"],
            RoleCode.ADMINISTRATOR,
            is_staff=True,
        )
    if role == "police_professional":
        _share_with_police(world)
    if role == "case_director_city":
        _long_word_in_the_journal(world, "city_a_shared")
    journey = _start(page, live_server, role, username)
    walk(journey, world)
    journey.settle()


def _long_word_in_the_journal(world: Any, key: str) -> None:
    """A note with a long unbroken word (a pasted link, a file name): it must wrap at 375 px."""
    from cases.models import EntryKind
    from cases.services import journal_entry_add

    case = world.cases[key]
    journal_entry_add(
        case=case,
        by=case.case_director,
        kind=EntryKind.NOTE,
        text="Zie https://intranet.example/dossiers/" + "x" * 180,
    )


def _share_with_police(world: Any) -> None:
    """City A's case shared with police zone A (the world shares none with the police)."""
    from cases.services import share_create

    from .conftest import whole_file_share

    share_create(
        case=world.cases["city_a"],
        organisation=world.orgs["police_a"],
        by=world.users["director_city_a"],
        terms=whole_file_share(),
    )


def test_known_failures_name_a_journey_page():
    """Every entry names a role of ROLES and says why."""
    for (role, _page, check), why in KNOWN_FAILURES.items():
        assert role in ROLES
        assert check in {"status", "html", "axe", "width", "link"}
        assert why
