"""Risk pages: filling in, raising, joint assessment, the decision, access, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent
from cases.models import Track
from cases.services import case_add_co_director
from risk.models import Assessment, JointAssessment, RiskDecision
from risk.services import version_new_draft

from . import party_roles as pr
from .factories import make_case, make_user
from .risk_factories import (
    CHECKLIST,
    CHILD,
    DANGER,
    add_party,
    answers_for,
    make_assessment,
    shipped,
    weighted_answers,
)

pytestmark = pytest.mark.django_db


def url(name, case, **extra):
    return reverse(f"risk:{name}", kwargs={"pk": case.pk, **extra})


def form_data(version, party, **answers_spec):
    data = {
        "assessed_on": timezone.localdate().isoformat(),
        "parties": [party.pk],
        "judgement_reason": "",
        "notes": "",
    }
    for code, answer in answers_for(version, **answers_spec).items():
        data[f"item_{code}"] = answer
    return data


@pytest.fixture
def case(world):
    return world.cases["city_a"]


@pytest.fixture
def director(world, client):
    user = world.users["director_city_a"]
    client.force_login(user)
    return user


def test_choose_an_instrument_then_fill_it_in(case, director, client):
    response = client.get(url("create", case))
    assert response.status_code == 200
    for code in (CHECKLIST, DANGER, CHILD):
        assert url("fill", case, version_pk=shipped(code).pk).encode() in response.content
    version = shipped(CHECKLIST)
    response = client.get(url("fill", case, version_pk=version.pk))
    assert response.status_code == 200
    assert b'name="item_c24"' in response.content and b"Weet niet" in response.content
    party = add_party(case)
    response = client.post(
        url("fill", case, version_pk=version.pk), form_data(version, party, yes=14, unknown=2)
    )
    assessment = Assessment.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == url("detail", case, assessment_pk=assessment.pk)
    assert (assessment.score, assessment.unknown_count, assessment.level.code) == (14, 2, "high")
    assert list(assessment.parties.all()) == [party]
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and b"Hoog risico" in detail.content


def test_an_incomplete_form_changes_nothing_and_names_the_question(case, director, client):
    version = shipped(CHECKLIST)
    data = form_data(version, add_party(case), yes=3)
    del data["item_c05"]
    before = Assessment.objects.count()
    response = client.post(url("fill", case, version_pk=version.pk), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"item_c05"}
    assert Assessment.objects.count() == before


def test_lowering_the_level_in_the_form_is_refused(case, director, client):
    version = shipped(CHECKLIST)
    data = form_data(version, add_party(case), yes=15)
    data["level"] = version.levels.get(code="standard").pk
    data["judgement_reason"] = "Lijkt mee te vallen."
    before = Assessment.objects.count()
    response = client.post(url("fill", case, version_pk=version.pk), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Assessment.objects.count() == before


def test_child_safety_form_requires_the_judged_level_and_reason(case, director, client):
    version = shipped(CHILD)
    data = form_data(version, add_party(case, pr.CHILD), yes=2)
    response = client.post(url("fill", case, version_pk=version.pk), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"level", "judgement_reason"}
    data["level"] = version.levels.get(code="increased").pk
    data["judgement_reason"] = "Signalen van verwaarlozing, school volgt op."
    response = client.post(url("fill", case, version_pk=version.pk), data)
    assert response.status_code == 302
    assert Assessment.objects.latest("id").level.code == "increased"


def test_escalation_in_the_form(case, director, client):
    version = shipped(CHECKLIST)
    data = form_data(version, add_party(case), yes=4)
    data["escalation"] = "on"
    response = client.post(url("fill", case, version_pk=version.pk), data)
    assert "escalation_incidents" in response.context["form"].errors
    data.update(escalation_incidents="3", level=version.levels.get(code="medium").pk)
    response = client.post(url("fill", case, version_pk=version.pk), data)
    assert response.status_code == 302
    assessment = Assessment.objects.latest("id")
    assert assessment.escalation and assessment.level.code == "medium"


def test_a_draft_version_cannot_be_filled_in(case, director, client):
    draft = version_new_draft(version=shipped(CHECKLIST))
    assert client.get(url("fill", case, version_pk=draft.pk)).status_code == 404


def test_the_assessor_raises_the_level(case, director, client):
    version = shipped(DANGER)
    assessment = make_assessment(case, code=DANGER, answers=weighted_answers(version, 10))
    target = url("raise", case, assessment_pk=assessment.pk)
    response = client.get(target)
    assert response.status_code == 200
    levels = response.context["form"].fields["level"].queryset
    assert [lv.code for lv in levels] == ["severe", "extreme"]  # only higher levels
    response = client.post(
        target,
        {
            "version": assessment.version,
            "level": levels.get(code="severe").pk,
            "reason": "Nieuwe bedreiging na de taxatie.",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.level.code == "severe" and assessment.computed_level.code == "increased"
    # A form opened before that change is a conflict, not a silent overwrite.
    response = client.post(
        target,
        {"version": 1, "level": version.levels.get(code="extreme").pk, "reason": "Nog eens."},
    )
    assert response.status_code == 409
    assessment.refresh_from_db()
    assert assessment.level.code == "severe"


def test_only_the_assessor_may_raise(world, case, client):
    assessment = make_assessment(case)
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    client.force_login(colleague)
    assert client.get(url("detail", case, assessment_pk=assessment.pk)).status_code == 200
    assert client.get(url("raise", case, assessment_pk=assessment.pk)).status_code == 403


def test_joint_assessment_through_the_form(world, case, director, client):
    version = shipped(CHECKLIST)
    case_add_co_director(case=case, by=director, user=world.users["director_caw_a"])
    one = make_assessment(case, answers=answers_for(version, yes=9))
    answers = answers_for(version, yes=9)
    answers["c03"] = "unknown"
    two = make_assessment(case, by=world.users["director_caw_a"], answers=answers)
    response = client.get(url("joint_create", case))
    assert response.status_code == 200
    data = {
        "held_on": timezone.localdate().isoformat(),
        "assessments": [one.pk, two.pk],
        "level": "1",
        "lower_reason": "",
        "differences_note": "Verschil over de angst van het slachtoffer.",
        "organisations": [world.orgs["police_a"].pk],
    }
    response = client.post(url("joint_create", case), data)
    joint = JointAssessment.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == url("joint_detail", case, joint_pk=joint.pk)
    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "C03." in content and "Weet niet" in content and "Politiezone Alfa" in content


def test_joint_assessment_below_the_highest_without_reason_is_a_form_error(case, director, client):
    version = shipped(CHECKLIST)
    one = make_assessment(case, answers=answers_for(version, yes=2))
    two = make_assessment(case, answers=answers_for(version, yes=14))
    before = JointAssessment.objects.count()
    response = client.post(
        url("joint_create", case),
        {
            "held_on": timezone.localdate().isoformat(),
            "assessments": [one.pk, two.pk],
            "level": "2",
        },
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert JointAssessment.objects.count() == before


def test_assessments_of_another_case_cannot_be_combined_through_the_form(
    world, case, director, client
):
    other = make_assessment(world.cases["city_a_shared"])
    mine = make_assessment(case)
    response = client.post(
        url("joint_create", case),
        {
            "held_on": timezone.localdate().isoformat(),
            "assessments": [mine.pk, other.pk],
            "level": "3",
        },
    )
    assert response.status_code == 200 and "assessments" in response.context["form"].errors


def test_the_steering_page_shows_level_chart_and_prompt_then_the_decision(case, director, client):
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=15))
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    content = page.content.decode()
    assert 'id="risk-heading"' in content and "Hoog risico" in content
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="risk-chart"' in content
    assert url("decide", case) in content
    response = client.post(
        url("decide", case),
        {
            "escalate": "yes",
            "consultation_wanted": "on",
            "reason": "Hoog risico; ketenaanpak nodig.",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.track == Track.CHAIN
    decision = RiskDecision.objects.get(case=case)
    assert decision.escalate and decision.consultation_wanted and decision.decided_by == director
    content = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert url("decide", case) not in content


def test_deciding_not_to_escalate_through_the_form(case, director, client):
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=15))
    response = client.post(
        url("decide", case),
        {
            "escalate": "no",
            "reason": "Slachtoffer verblijft in een vluchthuis.",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    decision = RiskDecision.objects.get(case=case)
    assert not decision.escalate and not decision.consultation_wanted
    case.refresh_from_db()
    assert case.track == Track.ADVICE
    response = client.post(url("decide", case), {"escalate": "", "reason": ""})
    assert set(response.context["form"].errors) == {"escalate", "reason", "decided_on"}


def test_only_the_case_director_or_a_co_director_decides(world, case, client):
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=15))
    colleague = make_user("colleague2_city_a", world.orgs["city_a"], "case_director")
    client.force_login(colleague)
    assert client.get(url("decide", case)).status_code == 403
    content = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert url("decide", case) not in content
    client.force_login(world.users["co_director"])  # co-director of every world case
    assert client.get(url("decide", case)).status_code == 200


# --- access: try to break it ---

VIEW_PAGES = ["list", "detail", "joint_detail"]
CHANGE_PAGES = ["create", "fill", "raise", "joint_create", "decide"]
FORMS = ["fill", "raise", "joint_create", "decide"]


def every_url(world, case_key):
    case = world.cases[case_key]
    children = world.children[case_key]
    params = {
        "detail": {"assessment_pk": children["assessment_pk"].pk},
        "raise": {"assessment_pk": children["assessment_pk"].pk},
        "joint_detail": {"joint_pk": children["joint_pk"].pk},
        "fill": {"version_pk": children["version_pk"].pk},
    }
    return {name: url(name, case, **params.get(name, {})) for name in VIEW_PAGES + CHANGE_PAGES}


def test_wrong_organisation_gets_404_everywhere(world, client):
    client.force_login(world.users["director_caw_a"])
    for name, target in every_url(world, "city_a").items():
        assert client.get(target).status_code == 404, name
        if name in FORMS:
            assert client.post(target, {}).status_code == 404, name


def test_prosecutor_sees_the_shared_case_assessments_and_changes_nothing(world, client):
    client.force_login(world.users["liaison_parket_a"])
    urls = every_url(world, "city_a_shared")
    for name in VIEW_PAGES:
        assert client.get(urls[name]).status_code == 200, name
    for name in CHANGE_PAGES:
        assert client.get(urls[name]).status_code == 403, name
        if name in FORMS:
            assert client.post(urls[name], {}).status_code == 403, name
    # Not shared with the other prosecutor's office.
    client.force_login(world.users["liaison_parket_b"])
    for name, target in urls.items():
        assert client.get(target).status_code == 404, name


def test_anonymous_is_sent_to_log_in_and_administrators_see_nothing(world, client):
    urls = every_url(world, "city_a")
    for target in urls.values():
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for username in ("admin_city_a", "superuser"):
        client.force_login(world.users[username])
        for name, target in urls.items():
            assert client.get(target).status_code == 404, (username, name)


def test_an_assessment_is_only_reached_through_its_own_case(world, director, client):
    assessment = world.children["city_a"]["assessment_pk"]
    joint = world.children["city_a"]["joint_pk"]
    other = world.cases["city_a_shared"]  # also visible to this director
    assert client.get(url("detail", other, assessment_pk=assessment.pk)).status_code == 404
    assert client.get(url("raise", other, assessment_pk=assessment.pk)).status_code == 404
    assert client.get(url("joint_detail", other, joint_pk=joint.pk)).status_code == 404


def test_the_list_is_audited_with_the_ids_it_showed(world, case, director, client):
    assert client.get(url("list", case)).status_code == 200
    event = AuditEvent.objects.filter(purpose="risk assessment list").latest("id")
    assert event.user == director
    assert set(event.detail["ids"]) == {str(a.pk) for a in Assessment.objects.filter(case=case)}


def test_pages_have_no_inline_style(world, case, director, client):
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=15))
    for target in [*every_url(world, "city_a").values(), reverse("cases:detail", args=[case.pk])]:
        response = client.get(target)
        assert response.status_code == 200
        assert b"style=" not in response.content, target


# --- query counts do not grow with assessments ---


def _queries(client, target) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("where", ["list", "steering"])
def test_query_count_does_not_grow_with_assessments(world, client, where):
    director = world.users["director_city_a"]
    client.force_login(director)
    case = make_case(director)
    party = add_party(case)
    from risk.services import joint_assessment_create

    first = make_assessment(case, parties=[party])
    second = make_assessment(case, parties=[party])
    joint_assessment_create(
        case=case, by=director, assessments=[first, second], held_on=case.opened_on, level=1
    )
    target = url("list", case) if where == "list" else reverse("cases:detail", args=[case.pk])
    few = _queries(client, target)
    version = shipped(DANGER)
    for n in range(8):
        make_assessment(
            case,
            code=DANGER,
            parties=[party, add_party(case)],
            answers=answers_for(version, yes=n),
        )
    joint_assessment_create(
        case=case,
        by=director,
        assessments=[first, Assessment.objects.filter(case=case).latest("id")],
        held_on=timezone.localdate(),
        level=3,
    )
    assert _queries(client, target) == few


def test_the_risk_panel_adds_few_queries_to_the_steering_page(world, client):
    director = world.users["director_city_a"]
    client.force_login(director)
    case = make_case(director)
    make_assessment(case)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("cases:detail", args=[case.pk]))
    risk_queries = [q for q in ctx.captured_queries if '"risk_' in q["sql"]]
    # The panel three (assessments, joint assessments, decisions); the escalation notice one
    # (risk.escalation: the case with its grounds as subqueries).
    assert len(risk_queries) <= 4
