"""The demo's previous year: a few hundred fictional cases written through the services, so
that the dashboard and last year's annual report show real figures (issue 16, deliverable 5).

The test builds a small year (``--previous-year-cases``) to stay fast; the default builds
``PREVIOUS_YEAR_CASES``."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from access.models import AuditEvent
from access.policy import restrict
from accounts.models import User
from cases.models import Case, CaseParty, FamilyPosition, Referral, StatusChange, TrackChange
from consultations.models import AgendaItem, Consultation
from fjc.demo_year import YEAR_MARK
from notices.models import Notification
from reporting.figures import annual_figures
from reporting.figures.annual import annual_chapters
from reporting.models import ReportStatus
from reporting.services import report_request
from risk.models import Assessment, LevelRaise

from .clock import TODAY

pytestmark = pytest.mark.django_db

SIZE = 60
YEAR = TODAY.year - 1


def _seed(size: int = SIZE) -> None:
    call_command(
        "seed_demo", "--allow-production", f"--previous-year-cases={size}", stdout=StringIO()
    )


def _tables() -> dict:
    return {t.key: t for chapter in annual_chapters(YEAR) for t in chapter.tables}


def _count(table, key: str, column: int = 1) -> int:
    return table.rows[list(table.row_keys).index(key)][column]


def _age(party: CaseParty) -> int:
    born, day = party.person.date_of_birth, party.involved_since
    assert born is not None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Case,
            CaseParty,
            StatusChange,
            TrackChange,
            Referral,
            Assessment,
            LevelRaise,
            Consultation,
            AgendaItem,
            AuditEvent,
            Notification,
        )
    )


def _last_year_is_built_through_the_services_with_dated_records() -> None:
    cases = Case.objects.filter(opened_on__year=YEAR, description=YEAR_MARK)
    assert cases.count() == SIZE
    assert {c.opened_on.year for c in cases} == {YEAR}
    # Every dated record of those cases lies in that year, after the case's opening.
    for model, field in ((StatusChange, "changed_on"), (TrackChange, "changed_on")):
        for case_id, day in model.objects.filter(case__in=cases).values_list("case_id", field):
            assert day.year == YEAR and day >= cases.get(pk=case_id).opened_on
    assert StatusChange.objects.filter(case__in=cases, closing_reason__isnull=False).exists()
    assert TrackChange.objects.filter(case__in=cases).exists()
    assert Referral.objects.filter(case__in=cases, answered_on__isnull=False).exists()
    assert Assessment.objects.filter(case__in=cases).count() >= 5
    # Still running on 31 December: some cases, as in a real year.
    assert cases.exclude(status="closed").exists()
    # Both demo case directors' organisations own a share of them.
    owners = set(cases.values_list("owner_organisation__name", flat=True))
    assert owners == {"Stad Mechelen", "CAW Boom Mechelen Lier"}
    assert cases.values("municipality").distinct().count() >= 8


def _ages_fit_the_relationship() -> None:
    parties = CaseParty.objects.filter(
        case__description=YEAR_MARK, person__date_of_birth__isnull=False
    ).select_related("person")
    forms = {
        case.pk: {c.code for c in case.relationship_contexts.all()}
        for case in Case.objects.filter(description=YEAR_MARK).prefetch_related(
            "relationship_contexts"
        )
    }
    assert parties.count() > SIZE
    for party in parties:
        age, form = _age(party), forms[party.case_id]
        if party.position == FamilyPosition.CHILD and party.is_witness:
            assert age < 18
        if party.position in (FamilyPosition.PARTNER, FamilyPosition.EX_PARTNER):
            assert age >= 18
        if party.is_victim and "elder" in form:
            assert age >= 65


def _a_child_witnessed_in_one_case_and_was_hit_in_another() -> None:
    children = CaseParty.objects.filter(position=FamilyPosition.CHILD)
    witnessed = set(children.filter(is_witness=True).values_list("person_id", flat=True))
    hit = set(children.filter(is_victim=True).values_list("person_id", flat=True))
    both = witnessed & hit
    assert any(
        children.filter(person_id=pk, is_witness=True, is_victim=False).exists()
        and children.filter(person_id=pk, is_victim=True, is_witness=False).exists()
        for pk in both
    )


def _the_annual_figures_of_last_year_have_bars() -> None:
    tables = _tables()
    per_track = tables["cases_per_track"]
    for track in ("1", "2", "3"):
        assert _count(per_track, track) > 0, track
    municipalities = tables["cases_by_municipality"]
    assert sum(1 for row in municipalities.rows[:-1] if isinstance(row[1], int) and row[1]) >= 8
    ages = tables["people_by_age"]
    assert _count(ages, "65+") > 0 and _count(ages, "25-44") > 0
    assert sum(_count(ages, band) for band in ("0-5", "6-11", "12-17")) > 0
    referrals = tables["referrals"]
    assert _count(referrals, "out", -1) > 0 and _count(referrals, "in", -1) > 0
    consultations = tables["consultations"]
    assert _count(consultations, "held") >= 24 and _count(consultations, "cases_discussed") > 0
    risk = tables["cases_by_risk_level"]
    assert sum(row[1] for row in risk.rows[:3]) > 0
    assert sum(row[1] for row in tables["closing_reasons"].rows[:-1]) > 0


def _demo_accounts_see_a_share() -> None:
    cases = Case.objects.filter(description=YEAR_MARK)
    seen = {
        name: restrict(cases, User.objects.get(username=name)).count()
        for name in ("regisseur.stad", "regisseur.caw", "parket")
    }
    assert 0 < seen["regisseur.stad"] < SIZE and 0 < seen["regisseur.caw"] < SIZE
    assert seen["regisseur.stad"] + seen["regisseur.caw"] == SIZE
    # The parket sees only the chain cases shared with it.
    assert seen["parket"] < seen["regisseur.stad"]


def _last_years_annual_report_renders_with_numbers(captured) -> None:
    with captured(execute=True):
        run = report_request(year=YEAR, by=User.objects.get(username="operationeel"))
    run.refresh_from_db()
    assert run.status == ReportStatus.DONE, run.error
    with run.file.open("rb") as handle:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    flat = "".join(text.split())
    published = {t.key: t for c in annual_figures(YEAR) for t in c.tables}
    for key in ("cases_per_track", "cases_by_municipality", "people_by_age", "consultations"):
        # Real numbers, not only "< 5": a row with a count of 5 or more, as the PDF shows it.
        shown = [
            row
            for row in published[key].display_rows()
            if any(cell.isdigit() and int(cell) >= 5 for cell in row[1:])
        ]
        assert shown, key
        assert all("".join("".join(row).split()) in flat for row in shown), key


def _chain_cases_hold_documents() -> None:
    from cases.models import CaseDocument, DocumentKind, Track

    documents = CaseDocument.objects.filter(case__track=Track.CHAIN)
    assert documents.filter(confidential=False).exists()
    consent = documents.filter(confidential=True, kind=DocumentKind.CONSENT_FORM).first()
    assert consent is not None and consent.versions.count() == 2
    # Letters from templates: the information letter and an invitation, confidential PDFs.
    letters = documents.filter(kind=DocumentKind.LETTER, confidential=True)
    names = set(letters.values_list("versions__original_name", flat=True))
    assert {"informatiebrief-gegevensverwerking.pdf", "uitnodiging.pdf"} <= names


def _a_chain_case_has_a_plan_reviewed_in_a_consultation() -> None:
    from cases.models import PlanEvaluation, PlanGoal
    from consultations.models import PlanReview

    goals = PlanGoal.objects.filter(party__isnull=False)
    assert goals.filter(party__is_victim=True).exists()
    assert goals.filter(party__is_perpetrator=True).exists()
    assert goals.filter(party__position="child").exists()
    assert PlanEvaluation.objects.exists()
    assert PlanReview.objects.exists()


def _a_case_is_suggested_and_a_chain_case_warned() -> None:
    from risk.escalation import chain_setup_warnings, escalation_suggestions

    for name, found in (
        ("regisseur.stad", escalation_suggestions),
        ("regisseur.caw", chain_setup_warnings),
    ):
        user = User.objects.get(username=name)
        mine = restrict(Case.objects.filter(case_director=user), user)
        assert found(mine, user=user), name


def _demo_users_have_notices() -> None:
    from notices.models import NoticeKind

    notices = Notification.objects.filter(user__username="regisseur.stad")
    assert notices.filter(kind=NoticeKind.DIGEST).count() == 1
    assert notices.exclude(kind=NoticeKind.DIGEST).exists()


def _consultation_craft_is_shown() -> None:
    """Issue 19 part 5: a register with one apologised and one represented participant (paper
    secrecy), a review date on an agenda case, a triage table with a registration."""
    from consultations.models import AgendaItem, Attendance, Participant, SecrecyMethod, TriageItem

    assert Participant.objects.filter(attendance=Attendance.APOLOGISED).exists()
    assert Participant.objects.filter(
        attendance=Attendance.REPRESENTED, representative_secrecy_method=SecrecyMethod.PAPER
    ).exists()
    assert AgendaItem.objects.filter(review_on__isnull=False).exists()
    assert TriageItem.objects.exists()


def _the_workload_has_numbers() -> None:
    # The operations lead's workload page (issue 19): the demo's directors, registrations
    # and staffing give it numbers.
    from reporting.workload import workload

    found = workload()
    assert any(row.total for row in found.directors)
    assert found.waiting >= 2 and found.per_fte_now is not None
    # The demo registrations are dated back (registered before the decision and the first
    # contact): enough of them for a median that is shown, and not 0 days.
    assert found.to_decision.count >= 5 and (found.to_decision.days or 0) >= 3
    assert found.to_first_contact.count >= 5 and (found.to_first_contact.days or 0) >= 5
    assert "<" not in found.to_decision.days_shown + found.to_first_contact.days_shown


def test_the_demo_builds_last_year_once_with_figures_and_a_report(
    django_capture_on_commit_callbacks,
):
    _seed()
    _last_year_is_built_through_the_services_with_dated_records()
    _ages_fit_the_relationship()
    _a_child_witnessed_in_one_case_and_was_hit_in_another()
    _the_annual_figures_of_last_year_have_bars()
    _demo_accounts_see_a_share()
    _chain_cases_hold_documents()
    _a_chain_case_has_a_plan_reviewed_in_a_consultation()
    _a_case_is_suggested_and_a_chain_case_warned()
    _demo_users_have_notices()
    _consultation_craft_is_shown()
    _the_workload_has_numbers()
    _last_years_annual_report_renders_with_numbers(django_capture_on_commit_callbacks)
    # Idempotent: the year is recognised by its mark, and a second run adds nothing.
    before = _counts()
    _seed()
    assert _counts() == before
