"""Safety plans per victim and child (issue 17, part 3): versions, review dates, the
confidential parts of access.policy, what a consultation hears, the steering section."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import RoleCode
from cases.models import Case, SafetyPlan, SafetyPlanPart
from cases.services import (
    PlanContent,
    person_create_in_case,
    safety_plan_create,
    safety_plan_update,
    share_create,
)
from cases.services.safety import shareable_choices

from . import party_roles as pr
from .conftest import whole_file_share
from .factories import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
SIGNS = "Hij drinkt op vrijdagavond en wordt dan dreigend."
PLACES = "Bij tante Mia, Kerkstraat 12"
PEOPLE = "Buurvrouw Els 0470 12 34 56"
CODE = "Zonnebloem"
AGREEMENTS = "Geen contact buiten de overdracht van de kinderen."
CHILDREN = "De kinderen gaan na school naar oma."
CONFIDENTIAL = (PLACES, PEOPLE, CODE)


def _content(**changes: Any) -> PlanContent:
    today = TODAY()
    values: dict[str, Any] = {
        "agreed_on": today,
        "review_on": today + datetime.timedelta(days=30),
        "warning_signs": SIGNS,
        "safe_places": PLACES,
        "people_to_call": PEOPLE,
        "code_word": CODE,
        "perpetrator_agreements": AGREEMENTS,
        "children_arrangements": CHILDREN,
        **changes,
    }
    return PlanContent(**values)


def _person(case: Any, role: dict = pr.VICTIM, first_name: str = "Lotte") -> Any:
    return person_create_in_case(
        case=case,
        by=case.case_director,
        **role,
        confirm_new=True,
        first_name=first_name,
        last_name="Veilig",
    )


def _plan(case: Any, party: Any = None, shareable: Any = (), **changes: Any) -> Any:
    return safety_plan_create(
        case=case,
        party=party or _person(case, pr.CHILD),
        by=case.case_director,
        content=_content(**changes),
        shareable_parts=shareable,
    )


def _detail_url(plan: SafetyPlan) -> str:
    return reverse("cases:safety_plan", kwargs={"pk": plan.case_id, "safety_plan_pk": plan.pk})


def _edit_url(plan: SafetyPlan) -> str:
    return reverse("cases:safety_plan_edit", kwargs={"pk": plan.case_id, "safety_plan_pk": plan.pk})


def _form_data(content: PlanContent, **extra: Any) -> dict[str, Any]:
    data = {name: getattr(content, name) for name in SafetyPlanPart.values}
    data["agreed_on"] = content.agreed_on.isoformat()
    data["review_on"] = content.review_on.isoformat()
    return {**data, **extra}


# --- create, edit, versions ---


def test_a_plan_is_made_for_a_victim_and_each_save_is_a_version(world):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    plan = _plan(case, _person(case))
    assert plan.version == 1
    later = TODAY() + datetime.timedelta(days=60)
    safety_plan_update(
        plan=plan,
        by=director,
        expected_version=1,
        content=_content(warning_signs="Nieuwe signalen", review_on=later),
    )
    plan.refresh_from_db()
    assert (plan.version, plan.warning_signs, plan.review_on) == (2, "Nieuwe signalen", later)
    versions = list(SafetyPlan.history.filter(id=plan.pk).order_by("history_id"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].warning_signs == SIGNS
    assert all(v.history_user_id == director.pk for v in versions)


def test_the_plan_page_shows_the_current_version_and_the_earlier_ones(world, client):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    plan = _plan(case)
    safety_plan_update(
        plan=plan,
        by=director,
        expected_version=1,
        content=_content(warning_signs="Nieuwe signalen"),
    )
    client.force_login(director)
    page = client.get(_detail_url(plan)).content.decode()
    assert "Nieuwe signalen" in page
    assert SIGNS in page  # version 1, among the earlier versions
    assert page.index("Nieuwe signalen") < page.index(SIGNS)
    assert "Versie 1" in page


def test_a_plan_is_made_and_changed_through_the_forms(world, client):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    party = _person(case)
    client.force_login(director)
    add = reverse("cases:safety_plan_add", kwargs={"pk": case.pk})
    form = client.get(add, {"party": party.pk}).context["form"]
    token = form["submission_token"].value()
    data = _form_data(
        _content(), party=party.pk, shareable_parts=["warning_signs"], submission_token=token
    )
    response = client.post(add, data)
    plan = SafetyPlan.objects.get(party=party)
    assert response.status_code == 302
    assert response["Location"] == _detail_url(plan)
    assert plan.shareable_parts == ["warning_signs"]
    # The same form sent again (a double click) makes nothing twice.
    assert client.post(add, data).status_code == 302
    assert SafetyPlan.objects.filter(party=party).count() == 1

    response = client.post(
        _edit_url(plan), _form_data(_content(code_word="Tulp"), version=plan.version)
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.version, plan.code_word) == (2, "Tulp")
    # The director left the choice of shared parts unchecked: none shared any more.
    assert plan.shareable_parts == []


def test_a_stale_edit_is_refused_and_changes_nothing(world, client):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    plan = _plan(case)
    client.force_login(director)
    opened = plan.version
    safety_plan_update(
        plan=plan, by=director, expected_version=opened, content=_content(code_word="Eerst")
    )
    response = client.post(_edit_url(plan), _form_data(_content(code_word="Later"), version=opened))
    assert response.status_code == 409
    assert "Iemand anders" in response.content.decode()
    plan.refresh_from_db()
    assert (plan.version, plan.code_word) == (2, "Eerst")
    # Without a version at all: refused as well, never saved unchecked.
    response = client.post(_edit_url(plan), _form_data(_content(code_word="Zonder")))
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.code_word == "Eerst"


# --- rules ---


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"review_on": "same"}, "review_on"),
        ({"review_on": "before"}, "review_on"),
        ({"review_on": datetime.date(2100, 1, 1)}, "review_on"),
        ({"agreed_on": "tomorrow"}, "agreed_on"),
        ({"agreed_on": datetime.date(2000, 1, 1)}, "agreed_on"),
    ],
)
def test_implausible_dates_are_refused(world, changes, field):
    case = world.cases["city_a"]
    today = TODAY()
    named = {
        "same": today,
        "before": today - datetime.timedelta(days=1),
        "tomorrow": today + datetime.timedelta(days=1),
    }
    values = {key: named.get(value, value) for key, value in changes.items()}
    with pytest.raises(ValidationError) as refused:
        _plan(case, **values)
    assert field in refused.value.message_dict


def test_a_new_version_is_not_agreed_before_the_one_it_replaces(world):
    case = world.cases["city_a"]
    Case.objects.filter(pk=case.pk).update(opened_on=TODAY() - datetime.timedelta(days=10))
    case.refresh_from_db()
    plan = _plan(case, agreed_on=TODAY() - datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as refused:
        safety_plan_update(
            plan=plan,
            by=case.case_director,
            expected_version=1,
            content=_content(agreed_on=TODAY() - datetime.timedelta(days=3)),
        )
    assert refused.value.message_dict["agreed_on"] == [
        "Een nieuwe versie kan niet eerder afgesproken zijn dan de versie die ze vervangt."
    ]


def test_a_plan_is_for_a_victim_or_a_child_of_this_case_and_only_one(world):
    case = world.cases["city_a"]
    with pytest.raises(ValidationError):
        _plan(case, _person(case, pr.PERPETRATOR))
    with pytest.raises(ValidationError):
        _plan(case, _person(world.cases["city_b"]))
    party = _person(case)
    _plan(case, party)
    with pytest.raises(ValidationError):
        _plan(case, party)
    with pytest.raises(ValidationError):
        _plan(
            case,
            _person(case, first_name="Leeg"),
            **dict.fromkeys(SafetyPlanPart.values, ""),
        )


def test_confidential_parts_cannot_be_chosen_for_a_consultation(world):
    assert shareable_choices() == [
        "warning_signs",
        "perpetrator_agreements",
        "children_arrangements",
    ]
    with pytest.raises(ValidationError) as refused:
        _plan(world.cases["city_a"], shareable=("warning_signs", "code_word"))
    assert "shareable_parts" in refused.value.message_dict


def test_only_the_case_director_chooses_what_a_consultation_hears(world):
    case = world.cases["city_a"]
    colleague = make_user("colleague_city_a", world.orgs["city_a"], RoleCode.CASE_DIRECTOR)
    plan = _plan(case, shareable=("warning_signs",))
    with pytest.raises(ValidationError):
        safety_plan_update(
            plan=plan,
            by=colleague,
            expected_version=1,
            content=_content(),
            shareable_parts=["warning_signs", "children_arrangements"],
        )
    # The colleague edits the plan; the choice stays as the director made it.
    safety_plan_update(plan=plan, by=colleague, expected_version=1, content=_content())
    plan.refresh_from_db()
    assert (plan.version, plan.shareable_parts) == (2, ["warning_signs"])


def test_the_colleagues_form_has_no_sharing_choice(world, client):
    case = world.cases["city_a"]
    colleague = make_user("colleague_city_a", world.orgs["city_a"], RoleCode.CASE_DIRECTOR)
    plan = _plan(case)
    client.force_login(colleague)
    assert "shareable_parts" not in client.get(_edit_url(plan)).context["form"].fields
    client.force_login(world.users["director_city_a"])
    form = client.get(_edit_url(plan)).context["form"]
    assert [value for value, _label in form.fields["shareable_parts"].choices] == (
        shareable_choices()
    )


# --- confidentiality ---


def _all_parts_plan(world: Any) -> SafetyPlan:
    """On the case shared (whole file, view only) with the parket: two versions."""
    case = world.cases["city_a_shared"]
    plan = _plan(case, _person(case), shareable=("warning_signs",))
    safety_plan_update(
        plan=plan,
        by=case.case_director,
        expected_version=1,
        content=_content(warning_signs="Tweede versie"),
    )
    return plan


def test_the_team_sees_every_part(world, client):
    plan = _all_parts_plan(world)
    client.force_login(world.users["director_city_a"])
    page = client.get(_detail_url(plan)).content.decode()
    for text in (SIGNS, "Tweede versie", AGREEMENTS, CHILDREN, *CONFIDENTIAL):
        assert text in page, text


def test_a_shared_reader_sees_the_plan_without_its_confidential_parts(world, client):
    plan = _all_parts_plan(world)
    client.force_login(world.users["liaison_parket_a"])
    response = client.get(_detail_url(plan))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (SIGNS, "Tweede versie", AGREEMENTS, CHILDREN):
        assert text in page, text
    for secret in CONFIDENTIAL:
        assert secret not in page, secret  # neither the current nor an earlier version
    assert "vertrouwelijk" in page
    assert "Veiligheidsplan wijzigen" not in page  # no edit link
    assert client.get(_edit_url(plan)).status_code == 403
    # The case history hides them too.
    history = client.get(reverse("cases:history", kwargs={"pk": plan.case_id}))
    assert history.status_code == 200
    for secret in CONFIDENTIAL:
        assert secret not in history.content.decode(), secret


def test_the_case_history_shows_the_team_every_change(world, client):
    plan = _all_parts_plan(world)
    client.force_login(world.users["director_city_a"])
    page = client.get(reverse("cases:history", kwargs={"pk": plan.case_id})).content.decode()
    assert "Tweede versie" in page
    assert "Veiligheidsplan" in page


def test_a_summary_share_does_not_open_the_safety_plans(world, client):
    from access.parts import ShareScope

    case = world.cases["city_a"]
    plan = _plan(case)
    share_create(
        case=case,
        organisation=world.orgs["caw_a"],
        by=world.users["director_city_a"],
        terms=whole_file_share(scope=ShareScope.SUMMARY),
    )
    client.force_login(world.users["director_caw_a"])
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 200
    assert client.get(_detail_url(plan)).status_code == 404
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert 'id="safety-plans-heading"' not in page


def test_a_plan_of_another_case_is_not_found(world, client):
    plan = _plan(world.cases["city_b"])
    client.force_login(world.users["director_city_a"])
    url = reverse(
        "cases:safety_plan",
        kwargs={"pk": world.cases["city_a"].pk, "safety_plan_pk": plan.pk},
    )
    assert client.get(url).status_code == 404
    edit = reverse(
        "cases:safety_plan_edit",
        kwargs={"pk": world.cases["city_a"].pk, "safety_plan_pk": plan.pk},
    )
    assert client.get(edit).status_code == 404


# --- the consultation view ---


def _consultation_page(setting: Any, client: Any, user: Any) -> str:
    client.force_login(user)
    url = reverse(
        "consultations:item",
        kwargs={"pk": setting.consultation.pk, "item_pk": setting.items["x"].pk},
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_consultation_view_shows_only_the_shared_parts_never_the_confidential(setting, client):
    case = setting.cases["x"]
    plan = _plan(case, _person(case), shareable=("warning_signs", "perpetrator_agreements"))
    # A choice stored by another way (an import, a rule changed later) opens nothing either.
    SafetyPlan.objects.filter(pk=plan.pk).update(
        shareable_parts=["warning_signs", "perpetrator_agreements", "code_word", "safe_places"]
    )
    setting.add_liaison(setting.consultation)
    for user in (setting.users["liaison"], setting.users["director"]):
        page = _consultation_page(setting, client, user)
        assert SIGNS in page
        assert AGREEMENTS in page
        assert CHILDREN not in page  # not chosen
        for secret in CONFIDENTIAL:
            assert secret not in page, secret
        assert "Lotte Veilig" in page  # the identity the view shows anyway


def test_the_consultation_view_without_shared_parts_says_so(setting, client):
    case = setting.cases["x"]
    _plan(case, _person(case))
    page = _consultation_page(setting, client, setting.users["director"])
    assert "Geen delen van een veiligheidsplan gedeeld voor het overleg." in page
    assert SIGNS not in page


# --- the steering page ---


def test_the_steering_page_shows_each_victim_and_child_with_the_review_date(world, client):
    case = world.cases["city_a"]
    victim = _person(case, pr.VICTIM, "Anna")
    child = _person(case, pr.CHILD, "Bo")
    _person(case, pr.PERPETRATOR, "Dader")
    review = TODAY() + datetime.timedelta(days=30)
    _plan(case, victim, review_on=review)
    client.force_login(world.users["director_city_a"])
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    section = page[page.index('id="safety-plans-heading"') :]
    section = section[: section.index("</section>")]
    assert "Anna Veilig" in section
    assert review.strftime("%d/%m/%Y") in section
    assert "Bo Veilig" in section and "geen veiligheidsplan" in section
    assert f"?party={child.pk}" in section
    assert "Dader" not in section
    assert "te laat" not in section


def test_an_overdue_review_is_highlighted_in_words(world, client):
    case = world.cases["city_a"]
    plan = _plan(case, _person(case))
    SafetyPlan.objects.filter(pk=plan.pk).update(review_on=TODAY() - datetime.timedelta(days=1))
    client.force_login(world.users["director_city_a"])
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    section = page[page.index('id="safety-plans-heading"') :]
    section = section[: section.index("</section>")]
    assert 'class="overdue"' in section
    assert "evaluatie te laat" in section
    detail = client.get(_detail_url(plan)).content.decode()
    assert "evaluatie te laat" in detail


def test_the_steering_page_query_count_does_not_grow_with_plans(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    url = reverse("cases:detail", kwargs={"pk": case.pk})
    _plan(case, _person(case, first_name="Een"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for name in ("Twee", "Drie", "Vier"):
        _plan(case, _person(case, first_name=name))
    _person(case, pr.CHILD, "Zonder")
    assert count() == few


def test_the_plan_page_query_count_does_not_grow_with_versions(world, client):
    case = world.cases["city_a"]
    plan = _plan(case)
    client.force_login(world.users["director_city_a"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_detail_url(plan)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for version in range(1, 5):
        safety_plan_update(
            plan=plan,
            by=case.case_director,
            expected_version=version,
            content=_content(warning_signs=f"Versie {version}"),
        )
    assert count() == few


# --- Dutch ---


def test_the_pages_are_in_dutch(world, client):
    case = world.cases["city_a"]
    plan = _plan(case, _person(case))
    client.force_login(world.users["director_city_a"])
    page = client.get(_detail_url(plan)).content.decode()
    for text in (
        "Veiligheidsplan van Lotte Veilig (Slachtoffer)",
        "Waarschuwingssignalen",
        "Veilige plekken",
        "Mensen om te bellen",
        "Codewoord",
        "Afspraken met de pleger",
        "Afspraken voor de kinderen",
        "Huidige versie",
        "Eerdere versies",
        "Evaluatie op",
    ):
        assert text in page, text
    form = client.get(_edit_url(plan)).content.decode()
    assert "Opslaan als nieuwe versie" in form
    refused = client.post(
        _edit_url(plan),
        _form_data(_content(review_on=TODAY()), version=plan.version),
    ).content.decode()
    assert "De evaluatiedatum valt na de dag waarop het plan werd afgesproken." in refused


def test_reviews_due_are_those_the_user_may_see(world):
    from cases.selectors.safety import safety_plan_reviews_due

    soon = _plan(world.cases["city_a"], review_on=TODAY() + datetime.timedelta(days=3))
    _plan(world.cases["city_a"], review_on=TODAY() + datetime.timedelta(days=90))
    shared = _plan(world.cases["city_a_shared"], review_on=TODAY() + datetime.timedelta(days=2))
    until = TODAY() + datetime.timedelta(days=7)

    def due(username: str) -> list[int]:
        plans = safety_plan_reviews_due(user=world.users[username], until=until)
        return [plan.pk for plan in plans]

    # The world's own plans are reviewed in a month: not due this week.
    assert due("director_city_a") == [shared.pk, soon.pk]
    assert due("liaison_parket_a") == [shared.pk]
    assert due("director_city_b") == []
    assert due("admin_city_a") == []
