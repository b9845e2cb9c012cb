"""The print view of a case (issue 17, part 9): what the steering page shows the reader, on
paper; confidential parts as access.policy decides them; audited with its own purpose; a
fixed number of queries; the same as PDF."""

import contextlib
import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from access.parts import ShareScope
from cases.services import PlanContent, person_create_in_case, safety_plan_create, share_create

from . import party_roles as pr
from .conftest import CHILDREN, whole_file_share

pytestmark = pytest.mark.django_db

SIGNS = "Hij belt steeds vaker midden in de nacht."
PLACES = "Bij zus Griet, Veldstraat 3"
PEOPLE = "Wijkagent 0470 99 88 77"
CODE = "Regenboog"
SAFE_CONTACT = "Enkel via de huisarts, dinsdag"
CONFIDENTIAL = (PLACES, PEOPLE, CODE, SAFE_CONTACT)


def _print_url(case: Any) -> str:
    return reverse("cases:print", kwargs={"pk": case.pk})


def _pdf_url(case: Any) -> str:
    return reverse("cases:print_pdf", kwargs={"pk": case.pk})


def _victim_with_plan(case: Any) -> Any:
    today = timezone.localdate()
    party = person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.VICTIM,
        confirm_new=True,
        first_name="Hanne",
        last_name="Afdruk",
        safe_contact=SAFE_CONTACT,
    )
    return safety_plan_create(
        case=case,
        party=party,
        by=case.case_director,
        content=PlanContent(
            agreed_on=today,
            review_on=today + datetime.timedelta(days=20),
            warning_signs=SIGNS,
            safe_places=PLACES,
            people_to_call=PEOPLE,
            code_word=CODE,
        ),
        shareable_parts=["warning_signs"],
    )


def _page(client: Any, user: Any, case: Any) -> str:
    client.force_login(user)
    response = client.get(_print_url(case))
    assert response.status_code == 200
    return response.content.decode()


# --- who sees what ---


def test_the_team_prints_every_part_with_the_confidential_ones(world, client):
    case = world.cases["city_a_shared"]
    _victim_with_plan(case)
    page = _page(client, world.users["director_city_a"], case)
    for text in (SIGNS, *CONFIDENTIAL, "Hanne"):
        assert text in page, text
    # The sections of the steering page, without its buttons.
    for heading in ("Cliëntsysteem", "Veiligheidsplannen", "Justitieel traject", "Tijdlijn"):
        assert heading in page, heading
    assert "Afdrukken" in page and "data-print" in page
    assert "worden niet afgedrukt" not in page
    assert "Matrix action" in page  # open actions
    assert "Een persoon toevoegen" not in page  # no forms on paper
    # The plan of approach: its goals and agreements, and the note for the case team.
    for text in ("Plan van aanpak", "Matrixdoel: rust in het gezin", "Matrixafspraak"):
        assert text in page, text
    assert "Matrixnotitie" in page


def test_a_shared_reader_prints_the_plan_without_its_confidential_parts(world, client):
    case = world.cases["city_a_shared"]
    _victim_with_plan(case)
    page = _page(client, world.users["liaison_parket_a"], case)
    assert SIGNS in page and "Hanne" in page
    for secret in CONFIDENTIAL:
        assert secret not in page, secret
    assert "worden niet afgedrukt" in page
    # The plan's goals are what the partners work from; the team's note stays with the team.
    assert "Matrixdoel: rust in het gezin" in page
    assert "Matrixnotitie" not in page


def test_a_summary_share_prints_the_summary_only(world, client):
    case = world.cases["city_a"]
    _victim_with_plan(case)
    share_create(
        case=case,
        organisation=world.orgs["caw_a"],
        by=world.users["director_city_a"],
        terms=whole_file_share(scope=ShareScope.SUMMARY),
    )
    page = _page(client, world.users["director_caw_a"], case)
    assert "Hanne" in page  # the client system is the summary
    for hidden in (SIGNS, "Matrix action", "Matrix note", "PV-0001", 'id="print-safety-heading"'):
        assert hidden not in page, hidden
    assert 'id="print-timeline-heading"' not in page


def test_emergency_access_prints_what_it_reads_and_no_confidential_detail(world, client):
    from cases.services.break_glass import break_glass_open

    case = world.cases["city_b"]
    _victim_with_plan(case)
    director = world.users["director_city_a"]
    client.force_login(director)
    assert client.get(_print_url(case)).status_code == 404
    break_glass_open(
        by=director,
        reference=case.reference,
        reason="Collega ziek; de politie vraagt dringend wie het gezin opvolgt.",
        hours=1,
        link=lambda c: "http://testserver/",
    )
    page = _page(client, director, case)
    # The whole file to read, as on the steering page; the confidential details stay with the team.
    assert SIGNS in page and "Matrix action" in page
    for secret in CONFIDENTIAL:
        assert secret not in page, secret
    assert "Noodtoegang" in page  # the banner, as on every page of the case


@pytest.mark.parametrize("username", ["director_city_b", "admin_city_a", "superuser"])
def test_out_of_scope_and_administrators_get_404(world, client, username):
    client.force_login(world.users[username])
    case = world.cases["city_a"]
    assert client.get(_print_url(case)).status_code == 404
    assert client.get(_pdf_url(case)).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_id=str(case.pk), view_name="cases:print"
    ).exists()


def test_anonymous_is_sent_to_log_in(world, client):
    response = client.get(_print_url(world.cases["city_a"]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- audit, PDF ---


def test_printing_writes_an_audit_row_with_its_own_purpose(world, client):
    case = world.cases["city_a"]
    _page(client, world.users["director_city_a"], case)
    row = AuditEvent.objects.filter(view_name="cases:print").latest("pk")
    assert (row.action, row.purpose, row.case_id) == (AuditAction.VIEW, "case print view", case.pk)
    assert row.user == world.users["director_city_a"]


def test_the_pdf_is_the_same_content_audited_as_an_export(world, client, monkeypatch):
    from cases.views import printing

    rendered: list[str] = []

    def fake_pdf(html: str) -> bytes:
        rendered.append(html)
        return b"%PDF-1.7 test"

    monkeypatch.setattr(printing, "render_pdf", fake_pdf)
    case = world.cases["city_a_shared"]
    _victim_with_plan(case)
    client.force_login(world.users["liaison_parket_a"])
    response = client.get(_pdf_url(case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Hanne" not in response["Content-Disposition"]
    html = rendered[0]
    assert SIGNS in html
    for secret in CONFIDENTIAL:
        assert secret not in html, secret
    export = AuditEvent.objects.filter(action=AuditAction.EXPORT, case_id=case.pk).latest("pk")
    assert (export.purpose, export.view_name) == ("case print pdf", "cases:print_pdf")


def test_the_pdf_is_rendered_from_static_files(world, client):
    client.force_login(world.users["director_city_a"])
    response = client.get(_pdf_url(world.cases["city_a"]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# --- queries, findability, templates ---


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_what_the_case_holds(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    url = _print_url(case)
    few = _count(client, url)
    for param, make in CHILDREN.items():
        if param != "co_director_pk":  # one co-director user exists in the world
            for _ in range(3):
                with contextlib.suppress(ValidationError):  # makers with a fixed unique value
                    make(world, case)
    _victim_with_plan(case)
    assert _count(client, url) == few
    # The steering page's reads, the safety plans' texts, the plan of approach (plan, goals,
    # agreements, evaluations, outcomes, reviews), the whole timeline, session and audit; the
    # children's section of the steering reads one more (issue 18, part 3).
    assert few <= 45


def test_the_steering_page_links_to_the_print_view(world, client):
    case = world.cases["city_a_shared"]
    for username in ("director_city_a", "liaison_parket_a"):
        client.force_login(world.users[username])
        page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
        assert f'href="{_print_url(case)}"' in page, username


def test_the_print_page_links_the_pdf_and_back_to_the_case(world, client):
    case = world.cases["city_a"]
    page = _page(client, world.users["director_city_a"], case)
    assert f'href="{_pdf_url(case)}"' in page
    assert f'href="{reverse("cases:detail", kwargs={"pk": case.pk})}"' in page
    assert "css/case-print.css" in page


def test_the_print_templates_compare_nothing():
    folder = Path(settings.BASE_DIR) / "templates" / "cases" / "print"
    conditions = [
        match.group(1)
        for path in folder.glob("*.html")
        for match in re.finditer(r"{%-?\s*(?:if|elif)\s(.*?)-?%}", path.read_text(), re.DOTALL)
    ]
    assert conditions
    assert not [c for c in conditions if re.search(r"==|!=|<|>", c)]


def test_the_print_stylesheet_is_a_static_file_for_paper():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "case-print.css").read_text()
    assert "@media print" in css
    assert "http" not in css  # nothing from elsewhere
    script = (Path(settings.BASE_DIR) / "static" / "js" / "app.js").read_text()
    assert "window.print()" in script


# --- the children (issue 18, part 3) ---

CHILD_SAID = "Ik wil dat papa stopt met roepen en ik wil bij oma slapen."


def _child_with_file_and_talk(world: Any, case: Any) -> Any:
    from cases.models import ChildReportedTo
    from cases.services import ChildFileContent, child_conversation_add, child_file_save

    today = timezone.localdate()
    child = person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.WITNESS_CHILD,
        confirm_new=True,
        first_name="Bo",
        last_name="Afdrukkind",
    )
    child_file_save(
        case=case,
        party=child,
        by=case.case_director,
        expected_version=0,
        content=ChildFileContent(
            school_name="Basisschool De Regenboog",
            school_contacted_on=today,
            psychologist_involved=True,
            psychologist_organisation=world.orgs["caw_a"],
            psychologist_since=today,
            reported=True,
            reported_to=ChildReportedTo.VK,
            reported_on=today,
            report_reference="VK-AFDRUK-7",
            plan_goals="Bo slaapt weer door en durft te praten op school.",
            plan_next_evaluation_on=today + datetime.timedelta(days=30),
        ),
    )
    child_conversation_add(
        case=case,
        party=child,
        by=case.case_director,
        held_on=today,
        held_by=case.case_director,
        child_view=CHILD_SAID,
    )
    return child


CHILD_FILE = (
    "Bo Afdrukkind",
    "getuige",  # the exposure, from the roles in the violence
    "Basisschool De Regenboog",
    "VK-AFDRUK-7",
    "Bo slaapt weer door en durft te praten op school.",
    'id="print-children-heading"',
)


def _children_section(page: str) -> str:
    return page.split('id="print-children-heading"')[1].split("</section>")[0]


def test_the_team_prints_each_childs_file_and_what_the_child_said(world, client):
    case = world.cases["city_a_shared"]
    _child_with_file_and_talk(world, case)
    page = _page(client, world.users["director_city_a"], case)
    for text in CHILD_FILE:
        assert text in page, text
    section = _children_section(page)
    assert CHILD_SAID in section
    assert "Kinderpsycholoog" in section and "Kindplan" in section
    assert "Wat het kind zei is enkel voor het dossierteam." not in section


def test_a_shared_reader_prints_the_child_file_but_not_what_the_child_said(world, client):
    case = world.cases["city_a_shared"]
    _child_with_file_and_talk(world, case)
    # What the steering page shows this reader: the children's section, not what was said.
    client.force_login(world.users["liaison_parket_a"])
    steering = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert 'id="children-heading"' in steering and CHILD_SAID not in steering
    page = _page(client, world.users["liaison_parket_a"], case)
    for text in CHILD_FILE:
        assert text in page, text
    section = _children_section(page)
    assert CHILD_SAID not in page
    assert "Wat het kind zei is enkel voor het dossierteam." in section
    assert "<em>vertrouwelijk</em>" in section


def test_a_summary_share_prints_no_children(world, client):
    case = world.cases["city_a"]
    _child_with_file_and_talk(world, case)
    share_create(
        case=case,
        organisation=world.orgs["caw_a"],
        by=world.users["director_city_a"],
        terms=whole_file_share(scope=ShareScope.SUMMARY),
    )
    page = _page(client, world.users["director_caw_a"], case)
    assert "Bo Afdrukkind" in page  # in the client system, which is the summary
    for hidden in ('id="print-children-heading"', "Basisschool De Regenboog", CHILD_SAID):
        assert hidden not in page, hidden


def test_the_pdf_holds_the_children_as_the_print_view_does(world, client):
    import io

    from pypdf import PdfReader

    case = world.cases["city_a_shared"]
    _child_with_file_and_talk(world, case)
    texts = {}
    for username in ("director_city_a", "liaison_parket_a"):
        client.force_login(world.users[username])
        response = client.get(_pdf_url(case))
        assert response.status_code == 200
        reader = PdfReader(io.BytesIO(response.content))
        texts[username] = " ".join(
            " ".join((page.extract_text() or "").split()) for page in reader.pages
        )
    for username, text in texts.items():
        for expected in ("Bo Afdrukkind", "Basisschool De Regenboog", "VK-AFDRUK-7"):
            assert expected in text, (username, expected)
    assert CHILD_SAID in texts["director_city_a"]
    assert CHILD_SAID not in texts["liaison_parket_a"]


def test_the_steering_page_and_the_print_view_share_the_case_facts():
    root = Path(settings.BASE_DIR) / "templates" / "cases"
    for name in ("case_detail.html", "print/_content.html"):
        text = (root / name).read_text()
        assert '{% include "cases/_violence_facts.html" with contexts=' in text, name
        assert '<dt>{% translate "Relationship context" %}</dt>' not in text, name
    for name in ("children/child_detail.html", "print/_children.html"):
        text = (root / name).read_text()
        for part in ("_situation.html", "_plan.html", "_conversations.html"):
            assert f"cases/children/{part}" in text, (name, part)


def test_the_print_view_lists_the_contexts_and_forms_as_the_steering_page(world, client):
    from cases.models import Case, FormOfViolence, RelationshipContext
    from cases.services import case_update

    case = Case.objects.get(pk=world.cases["city_a"].pk)
    case_update(
        case=case,
        by=case.case_director,
        expected_version=case.version,
        relationship_contexts=RelationshipContext.objects.filter(code__in=["elder", "partner"]),
        forms_of_violence=FormOfViolence.objects.filter(code__in=["economic", "physical"]),
    )
    director = world.users["director_city_a"]
    printed = _page(client, director, case)
    steering = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    for term, expected in (
        ("Relatiecontext", "Partnergeweld, Ouderenmis(be)handeling"),
        ("Vormen van geweld", "Fysiek geweld, Economisch geweld"),
    ):
        pattern = rf"<dt>{term}</dt>\s*<dd>(.*?)</dd>"
        found = [re.search(pattern, page) for page in (printed, steering)]
        assert all(found), term
        assert [m.group(1) for m in found if m] == [expected, expected]
